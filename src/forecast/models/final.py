"""Final models: every configured model fitted once on all labelled triggers.

The backtest says how good each model would have been; the final fit uses every label known at
the data's end, so the deployed champion has seen the most recent behaviour too.
"""

from __future__ import annotations

import pandas as pd
from tqdm.auto import tqdm

from forecast.config import Params
from forecast.models import registry
from forecast.models.common import align


def fit_final_models(
    episodes: pd.DataFrame, features: pd.DataFrame, params: Params, progress: bool = True
) -> dict[str, object]:
    """Name -> fitted model for every model the backtest runs (same order)."""
    features, episodes = align(features, episodes)
    fitted: dict[str, object] = {}
    for name in tqdm(registry.model_names(params), desc="final models", disable=not progress):
        fitted[name] = registry.build(name, params).fit(features, episodes)
    return fitted
