"""Final models: every configured model fitted once on all labelled triggers.

The backtest says how good each model would have been; the final fit uses every label known at
the data's end, so the deployed champion has seen the most recent behaviour too. The ensemble
mixes the final members with weights learnt on the whole backtest's out-of-sample forecasts.
"""

from __future__ import annotations

import pandas as pd
from tqdm.auto import tqdm

from forecast.config import Params
from forecast.models import registry
from forecast.models.common import align
from forecast.models.ensemble import ENSEMBLE_NAME, WeightedEnsemble, weights_from_predictions


def fit_final_models(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    backtest_predictions: pd.DataFrame | None = None,
    progress: bool = True,
) -> dict[str, object]:
    """Name -> fitted model for every model the backtest scores (same order).

    The ensemble needs the backtest's predictions for its weights; without them it is left out.
    """
    features, episodes = align(features, episodes)
    fitted: dict[str, object] = {}
    for name in tqdm(registry.model_names(params), desc="final models", disable=not progress):
        fitted[name] = registry.build(name, params).fit(features, episodes)
    members = list(params.models.ensemble)
    if members and backtest_predictions is not None:
        horizons = tuple(params.episodes.horizons)
        weights = weights_from_predictions(backtest_predictions, members, horizons)
        fitted[ENSEMBLE_NAME] = WeightedEnsemble({m: fitted[m] for m in members}, weights, horizons)
    return fitted
