"""The as-of model: the renormalised day-0 forecast, and a logit that reads what happened since.

The logit takes the renormalised forecast's log-odds and the as-of evidence
(`forecast.as_of.evidence`) and is fitted on out-of-sample day-0 forecasts of triggers still
unanswered on their as-of day, so it learns how much a threat or a follow-up strike since the
trigger moves the chance of an answer beyond what the timing already says. It is served at a
horizon only where the as-of backtest found it better than the renormalised forecast
(`served`); elsewhere the renormalised forecast is the as-of forecast.

The model is plain numbers (the timing shape and a few coefficients) kept as JSON, so serving
it needs numpy only and reading it runs no code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.as_of.evidence import EVIDENCE_COLUMNS
from forecast.as_of.renormalise import CurveRows, renormalised, timing_shape
from forecast.core.errors import DataFileError
from forecast.models.common import expit, label_column, logit

RENORMALISED = "renormalised"
# Renormalised with each trigger's own timing-model curve instead of the shared shape.
TIMING_CURVE = "timing_curve"
AS_OF_LOGIT = "as_of_logit"
# The logit's inputs, in coefficient order. The renormalised forecast's log-odds enter as an
# offset (slope 1) with no intercept: the renormalised forecast keeps the level and the order
# of triggers that share the same evidence, and the logit adds only what the evidence says.
# (An intercept refitted at each origin followed the drift of earlier years' calibration and
# scored worse on MIE: docs/as-of.md.)
LOGIT_INPUTS = tuple(f"any_{name}" for name in EVIDENCE_COLUMNS)
# An evidence flag is fitted only when this many training rows carry it and both outcomes
# occur among them: a rare flag whose rows all went one way would get an infinite weight.
MIN_FLAGGED_ROWS = 20
_EDGE = 1e-4


def settled_shape(episodes: pd.DataFrame, horizons: Sequence[int]) -> np.ndarray:
    """The timing shape of the triggers whose last-horizon outcome is settled (all of them
    when the table has no such label), so recent quick answers do not crowd out slow ones."""
    column = label_column(max(horizons))
    settled = (
        episodes[column].notna().to_numpy() if column in episodes else np.ones(len(episodes), bool)
    )
    delays = pd.to_numeric(episodes["days_to_retaliation"], errors="coerce").to_numpy(float)
    return timing_shape(delays[settled], max(horizons))


def renormalised_logodds(renormalised_p: np.ndarray) -> np.ndarray:
    return logit(np.clip(np.asarray(renormalised_p, dtype=float), _EDGE, 1 - _EDGE))


def logit_inputs(evidence: pd.DataFrame) -> np.ndarray:
    """(n, len(LOGIT_INPUTS)) design: one 0/1 column per evidence kind."""
    flags = [(evidence[name].to_numpy() > 0).astype(float) for name in EVIDENCE_COLUMNS]
    return np.column_stack(flags) if flags else np.empty((len(evidence), 0))


def fit_as_of_logit(design: np.ndarray, offset: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Coefficients of a binomial GLM with the log-odds `offset` (statsmodels), or None when
    it cannot be fitted (a constant outcome, no convergence). Flags too rare to weigh
    (`MIN_FLAGGED_ROWS`, both outcomes) keep a zero coefficient."""
    import statsmodels.api as sm

    y = np.asarray(y, dtype=float)
    if len(y) == 0 or y.min() == y.max():
        return None
    flagged = design > 0
    positives = (flagged & (y[:, None] > 0)).sum(axis=0)
    used = (
        (flagged.sum(axis=0) >= MIN_FLAGGED_ROWS)
        & (positives > 0)
        & (positives < flagged.sum(axis=0))
    )
    coefficients = np.zeros(design.shape[1])
    if not used.any():
        return coefficients
    try:
        result = sm.GLM(
            y,
            design[:, used],
            family=sm.families.Binomial(),
            offset=np.asarray(offset, dtype=float),
        ).fit()
    except (np.linalg.LinAlgError, ValueError):
        return None
    if not result.converged or not np.all(np.isfinite(result.params)):
        return None
    coefficients[used] = result.params
    return coefficients


@dataclass(frozen=True)
class AsOfForecast:
    """Every horizon's as-of numbers for a batch: (n, len(horizons)), NaN where closed."""

    renormalised: np.ndarray
    timing_curve: np.ndarray
    logit: np.ndarray
    served: np.ndarray


