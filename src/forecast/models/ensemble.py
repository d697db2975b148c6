"""The ensemble: a weighted mix of member models' probabilities, weights learnt forward in time.

Members err differently (the logit extrapolates smoothly, boosting bends to interactions, the
hazard model ties the horizons together), so a mix can beat each of them. The weights are the
non-negative mix, summing to one per horizon, with the lowest Brier score on forecasts the
members made *out of sample* for triggers whose outcome was known before the moment the weights
are used: earlier backtest origins during the backtest, the whole backtest for the final model.
They are never chosen on the year being forecast. The same forecasts choose the members: the
subset of candidates (one model alone included, so "no ensemble" can win) whose stack has the
lowest Brier score on origins left out of its weights' fit.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np
import pandas as pd

from forecast.core.errors import ForecastError
from forecast.models.common import FeatureMemory, check_horizons, monotone_in_horizon

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
    # scipy.optimize loads here, where weights are learnt: a forecast mixes fixed weights, and
    # importing it (with scipy.sparse and scipy.linalg) would add to every `forecast predict`.
    from scipy.optimize import nnls

    n_members = proba.shape[1]
    if len(retaliated) < MIN_STACKING_ROWS:
        return np.full(n_members, 1.0 / n_members)
    design = np.vstack([proba, np.full(n_members, _SUM_PENALTY)])
    target = np.r_[np.asarray(retaliated, dtype=float), _SUM_PENALTY]
    weights, _ = nnls(design, target)
    total = weights.sum()
    return weights / total if total > 0 else np.full(n_members, 1.0 / n_members)


def _fold_weights(gram: np.ndarray, cross: np.ndarray, n_rows: int) -> np.ndarray:
    """stacking_weights from the normal equations (X'X, X'y) of the rows it would see."""
    from scipy.optimize import nnls

    size = len(cross)
    if n_rows < MIN_STACKING_ROWS:
        return np.full(size, 1.0 / size)
    penalty = _SUM_PENALTY**2
    lhs = gram + penalty * np.ones((size, size))
    rhs = cross + penalty
    upper = np.linalg.cholesky(lhs + 1e-12 * np.eye(size)).T
    weights, _ = nnls(upper, np.linalg.solve(upper.T, rhs))
    total = weights.sum()
    return weights / total if total > 0 else np.full(size, 1.0 / size)


def choose_members(
    proba: np.ndarray, outcome: np.ndarray, folds: np.ndarray, candidates: Sequence[str]
) -> list[str]:
    """The candidate subset with the lowest leave-one-fold-out Brier score of its stack.

    `proba` is (n, candidates) out-of-sample forecasts, `folds` the origin of each row. Below
    MIN_STACKING_ROWS rows, or with a single fold, every candidate is kept (the equal mix).
    Ties go to the smaller subset, then to the candidates' order.
    """
    names = list(candidates)
    labels_of, codes = np.unique(folds, return_inverse=True)
    if len(outcome) < MIN_STACKING_ROWS or len(labels_of) < 2:
        return names
    grams = np.stack([proba[codes == k].T @ proba[codes == k] for k in range(len(labels_of))])
    crosses = np.stack([proba[codes == k].T @ outcome[codes == k] for k in range(len(labels_of))])
    squares = np.array([outcome[codes == k] @ outcome[codes == k] for k in range(len(labels_of))])
    counts = np.bincount(codes)
    best: tuple[float, int, tuple[int, ...]] | None = None
    for size in range(1, len(names) + 1):
        for subset in itertools.combinations(range(len(names)), size):
            index = np.array(subset)
            loss = 0.0
            for k in range(len(labels_of)):
                gram = (grams.sum(axis=0) - grams[k])[np.ix_(index, index)]
                cross = (crosses.sum(axis=0) - crosses[k])[index]
                w = _fold_weights(gram, cross, len(outcome) - counts[k])
                held = grams[k][np.ix_(index, index)]
                loss += w @ held @ w - 2 * w @ crosses[k][index] + squares[k]
            key = (round(float(loss / len(outcome)), 12), size, subset)
            if best is None or key < best:
                best = key
    return [names[i] for i in best[2]]


def weights_from_predictions(
    predictions: pd.DataFrame, candidates: Sequence[str], horizons: Sequence[int]
) -> dict[int, np.ndarray]:
    """Per horizon, weights over all candidates (zero for those left out), from a long table.

    `predictions` has the backtest's columns `episode_id, origin, model, horizon, p, y`; only
    triggers with a known outcome and a forecast from every candidate are used. Members are
    chosen by `choose_members` with the origins as folds (without an `origin` column, every
    candidate is kept).
    """
    names = list(candidates)
    weights: dict[int, np.ndarray] = {}
    for horizon in horizons:
        rows = predictions[
            (predictions["horizon"] == horizon)
            & predictions["model"].isin(names)
            & predictions["y"].notna()
        ]
        wide = rows.pivot_table(index="episode_id", columns="model", values="p", aggfunc="first")
        wide = wide.reindex(columns=names).dropna()
        if "origin" not in rows.columns:
            rows = rows.assign(origin=0)
        first = rows.groupby("episode_id", sort=True)[["y", "origin"]].first().reindex(wide.index)
        outcome = first["y"].to_numpy(dtype=float)
        matrix = wide.to_numpy()
        members = choose_members(matrix, outcome, first["origin"].to_numpy(), names)
        index = [names.index(m) for m in members]
        full = np.zeros(len(names))
        full[index] = stacking_weights(matrix[:, index], outcome)
        weights[horizon] = full
    return weights


def mix_members(
    member_proba: Sequence[np.ndarray], weights: Mapping[int, np.ndarray], horizons: Sequence[int]
) -> np.ndarray:
    """The members' (n, horizons) probabilities mixed with each horizon's weights.

    Columns follow `horizons`; member order is the weights' order. The mix is made monotone in
    the horizon like every model's forecast. The backtest's ensemble (forecast.evaluation.
    stacking) and the fitted `WeightedEnsemble` both mix here, so the numbers the backtest
    scores are the ones a forecast gives.
    """
    mixed = np.column_stack(
        [
            np.column_stack([proba[:, column] for proba in member_proba]) @ weights[horizon]
            for column, horizon in enumerate(horizons)
        ]
    )
    return monotone_in_horizon(mixed, horizons)


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
        horizons = list(self.horizons)
        values = mix_members(
            [frame[horizons].to_numpy() for frame in frames], self.weights, self.horizons
        )
        return pd.DataFrame(values, index=index, columns=horizons)

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
