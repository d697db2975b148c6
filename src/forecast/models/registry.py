"""Model names (as params.yaml spells them) to fresh, unfitted model objects.

The backtest, `forecast train` and the tests build models only through here, so a model's
settings come from params.yaml alone and every caller gets the same model for the same name.
"""

from __future__ import annotations

from collections.abc import Callable

from forecast.core.config import Params
from forecast.core.errors import ForecastError
from forecast.models.baselines import DyadPersistence, TrailingBaseRate
from forecast.models.cure import CureHazard
from forecast.models.logit import ClusteredLogit, severity_logit
from forecast.models.sklearn_models import CalibratedBoosting, SplineLogit
from forecast.models.timing import BoostedHazard, CoxTiming, HazardGLM, TimeVaryingHazard

Builder = Callable[[Params], object]


def _horizons(params: Params) -> tuple[int, ...]:
    return tuple(params.episodes.horizons)


def _limited(model: object, params: Params) -> object:
    """A timing model with params' default collinearity limit (the backtest may choose another)."""
    model.correlation_limit = params.models.correlation_limit_default
    return model


def _booster(params: Params) -> dict[str, float | int]:
    """Gradient boosting's settings (`models.hist_gb`), shared by hist_gb and hazard_gb.

    One place to tune boosting for this data: both boosters learn from the same features.
    """
    settings = params.models.hist_gb
    return {
        "max_iter": settings.max_iter,
        "learning_rate": settings.learning_rate,
        "max_leaf_nodes": settings.max_leaf_nodes,
        "min_samples_leaf": settings.min_samples_leaf,
        "l2_regularization": settings.l2_regularization,
    }


BUILDERS: dict[str, Builder] = {
    "base_rate": lambda p: TrailingBaseRate(_horizons(p), years=p.models.base_rate_years),
    "dyad_persistence": lambda p: DyadPersistence(_horizons(p)),
    "severity_logit": lambda p: severity_logit(_horizons(p)),
    "logit": lambda p: ClusteredLogit(_horizons(p)),
    "spline_logit": lambda p: SplineLogit(
        _horizons(p), n_knots=p.models.spline_logit.n_knots, C=p.models.spline_logit.C
    ),
    "hist_gb": lambda p: CalibratedBoosting(
        _horizons(p), calibration=p.models.hist_gb.calibration, seed=p.seed, **_booster(p)
    ),
    "hazard_glm": lambda p: _limited(HazardGLM(_horizons(p)), p),
    "cox": lambda p: _limited(CoxTiming(_horizons(p)), p),
    "hazard_glm_tv": lambda p: _limited(TimeVaryingHazard(_horizons(p)), p),
    "hazard_gb": lambda p: BoostedHazard(_horizons(p), seed=p.seed, **_booster(p)),
    "hazard_gb_cure": lambda p: CureHazard(_horizons(p), seed=p.seed, **_booster(p)),
}

TIMING_MODELS = frozenset({"hazard_glm", "cox", "hazard_glm_tv", "hazard_gb", "hazard_gb_cure"})
# Timing models that drop collinear features at a limit (the backtest may choose another).
COLLINEARITY_LIMITED = frozenset({"hazard_glm", "cox", "hazard_glm_tv"})
# Skill scores are measured against these, so the backtest always runs them.
REFERENCE_MODELS = ("base_rate", "dyad_persistence")


def build(name: str, params: Params) -> object:
    """A fresh model for `name`, configured from params."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        known = ", ".join(sorted(BUILDERS))
        raise ForecastError(
            f"params.yaml models: unknown model '{name}' (known models: {known})"
        ) from None
    return builder(params)


def model_names(params: Params) -> list[str]:
    """Every model the backtest runs: references first, then params' likelihood and timing lists.

    Timing models also forecast likelihood (1 - S(H)), so they are scored with the others.
    """
    names = [*REFERENCE_MODELS, *params.models.likelihood, *params.models.timing]
    return list(dict.fromkeys(names))


def is_timing(name: str) -> bool:
    """Whether the model gives a survival curve (and so enters metrics/timing.json)."""
    return name in TIMING_MODELS
