"""Recalibration: a Platt map on logit(p), learnt on a model's own out-of-sample forecasts.

A model can rank triggers well and still say 30 % where 40 % happen. A logistic regression of
the outcome on logit(p) (intercept and slope) bends its probabilities back without changing
their order. It is fitted only on forecasts the model made *out of sample* for triggers whose
outcome was known before the moment the map is used: earlier backtest origins inside the
backtest, the whole backtest for the final model (the same discipline as the ensemble's
weights), so the recalibrated forecasts that are scored are the ones a user would have got.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import pandas as pd

from forecast.models.common import FeatureMemory, check_horizons, expit, logit

RECALIBRATED_SUFFIX = "+recal"
# Below this many resolved out-of-sample forecasts (or without both outcomes) the map is the
# identity: a two-parameter fit on fewer cases moves probabilities on noise.
MIN_RECALIBRATION_ROWS = 200
_CLIP = 1e-6


def recalibrated_name(name: str) -> str:
    """`logit` -> `logit+recal`, the name the backtest, metrics and registry use."""
    return f"{name}{RECALIBRATED_SUFFIX}"


def base_name(name: str) -> str:
    """`logit+recal` -> `logit`; other names unchanged."""
    return name.removesuffix(RECALIBRATED_SUFFIX)


@dataclass(frozen=True)
class PlattMap:
    """p -> expit(intercept + slope * logit(p)); the identity is (0, 1)."""

    intercept: float = 0.0
    slope: float = 1.0
    n: int = 0

    def apply(self, p: np.ndarray) -> np.ndarray:
        clipped = np.clip(np.asarray(p, dtype=float), _CLIP, 1 - _CLIP)
        return expit(self.intercept + self.slope * logit(clipped))

    def as_dict(self) -> dict[str, float]:
        return {"intercept": self.intercept, "slope": self.slope, "n": self.n}


def fit_platt(p: np.ndarray, y: np.ndarray) -> PlattMap:
    """The maximum-likelihood map of `y` on logit(`p`), or the identity when it cannot be trusted.

    The identity is kept with fewer than MIN_RECALIBRATION_ROWS cases, with one outcome only,
    or when the fitted slope is not positive (a map that reverses the ranking is never right).
    Unpenalised Newton steps on two parameters: no solver options to tune.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(y) < MIN_RECALIBRATION_ROWS or not 0 < y.sum() < len(y):
        return PlattMap(n=len(y))
    x = logit(np.clip(p, _CLIP, 1 - _CLIP))
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([0.0, 1.0])
    for _ in range(50):
        mu = expit(design @ beta)
        gradient = design.T @ (y - mu)
        hessian = (design * (mu * (1 - mu))[:, None]).T @ design
        step = np.linalg.solve(hessian + 1e-9 * np.eye(2), gradient)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    if not np.all(np.isfinite(beta)) or beta[1] <= 0:
        return PlattMap(n=len(y))
    return PlattMap(float(beta[0]), float(beta[1]), len(y))


def platt_maps(
    predictions: pd.DataFrame, model: str, horizons: Sequence[int]
) -> dict[int, PlattMap]:
    """Per horizon, `model`'s map from a long table of out-of-sample forecasts.

    `predictions` has the backtest's columns `model, horizon, p, y`; rows with an unknown
    outcome are left out.
    """
    rows = predictions[(predictions["model"] == model) & predictions["y"].notna()]
    maps = {}
    for horizon in horizons:
        at = rows[rows["horizon"] == horizon]
        maps[horizon] = fit_platt(at["p"].to_numpy(float), at["y"].to_numpy(dtype=float))
    return maps


def recalibrate(
    proba: np.ndarray, maps: Mapping[int, PlattMap], horizons: Sequence[int]
) -> np.ndarray:
    """(n, horizons) probabilities through each horizon's map (columns in `horizons` order)."""
    return np.column_stack([maps[h].apply(proba[:, i]) for i, h in enumerate(horizons)])


class RecalibratedModel(FeatureMemory):
    """A fitted model whose probabilities (and bounds) pass through fixed Platt maps."""

    def __init__(
        self, model: object, maps: Mapping[int, PlattMap], horizons: Sequence[int]
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.model = model
        self.maps = dict(maps)
        self.name = recalibrated_name(getattr(model, "name", "model"))
        self._copy_features()

    def _copy_features(self) -> None:
        self.feature_names_ = list(self.model.feature_names_)
        self.reference_values_ = self.model.reference_values_

    def for_scoring(self) -> Self:
        copy = super().for_scoring()
        copy.model = self.model.for_scoring()
        return copy

    def map_table(self) -> dict[str, dict[str, float]]:
        """Intercept, slope and n by horizon, as written to metrics/train.json."""
        return {str(h): self.maps[h].as_dict() for h in self.horizons}

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        """Refit the model; the maps stay those learnt out of sample."""
        self.model.fit(features, episodes)
        self._copy_features()
        return self

    def _mapped(self, frame: pd.DataFrame) -> pd.DataFrame:
        values = recalibrate(frame[list(self.horizons)].to_numpy(), self.maps, self.horizons)
        return self._frame(values, frame.index, self.horizons)

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        return self._mapped(self.model.predict_proba(features))

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The model's bounds through the same increasing maps."""
        low, high = self.model.predict_interval(features, level)
        return self._mapped(low), self._mapped(high)
