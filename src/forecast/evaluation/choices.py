"""Settings chosen inside each backtest origin, from what was known before it (nested design).

A setting picked by looking at the reported backtest years would flatter the scores reported
for them. So every setting below is chosen at origin O from the out-of-sample forecasts of
earlier origins whose outcome had resolved before O's cutoff (`forecasts.known_at`): those
forecasts are an inner validation on O's training window, and cost no extra fit.

- **Collinearity limit** of the timing models: each is fitted at every origin with every limit
  in `models.correlation_limits`; the limit whose earlier forecasts have the lowest Brier score
  at the champion horizon serves at O (`models.correlation_limit_default` until
  MIN_STACKING_ROWS of them exist).
- **Ensemble members**: among the non-empty subsets of the candidates in `models.ensemble`
  (a single model included, so "no ensemble" can win), the one whose stacked forecasts have
  the lowest leave-one-origin-out Brier score on the known forecasts; its weights are then
  fitted on all of them (forecast.evaluation.stacking).
- **Recalibration** maps of the models in `models.recalibrate` (forecast.models.recalibration).

The final models use the same rules on every backtest forecast (`final_choices`).
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
from forecast.models import registry
from forecast.models.common import monotone_in_horizon
from forecast.models.ensemble import MIN_STACKING_ROWS
from forecast.models.recalibration import platt_maps, recalibrate, recalibrated_name

LIMIT_SEPARATOR = "@"


def limit_variant(name: str, limit: float) -> str:
    """`hazard_glm` at 0.9 -> `hazard_glm@0.9`: a variant fitted beside the model."""
    return f"{name}{LIMIT_SEPARATOR}{limit:g}"


def limit_variants(params: Params) -> dict[str, tuple[str, float]]:
    """Variant name -> (timing model, limit) for every limit other than the default.

    The model under its own name is fitted at the default, so the grid costs one extra fit
    per other limit and timing model.
    """
    default = params.models.correlation_limit_default
    return {
        limit_variant(name, limit): (name, limit)
        for name in params.models.timing
        if name in registry.COLLINEARITY_LIMITED
        for limit in params.models.correlation_limits
        if limit != default
    }


def build_variant(name: str, params: Params, limit: float | None = None) -> object:
    """The model `name` from params, at collinearity limit `limit` when given."""
    model = registry.build(name, params)
    if limit is not None:
        model.correlation_limit = limit
    return model


def _brier_at(history: pd.DataFrame, model: str, horizon: int) -> tuple[float, int]:
    rows = history[(history["model"] == model) & (history["horizon"] == horizon)]
    rows = rows[rows["y"].notna()]
    if rows.empty:
        return float("inf"), 0
    error = rows["p"].to_numpy(float) - rows["y"].to_numpy(dtype=float)
    return float(np.mean(error**2)), len(rows)


def choose_limit(history: pd.DataFrame, name: str, params: Params) -> float:
    """The limit whose forecasts in `history` have the lowest Brier score (see module doc)."""
    default = params.models.correlation_limit_default
    horizon = params.train.champion_horizon
    scores = {}
    for limit in params.models.correlation_limits:
        variant = name if limit == default else limit_variant(name, limit)
        brier, n = _brier_at(history, variant, horizon)
        if n < MIN_STACKING_ROWS:
            return default
        scores[limit] = brier
    # Ties go to the default, then to the lower limit (fewer columns).
    return min(sorted(scores), key=lambda limit: (scores[limit], limit != default))


def apply_limits(
    forecasts: list[OriginForecasts], episodes: pd.DataFrame, params: Params
) -> tuple[dict[int, dict[str, float]], dict[str, float]]:
    """At every origin, serve each timing model at its chosen limit; drop the variants.

    Returns the chosen limit by origin year and model, and the final models' limits, chosen
    by the same rule on every backtest forecast with a known outcome.
    """
    variants = limit_variants(params)
    default = params.models.correlation_limit_default
    if not variants or not forecasts:
        return {}, {name: default for name in params.models.timing}
    horizons = tuple(params.episodes.horizons)
    models = [*params.models.timing, *variants]
    history = long_predictions(forecasts, episodes, horizons, models=models)
    resolved_on = resolution_dates(history, episodes)
    chosen: dict[int, dict[str, float]] = {}
    final = {name: choose_limit(history, name, params) for name in params.models.timing}
    for origin in forecasts:
        known = history[known_at(history, resolved_on, origin.split)]
        chosen[origin.split.year] = {}
        for name in params.models.timing:
            limit = choose_limit(known, name, params)
            chosen[origin.split.year][name] = limit
            if limit != default:
                variant = limit_variant(name, limit)
                origin.proba[name] = origin.proba[variant]
                origin.survival[name] = origin.survival[variant]
    for origin in forecasts:
        for variant in variants:
            origin.proba.pop(variant, None)
            origin.survival.pop(variant, None)
    return chosen, final


# Recalibration -----------------------------------------------------------------------------


def add_recalibrated(
    forecasts: list[OriginForecasts], episodes: pd.DataFrame, params: Params, names: list[str]
) -> tuple[list[str], dict[int, dict[str, dict]]]:
    """Add `<name>+recal` forecasts at every origin, maps fitted on resolved earlier forecasts.

    Returns the names added and the maps used, by origin year, model and horizon.
    """
    horizons = tuple(params.episodes.horizons)
    models = [m for m in params.models.recalibrate if m in names]
    if not models or not forecasts:
        return [], {}
    history = long_predictions(forecasts, episodes, horizons, models=models)
    resolved_on = resolution_dates(history, episodes)
    used: dict[int, dict[str, dict]] = {}
    for origin in forecasts:
        known = history[known_at(history, resolved_on, origin.split)]
        used[origin.split.year] = {}
        for name in models:
            maps = platt_maps(known, name, horizons)
            mapped = recalibrate(origin.proba[name], maps, horizons)
            origin.proba[recalibrated_name(name)] = monotone_in_horizon(mapped, horizons)
            used[origin.split.year][name] = {str(h): maps[h].as_dict() for h in horizons}
    return [recalibrated_name(m) for m in models], used
