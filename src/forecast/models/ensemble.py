"""The ensemble: a weighted mix of member models' probabilities, weights learnt forward in time.

Members err differently (the logit extrapolates smoothly, boosting bends to interactions, the
hazard model ties the horizons together), so a mix can beat each of them. The weights are the
non-negative mix, summing to one per horizon, with the lowest Brier score on forecasts the
members made *out of sample* for triggers whose outcome was known before the moment the weights
are used: earlier backtest origins during the backtest, the whole backtest for the final model.
They are never chosen on the year being forecast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from forecast.errors import ForecastError
from forecast.models.common import FeatureMemory, check_horizons

ENSEMBLE_NAME = "ensemble"
# Below this many resolved out-of-sample forecasts the members are mixed equally.
MIN_STACKING_ROWS = 200
# Weight of the extra least-squares row that holds the weights' sum at one.
_SUM_PENALTY = 1e3


def stacking_weights(proba: np.ndarray, retaliated: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to one that minimise the Brier score of `proba @ w`.

    Solved as non-negative least squares with one heavily weighted row of ones, which holds
    the sum at one without a general constrained optimiser.
    """
    n_members = proba.shape[1]
    if len(retaliated) < MIN_STACKING_ROWS:
        return np.full(n_members, 1.0 / n_members)
    design = np.vstack([proba, np.full(n_members, _SUM_PENALTY)])
    target = np.r_[np.asarray(retaliated, dtype=float), _SUM_PENALTY]
    weights, _ = nnls(design, target)
    total = weights.sum()
    return weights / total if total > 0 else np.full(n_members, 1.0 / n_members)


def weights_from_predictions(
    predictions: pd.DataFrame, members: Sequence[str], horizons: Sequence[int]
) -> dict[int, np.ndarray]:
    """Per horizon, stacking weights from a long table of out-of-sample forecasts.

    `predictions` has the backtest's columns `episode_id, model, horizon, p, y`; only triggers
    with a known outcome and a forecast from every member are used.
    """
    weights: dict[int, np.ndarray] = {}
    for horizon in horizons:
        rows = predictions[
            (predictions["horizon"] == horizon) & predictions["model"].isin(list(members))
        ]
        wide = rows.pivot_table(index="episode_id", columns="model", values="p", aggfunc="first")
        outcome = rows.groupby("episode_id", sort=True)["y"].first()
        wide = wide.reindex(columns=list(members)).dropna()
        outcome = outcome.reindex(wide.index)
        known = outcome.notna().to_numpy()
        weights[horizon] = stacking_weights(
            wide.to_numpy()[known], outcome.to_numpy(dtype=float, na_value=np.nan)[known]
        )
    return weights


class WeightedEnsemble(FeatureMemory):
    """Fitted member models mixed with fixed per-horizon weights (see module docstring)."""

    def __init__(
        self,
        members: Mapping[str, object],
        weights: Mapping[int, np.ndarray],
        horizons: Sequence[int],
        name: str = ENSEMBLE_NAME,
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.members = dict(members)
        missing = [h for h in self.horizons if h not in weights]
        if missing or not self.members:
            raise ForecastError(
                f"ensemble needs members and weights for every horizon (missing: {missing})"
            )
        self.weights = {h: np.asarray(weights[h], dtype=float) for h in self.horizons}
        self._collect_features()

    def for_scoring(self) -> Self:
        """A copy whose members are their own scoring copies, for the champion bundle."""
        copy = super().for_scoring()
        copy.members = {name: member.for_scoring() for name, member in self.members.items()}
        return copy

    def weight_table(self) -> dict[str, dict[str, float]]:
        """Weights by horizon and member, as written to metrics/train.json."""
        return {
            str(h): dict(zip(self.members, map(float, self.weights[h]), strict=True))
            for h in self.horizons
        }

    def _collect_features(self) -> None:
        """The union of the members' features, so drivers and input checks see all of them."""
        references = [pd.Series(m.reference_values_) for m in self.members.values()]
        combined = pd.concat(references)
        combined = combined[~combined.index.duplicated(keep="first")]
        self.feature_names_ = list(combined.index)
        self.reference_values_ = combined.astype("float64")

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        """Refit every member on new data; the weights stay those learnt out of sample."""
        for member in self.members.values():
            member.fit(features, episodes)
        self._collect_features()
        return self

    def _mix(self, frames: list[pd.DataFrame], index: pd.Index) -> pd.DataFrame:
        values = np.column_stack(
            [
                np.column_stack([frame[h].to_numpy() for frame in frames]) @ self.weights[h]
                for h in self.horizons
            ]
        )
        return self._frame(values, index, self.horizons)

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        frames = [m.predict_proba(features) for m in self.members.values()]
        return self._mix(frames, features.index)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The members' bounds mixed with the same weights: a band as wide as theirs on average."""
        bounds = [m.predict_interval(features, level) for m in self.members.values()]
        return (
            self._mix([low for low, _ in bounds], features.index),
            self._mix([high for _, high in bounds], features.index),
        )
