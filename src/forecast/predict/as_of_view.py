"""Forecasts as of a later day for `forecast predict --as-of` (and an input file's `as_of`).

An analyst who comes back k days after a strike, with no answer yet, asks for the chance of an
answer from now on: P(answer in (as-of, trigger + H] | none by the as-of day). The served day-0
horizon numbers are renormalised with the timing shape (`forecast.as_of.renormalise`); where
the as-of backtest found the as-of logit better at a horizon, that horizon is served by the
logit, which also reads the target's threats and displays against the initiator since the
trigger and the initiator's follow-up strikes (`forecast.as_of.evidence`): from the record
where it reaches, and from the rows the analyst gives. Across a record gap the band models'
horizon numbers are renormalised the same way (they have no timing curve of their own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.as_of.evidence import SIGNAL_HOSTILITY, AsOfEvidence
from forecast.as_of.model import AS_OF_LOGIT, TIMING_CURVE, AsOfModel, renormalised_only
from forecast.as_of.renormalise import CurveRows
from forecast.core.wording import percent, readable_date
from forecast.episodes import day_numbers
from forecast.predict.incident import Incident
from forecast.predict.result import HorizonForecast

SIGNAL_COLUMNS = ["initiator", "target", "date", "date_precision", "hostility"]


def signal_table(incidents: pd.DataFrame) -> pd.DataFrame:
    """The threats and displays of force (hostility 2-3) of a canonical incident table."""
    kept = incidents["hostility"].isin(SIGNAL_HOSTILITY).to_numpy(dtype=bool)
    return incidents.loc[kept, SIGNAL_COLUMNS].reset_index(drop=True)


def given_signals(incidents: Sequence[Incident]) -> pd.DataFrame:
    """The analyst's threat and display rows as a signal table."""
    rows = [i for i in incidents if not i.is_force]
    return pd.DataFrame(
        {
            "initiator": np.array([i.initiator for i in rows], dtype=np.int64),
            "target": np.array([i.target for i in rows], dtype=np.int64),
            "date": pd.to_datetime([i.date for i in rows]).astype("datetime64[ns]"),
            "date_precision": pd.array([i.date_precision for i in rows], dtype="string"),
            "hostility": np.array([i.hostility for i in rows], dtype=np.int64),
        }
    )


@dataclass(frozen=True)
class AsOfServer:
    """The as-of model a forecaster serves and why: the one `forecast as-of backtest` wrote
    for these data, or the renormalised forecast with the training triggers' timing shape."""

    model: AsOfModel
    basis: str

    @classmethod
    def choose(
        cls,
        written: AsOfModel | None,
        data_hash: str | None,
        fallback_shape: np.ndarray,
        horizons: Sequence[int],
    ) -> AsOfServer:
        if (
            written is not None
            and written.data_hash == data_hash
            and tuple(written.horizons) == tuple(horizons)
        ):
            return cls(written, "the as-of model of `forecast as-of backtest` on these data")
        why = (
            "no as-of backtest has been run on these data (`dvc repro as_of`)"
            if written is None or written.data_hash != data_hash
            else "the as-of model was built for other horizons"
        )
        return cls(
            renormalised_only(horizons, fallback_shape, data_hash),
            f"the renormalised day-0 forecast with the training triggers' timing shape: {why}",
        )

    def blocks(
        self,
        incidents: Sequence[Incident],
        served: Sequence[Mapping[int, HorizonForecast]],
        signals: pd.DataFrame,
        force: pd.DataFrame,
        curves: Sequence[Sequence[float] | None] | None = None,
    ) -> list[dict[str, Any]]:
        """The `as_of` block of each incident ({} for those without an as-of day).

        `curves` are the incidents' own timing-model curves, P(answer by day 1..last), None
        where a forecast's curve only joins its horizon numbers (a band model, a forecast
        leaning on the outside view): those use the shared timing shape.
        """
        asked = [row for row, incident in enumerate(incidents) if incident.as_of is not None]
        blocks: list[dict[str, Any]] = [{} for _ in incidents]
        if not asked:
            return blocks
        chosen = [incidents[row] for row in asked]
        initiator = np.array([i.initiator for i in chosen], dtype=np.int64)
        target = np.array([i.target for i in chosen], dtype=np.int64)
        start = day_numbers(pd.Series([i.date for i in chosen]))
        end = day_numbers(pd.Series([i.as_of for i in chosen]))
        known = AsOfEvidence(signals, force)
        evidence = known.of(initiator, target, start, end)
        answers = known.answers(initiator, target, start, end)
        horizons = self.model.horizons
        p = np.array([[_number(served[row][h].p) for h in horizons] for row in asked], dtype=float)
        numbers = self.model.forecast(
            np.nan_to_num(p), end - start, evidence, own_curves(curves, asked, max(horizons))
        )
        for place, row in enumerate(asked):
            cells = {
                horizon: AsOfCell(
                    day0=p[place, column],
                    served=numbers.served[place, column],
                    renormalised=numbers.renormalised[place, column],
                    timing_curve=numbers.timing_curve[place, column],
                    logit=numbers.logit[place, column],
                )
                for column, horizon in enumerate(horizons)
            }
            blocks[row] = self._block(
                incidents[row],
                int(end[place] - start[place]),
                cells,
                evidence.iloc[place].to_dict(),
                int(answers[place]),
            )
        return blocks

    def _block(
        self,
        incident: Incident,
        days: int,
        cells: Mapping[int, AsOfCell],
        evidence: Mapping[str, Any],
        answers: int,
    ) -> dict[str, Any]:
        horizons: dict[str, Any] = {}
        for horizon, cell in cells.items():
            open_window = horizon > days and answers == 0 and np.isfinite(cell.day0)
            horizons[str(horizon)] = {
                "p": _rounded(cell.served) if open_window else None,
                "day0": _rounded(cell.day0),
                "renormalised": _rounded(cell.renormalised) if open_window else None,
                "timing_curve": _rounded(cell.timing_curve) if open_window else None,
                "as_of_logit": _rounded(cell.logit) if open_window else None,
                "served": self.model.served.get(horizon) if open_window else None,
                "until": (incident.date + pd.Timedelta(days=horizon)).date().isoformat(),
            }
        block = {
            "date": incident.as_of.date().isoformat() if incident.as_of is not None else None,
            "days_elapsed": days,
            "answer_known": answers > 0,
            "evidence": {name: int(value) for name, value in evidence.items()},
            "horizons": horizons,
            "basis": self.basis,
        }
        block["statement"] = as_of_text(incident, block)
        return block


