"""How far a served number leans on the outside view: one weight per crisis class and horizon.

The served forecast for an incident the analyst calls a crisis (or not) is

    w * model + (1 - w) * reference

where the reference is the rate of the incident's class (forecast.classes.references) and w,
on a grid of tenths, is the weight with the lowest Brier score on the class's earlier forecasts:
out-of-sample forecasts of the served forecaster whose outcome had resolved before the moment
the weight is used (earlier backtest origins resolved before the cutoff inside the backtest, the
whole backtest for the served model), the discipline of the ensemble's weights and of the
recalibration maps. The weight is pooled over record ages: the crisis class holds too few
triggers to learn one per age.

Only a class that is a minority of the crisis-labelled triggers known at the cutoff is blended:
a model fitted on every trigger speaks for the bulk it was fitted on (its calibration there is
the backtest's and the recalibration's business), not for a class it rarely saw. A majority
class is served the model (w = 1), and so is a forecast without the analyst's judgement
(crisis unknown). Until MIN_BLEND_ROWS resolved forecasts of a minority class exist, it is
served its reference (w = 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

# The served forecasts' crisis reading -> the class whose weight applies.
CRISIS_CLASSES = {1.0: "crisis", 0.0: "not_crisis"}
GRID = np.round(np.linspace(0.0, 1.0, 11), 1)
MIN_BLEND_ROWS = 20


@dataclass(frozen=True)
class ClassWeight:
    """The weight on the model for one class and horizon, and what it was learnt from."""

    weight: float
    n: int
    # Brier scores on the forecasts it was learnt from (None below MIN_BLEND_ROWS).
    model_brier: float | None = None
    reference_brier: float | None = None
    # "learnt" (from the n forecasts), "too_few" (below MIN_BLEND_ROWS: the reference) or
    # "majority" (a class the model is mostly fitted on: the model).
    basis: str = "learnt"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def learn_weight(
    p: np.ndarray, reference: np.ndarray, y: np.ndarray, majority: bool
) -> ClassWeight:
    """The grid weight with the lowest Brier score of w * p + (1 - w) * reference on `y`.

    Ties go to the smaller weight: the outside view unless the model does better on the class.
    Rows whose reference is unknown (NaN) are not counted.
    """
    known = ~np.isnan(reference) & ~np.isnan(y) & ~np.isnan(p)
    p, reference, y = p[known], reference[known], y[known]
    if majority:
        return ClassWeight(1.0, len(y), basis="majority")
    if len(y) < MIN_BLEND_ROWS:
        return ClassWeight(0.0, len(y), basis="too_few")
    mixed = GRID[:, None] * p[None, :] + (1.0 - GRID[:, None]) * reference[None, :]
    briers = ((mixed - y[None, :]) ** 2).mean(axis=1)
    best = int(np.argmin(np.round(briers, 12)))
    return ClassWeight(float(GRID[best]), len(y), float(briers[-1]), float(briers[0]))


def blended(p: np.ndarray, reference: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """w * p + (1 - w) * reference (one weight, or one per row); the model's number where the
    reference is unknown."""
    return np.where(np.isnan(reference), p, weight * p + (1.0 - weight) * reference)


def class_share(triggers: pd.DataFrame, cutoff: pd.Timestamp, crisis: float) -> float:
    """The class's share of the triggers dated before `cutoff` whose crisis label is known."""
    before = triggers["date"].to_numpy() < np.datetime64(cutoff)
    labels = triggers["crisis"].to_numpy(dtype=float)[before]
    labels = labels[~np.isnan(labels)]
    return float((labels == crisis).mean()) if len(labels) else 0.0


def learn_inside_origins(served: pd.DataFrame, triggers: pd.DataFrame) -> tuple[np.ndarray, list]:
    """Each served row's weight, learnt from the forecasts its origin could have seen.

    `served` carries `origin, record_age, horizon, cutoff, resolved_on, crisis, p, reference, y`.
    For the rows of one (origin, age, horizon) the weight of each crisis class reads only rows
    of earlier origins (any age, the same horizon and class) resolved before the rows' cutoff.
    Returns the weight per row (1.0 where the crisis reading is unknown) and one record per
    (origin, age, horizon, class): what was chosen and from how many forecasts.
    """
    weights = np.ones(len(served))
    chosen: list[dict[str, Any]] = []
    origin = served["origin"].to_numpy()
    resolved = served["resolved_on"].to_numpy(dtype="datetime64[ns]")
    horizon = served["horizon"].to_numpy()
    crisis = served["crisis"].to_numpy(dtype=float)
    p = served["p"].to_numpy(dtype=float)
    reference = served["reference"].to_numpy(dtype=float)
    y = served["y"].to_numpy(dtype=float)
    groups = served.groupby(["origin", "record_age", "horizon"], sort=True).indices
    for (year, age, h), positions in groups.items():
        cutoff = served["cutoff"].iloc[positions[0]]
        earlier = (origin < year) & (resolved < np.datetime64(cutoff)) & (horizon == h)
        for value, name in CRISIS_CLASSES.items():
            rows = positions[crisis[positions] == value]
            if not len(rows):
                continue
            pool = earlier & (crisis == value)
            weight = learn_weight(
                p[pool], reference[pool], y[pool], class_share(triggers, cutoff, value) >= 0.5
            )
            weights[rows] = weight.weight
            chosen.append(
                {"origin": int(year), "record_age": int(age), "horizon": int(h), "class": name}
                | weight.to_dict()
            )
    return weights, chosen


def final_weights(served: pd.DataFrame, triggers: pd.DataFrame) -> dict[str, dict[str, dict]]:
    """{class: {horizon: ClassWeight dict}} from every resolved served forecast: the weights a
    forecast made today uses."""
    latest = pd.Timestamp(triggers["date"].max()) + pd.Timedelta(days=1)
    out: dict[str, dict[str, dict]] = {}
    crisis = served["crisis"].to_numpy(dtype=float)
    for value, name in CRISIS_CLASSES.items():
        majority = class_share(triggers, latest, value) >= 0.5
        for h, rows in served.groupby("horizon", sort=True).indices.items():
            pool = rows[crisis[rows] == value]
            weight = learn_weight(
                served["p"].to_numpy(float)[pool],
                served["reference"].to_numpy(float)[pool],
                served["y"].to_numpy(float)[pool],
                majority,
            )
            out.setdefault(name, {})[str(int(h))] = weight.to_dict()
    return out


@dataclass(frozen=True)
class ServedBlend:
    """The weights a forecast made today uses (metrics/classes_data.json `blend`), for the
    model they were learnt on: {class: {horizon: ClassWeight}}."""

    model: str
    weights: dict[str, dict[int, ClassWeight]]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ServedBlend | None:
        """The blend of a classes_data.json document; None when it holds no weights (data
        without crisis labels, or a file from before the blend)."""
        blend = record.get("blend") or {}
        weights = blend.get("weights") or {}
        if not weights or not blend.get("model"):
            return None
        return cls(
            model=str(blend["model"]),
            weights={
                name: {int(h): ClassWeight(**weight) for h, weight in by_horizon.items()}
                for name, by_horizon in weights.items()
            },
        )

    def weight(self, crisis: bool, horizon: int) -> ClassWeight | None:
        """The weight for the analyst's crisis judgement at `horizon`; None if never learnt."""
        return self.weights.get(CRISIS_CLASSES[1.0 if crisis else 0.0], {}).get(horizon)
