"""Final models: every configured model fitted once on all labelled triggers.

The backtest says how good each model would have been; the final fit uses every label known at
the data's end, so the deployed champion has seen the most recent behaviour too. Every setting
the backtest chose inside its origins is chosen for the final models by the same rule on the
whole backtest's out-of-sample forecasts: the ensemble's members and weights, the Platt maps of
the recalibrated models (`<name>+recal`), and the timing models' collinearity limit (which the
backtest records, since it alone fitted every limit).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.core.config import Params
from forecast.models import registry
from forecast.models.common import align
from forecast.models.ensemble import ENSEMBLE_NAME, WeightedEnsemble, weights_from_predictions
from forecast.models.parallel_fit import fit_models
from forecast.models.recalibration import RecalibratedModel, platt_maps


def fit_final_models(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    backtest_predictions: pd.DataFrame | None = None,
    progress: bool = True,
    correlation_limits: Mapping[str, float] | None = None,
    n_jobs: int = 1,
) -> dict[str, object]:
    """Name -> fitted model for every model the backtest scores (same order).

    The ensemble and the recalibrated models need the backtest's predictions; without them they
    are left out. `correlation_limits` (model -> limit) overrides params' default limit.
    `n_jobs` models are fitted side by side.
    """
    features, episodes = align(features, episodes)
    limits = dict(correlation_limits or {})
    names = registry.model_names(params)
    models = [registry.build(name, params) for name in names]
    for name, model in zip(names, models, strict=True):
        if name in limits:
            model.correlation_limit = limits[name]
    jobs = [(model, features, episodes) for model in models]
    done = fit_models(jobs, n_jobs, progress="final models" if progress else None)
    fitted: dict[str, object] = dict(zip(names, done, strict=True))
    if backtest_predictions is None:
        return fitted
    horizons = tuple(params.episodes.horizons)
    members = list(params.models.ensemble)
    if members:
        weights = weights_from_predictions(backtest_predictions, members, horizons)
        fitted[ENSEMBLE_NAME] = WeightedEnsemble({m: fitted[m] for m in members}, weights, horizons)
    for name in [m for m in params.models.recalibrate if m in fitted]:
        maps = platt_maps(backtest_predictions, name, horizons)
        recalibrated = RecalibratedModel(fitted[name], maps, horizons)
        fitted[recalibrated.name] = recalibrated
    return fitted