@dataclass(frozen=True)
class AsOfCell:
    """One horizon's numbers for one incident: day 0, served, renormalised, as-of logit."""

    day0: float
    served: float
    renormalised: float
    timing_curve: float
    logit: float


def own_curves(
    curves: Sequence[Sequence[float] | None] | None, rows: Sequence[int], last: int
) -> CurveRows | None:
    """The chosen rows' own daily curves (days 1..last), NaN rows where there is none."""
    if curves is None:
        return None
    matrix = np.full((len(rows), last), np.nan)
    for place, row in enumerate(rows):
        curve = curves[row]
        if curve is not None and len(curve) >= last:
            matrix[place] = np.asarray(curve[:last], dtype=float)
    return CurveRows(matrix, range(1, last + 1))


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _rounded(value: float) -> float | None:
    return round(float(value), 6) if np.isfinite(value) else None


def as_of_text(incident: Incident, block: Mapping[str, Any]) -> str:
    """The as-of numbers in one paragraph, for the terminal, the notebook card and the brief."""
    when = f"As of {readable_date(block['date'])} (day {block['days_elapsed']} after the trigger"
    if block["answer_known"]:
        return (
            f"{when}): a use of force by {incident.target_name} against "
            f"{incident.initiator_name} since the trigger is already known, so there is no "
            "as-of forecast of a first answer."
        )
    parts = [
        f"{percent(cell['p'])} by {readable_date(cell['until'])} (day {horizon}; "
        f"{percent(cell['day0'])} on the day)"
        for horizon, cell in block["horizons"].items()
        if cell["p"] is not None
    ]
    if not parts:
        return f"{when}): every horizon has passed; nothing is left to forecast."
    evidence = block["evidence"]
    known = (
        f"{evidence.get('target_signals', 0)} threat(s) or display(s) of force by "
        f"{incident.target_name} against {incident.initiator_name} and "
        f"{evidence.get('initiator_force', 0)} further use(s) of force by "
        f"{incident.initiator_name} are known since the trigger"
    )
    served = {cell["served"] for cell in block["horizons"].values() if cell["p"] is not None}
    how = (
        "the as-of logit weighs them"
        if AS_OF_LOGIT in served
        else "they do not move the served number (the as-of logit did not beat the "
        "renormalised forecast in the as-of backtest)"
    )
    if TIMING_CURVE in served:
        how += "; the days already passed are read off this incident's own timing curve"
    return (
        f"{when}, no answer known): chance that {incident.target_name} uses force against "
        f"{incident.initiator_name} from now on: {'; '.join(parts)}. {known}; {how}. "
        f"Served: {block['basis']}."
    )
