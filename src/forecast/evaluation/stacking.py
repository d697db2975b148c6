"""The ensemble's backtest forecasts, mixed from its members' with weights known at each origin.

At origin O the weights come from the members' forecasts for earlier origins' test triggers
whose H-day outcome had resolved before O's cutoff (trigger date + H before it), the same rule
that decides which training labels are known. Nothing from the test year, and no outcome still
open at the origin, reaches the weights; the first origins, with too little such history, mix
the members equally.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.config import Params
from forecast.evaluation.forecasts import OriginForecasts, long_predictions
from forecast.models.common import monotone_in_horizon
from forecast.models.ensemble import ENSEMBLE_NAME, weights_from_predictions


def add_ensemble(
    forecasts: list[OriginForecasts], episodes: pd.DataFrame, params: Params
) -> dict[int, dict[int, np.ndarray]]:
    """Add the ensemble's forecasts to every origin; return the weights used, by origin year."""
    members = list(params.models.ensemble)
    horizons = tuple(params.episodes.horizons)
    # Params validation guarantees every member is among the models the backtest ran.
    history = long_predictions(forecasts, episodes, horizons, models=members)
    dates = pd.to_datetime(episodes.set_index("episode_id")["date"])
    resolved_on = history["episode_id"].map(dates) + pd.to_timedelta(history["horizon"], unit="D")
    used: dict[int, dict[int, np.ndarray]] = {}
    for origin in sorted(forecasts, key=lambda f: f.split.year):
        known = (history["origin"] < origin.split.year) & (
            resolved_on < pd.Timestamp(origin.split.cutoff)
        )
        weights = weights_from_predictions(history[known], members, horizons)
        stacked = np.stack([origin.proba[m] for m in members], axis=2)
        mixed = np.column_stack(
            [stacked[:, column, :] @ weights[h] for column, h in enumerate(horizons)]
        )
        origin.proba[ENSEMBLE_NAME] = monotone_in_horizon(mixed, horizons)
        used[origin.split.year] = weights
    return used
