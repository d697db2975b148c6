"""The ensemble's backtest forecasts, mixed from its members' with weights known at each origin.

At origin O the members and weights come from the candidates' forecasts for earlier origins'
test triggers whose H-day outcome had resolved before O's cutoff (trigger date + H before it),
the same rule that decides which training labels are known. Nothing from the test year, and no
outcome still open at the origin, reaches them; the first origins, with too little such
history, mix every candidate equally (forecast.evaluation.choices).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.core.config import Params
from forecast.evaluation.forecasts import (
    OriginForecasts,
    known_at,
    long_predictions,
    resolution_dates,
)
from forecast.models.ensemble import ENSEMBLE_NAME, mix_members, weights_from_predictions


def add_ensemble(
    forecasts: list[OriginForecasts], episodes: pd.DataFrame, params: Params
) -> dict[int, dict[int, np.ndarray]]:
    """Add the ensemble's forecasts to every origin; return the weights used, by origin year.

    Weights are over every candidate in `models.ensemble`, zero for those left out.
    """
    members = list(params.models.ensemble)
    horizons = tuple(params.episodes.horizons)
    # Params validation guarantees every member is among the models the backtest ran.
    history = long_predictions(forecasts, episodes, horizons, models=members)
    resolved_on = resolution_dates(history, episodes)
    used: dict[int, dict[int, np.ndarray]] = {}
    for origin in sorted(forecasts, key=lambda f: f.split.year):
        known = history[known_at(history, resolved_on, origin.split)]
        weights = weights_from_predictions(known, members, horizons)
        origin.proba[ENSEMBLE_NAME] = mix_members(
            [origin.proba[m] for m in members], weights, horizons
        )
        used[origin.split.year] = weights
    return used
