"""The backtest by class: served forecasts, the outside view and the blend, origin by origin.

Reads what the backtest and the backtest by record age already forecast (no model is refitted):
the champion's forecasts at record age 0 and the record-aware logit's at older records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.classes.blend import blended, final_weights, learn_inside_origins
from forecast.classes.membership import knows_crises, trigger_classes
from forecast.classes.references import outside_view
from forecast.classes.scores import class_scores
from forecast.classes.served import SERVED_RECORD_MODEL, served_forecasts
from forecast.core.config import Params


@dataclass
class ClassResult:
    """Scores by class, the served forecasts behind them and the blend weights."""

    scores: dict
    served: pd.DataFrame
    champion: str
    # {class: {horizon: ClassWeight dict}}: what a forecast made today uses ({} without crisis
    # labels in the data).
    weights: dict
    # One record per (origin, age, horizon, class): the weight used inside the backtest.
    chosen: list = field(default_factory=list)
    seconds: float = 0.0


def run_class_backtest(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    backtest: pd.DataFrame,
    record_age: pd.DataFrame | None,
    champion: str,
    params: Params,
) -> ClassResult:
    """Line up the served forecasts, add each one's outside view and blend, and score by class."""
    started = time.perf_counter()
    horizons = tuple(int(h) for h in params.episodes.horizons)
    triggers = trigger_classes(episodes, features, horizons)
    served = served_forecasts(backtest, record_age, champion, triggers, params.backtest)
    served["reference"] = np.nan
    for horizon, positions in served.groupby("horizon", sort=True).indices.items():
        rate, _ = outside_view(served.iloc[positions], triggers, int(horizon), crisis_known=True)
        served.loc[served.index[positions], "reference"] = rate
    if knows_crises(triggers):
        weights, chosen = learn_inside_origins(served, triggers)
        final = final_weights(served, triggers)
    else:
        weights, chosen, final = np.ones(len(served)), [], {}
    served["weight"] = weights
    served["p_served"] = blended(
        served["p"].to_numpy(dtype=float), served["reference"].to_numpy(dtype=float), weights
    )
    scores = class_scores(served, triggers, params.backtest.calibration_bins)
    return ClassResult(
        scores=scores,
        served=served,
        champion=champion,
        weights=final,
        chosen=chosen,
        seconds=time.perf_counter() - started,
    )


def served_models(champion: str) -> dict[str, str]:
    """Which forecaster each record age's served number came from, for the data note."""
    return {"0": champion, "older": SERVED_RECORD_MODEL}