@dataclass(frozen=True)
class AsOfModel:
    """The timing shape, the logit per horizon (None: not fitted) and which one is served."""

    horizons: tuple[int, ...]
    shape: np.ndarray
    coefficients: Mapping[int, np.ndarray | None]
    served: Mapping[int, str]
    data_hash: str | None = None
    basis: Mapping[str, Any] = field(default_factory=dict)

    def forecast(
        self,
        p: np.ndarray,
        days: np.ndarray,
        evidence: pd.DataFrame,
        curves: CurveRows | None = None,
    ) -> AsOfForecast:
        """As-of forecasts from day-0 horizon probabilities `p` (n, horizons), k = `days`;
        `curves` are the forecasts' own timing curves where they have one."""
        base = renormalised(p, self.horizons, self.shape, days)
        own = base if curves is None else renormalised(p, self.horizons, self.shape, days, curves)
        fitted = np.full_like(base, np.nan)
        flags = logit_inputs(evidence)
        for column, horizon in enumerate(self.horizons):
            coefficients = self.coefficients.get(horizon)
            if coefficients is None:
                fitted[:, column] = base[:, column]
                continue
            linear = renormalised_logodds(np.nan_to_num(base[:, column])) + flags @ coefficients
            fitted[:, column] = np.where(np.isnan(base[:, column]), np.nan, expit(linear))
        choices = {RENORMALISED: base, TIMING_CURVE: own, AS_OF_LOGIT: fitted}
        served = np.column_stack(
            [
                choices.get(self.served.get(h, RENORMALISED), base)[:, column]
                for column, h in enumerate(self.horizons)
            ]
        )
        return AsOfForecast(base, own, fitted, served)

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizons": list(self.horizons),
            "shape": [round(float(v), 8) for v in self.shape],
            "inputs": list(LOGIT_INPUTS),
            "offset": "log-odds of the renormalised forecast",
            "coefficients": {
                str(h): None if c is None else [float(v) for v in c]
                for h, c in self.coefficients.items()
            },
            "served": {str(h): name for h, name in self.served.items()},
            "data_hash": self.data_hash,
            "basis": dict(self.basis),
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any], where: str | Path) -> AsOfModel:
        """Read back `to_dict`'s output, refusing anything that is not its shape."""
        try:
            horizons = tuple(int(h) for h in payload["horizons"])
            shape = np.asarray(payload["shape"], dtype=float)
            width = len(LOGIT_INPUTS)
            coefficients: dict[int, np.ndarray | None] = {}
            for key, values in payload["coefficients"].items():
                array = None if values is None else np.asarray(values, dtype=float)
                if array is not None and (array.shape != (width,) or not np.isfinite(array).all()):
                    raise ValueError(f"coefficients for {key} days are not {width} numbers")
                coefficients[int(key)] = array
            served = {int(h): str(name) for h, name in payload["served"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(
                where, f"is not an as-of model ({exc})", "rebuild it: dvc repro as_of"
            ) from exc
        if (
            not horizons
            or shape.ndim != 1
            or len(shape) < max(horizons) + 1
            or not np.all(np.isfinite(shape))
            or np.any(np.diff(shape) < 0)
            or set(served.values()) - {RENORMALISED, TIMING_CURVE, AS_OF_LOGIT}
        ):
            raise DataFileError(
                where,
                "is not an as-of model (bad shape or served names)",
                "rebuild it: dvc repro as_of",
            )
        return cls(
            horizons,
            shape,
            coefficients,
            served,
            payload.get("data_hash"),
            payload.get("basis", {}),
        )


def renormalised_only(
    horizons: Sequence[int], shape: np.ndarray, data_hash: str | None = None
) -> AsOfModel:
    """An as-of model that serves the renormalised forecast at every horizon."""
    return AsOfModel(
        tuple(horizons),
        shape,
        {h: None for h in horizons},
        {h: RENORMALISED for h in horizons},
        data_hash,
        {"reason": "no as-of logit: the renormalised day-0 forecast is served"},
    )


def read_as_of_model(root: str | Path | None = None) -> AsOfModel | None:
    """The served as-of model, None when `forecast as-of backtest` has not written one; a
    damaged file is a clear error naming it."""
    from forecast.core import tables

    payload = tables.read_optional("as_of_model", root)
    if payload is None:
        return None
    where = tables.path("as_of_model", root)
    if not isinstance(payload, dict):
        raise DataFileError(where, "is not an as-of model", "rebuild it: dvc repro as_of")
    return AsOfModel.from_dict(payload, where)
