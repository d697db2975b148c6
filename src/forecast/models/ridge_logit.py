"""A lightly penalised logit: the clustered logit's scoring, fitted by scikit-learn.

The record-age band models are fitted many times in the backtest by record age (every origin,
every age, with and without context). With a record cut years early, rare history flags
separate the classes and the unpenalised Newton fit of `ClusteredLogit` walks out along them
for dozens of steps. A small L2 penalty on standardised columns (scikit-learn's
Newton-Cholesky solver) converges in a few steps and leaves common effects as they were. Its
coefficients and a dyad-clustered sandwich covariance are stored exactly as `ClusteredLogit`
stores its own, so scoring, intervals and scoring copies are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from forecast.features.registry import FeatureSelection
from forecast.models.common import expit, labels
from forecast.models.logit import ClusteredLogit

# Inverse penalty strength on standardised columns: about the weight of one extra
# observation per coefficient, against thousands of labelled triggers.
DEFAULT_C = 1.0


class RidgeLogit(ClusteredLogit):
    """One L2-penalised logit per horizon with a dyad-clustered sandwich covariance."""

    _fit_only = ()

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "ridge_logit",
        selection: FeatureSelection | None = None,
        C: float = DEFAULT_C,
        with_covariance: bool = True,
    ) -> None:
        super().__init__(horizons, name=name, selection=selection)
        self.C = C
        # The backtest scores point forecasts only and skips the sandwich; forecasts need it.
        self.with_covariance = with_covariance

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        from sklearn.linear_model import LogisticRegression

        episodes, candidates, matrix, groups = self._design_inputs(features, episodes)
        self.columns_ = {}
        self.coefficients_ = {}
        for horizon in self.horizons:
            known, retaliated = labels(episodes, horizon)
            x, y = matrix[known], retaliated[known].astype(float)
            spread = x.std(axis=0)
            kept = np.flatnonzero(spread > 1e-9 * (np.abs(x.mean(axis=0)) + 1))
            centre, scale = x[:, kept].mean(axis=0), spread[kept]
            standard = (x[:, kept] - centre) / scale
            solver = LogisticRegression(C=self.C, solver="newton-cholesky", max_iter=200, tol=1e-8)
            solver.fit(standard, y)
            weights = np.concatenate([solver.intercept_, solver.coef_[0]])
            covariance = (
                self._sandwich(standard, y, weights, groups[known])
                if self.with_covariance
                else np.full((len(weights), len(weights)), np.nan)
            )
            # Back to the raw columns: b_j / s_j, and the intercept absorbs the centring.
            transform = np.zeros((len(kept) + 1, len(kept) + 1))
            transform[0, 0] = 1.0
            transform[0, 1:] = -centre / scale
            transform[1:, 1:] = np.diag(1.0 / scale)
            self.columns_[horizon] = [candidates[i] for i in kept]
            self.coefficients_[horizon] = (
                transform @ weights,
                transform @ covariance @ transform.T,
            )
        return self

    def _sandwich(
        self, standard: np.ndarray, y: np.ndarray, weights: np.ndarray, groups: np.ndarray
    ) -> np.ndarray:
        """Penalised information inverse around the dyad-clustered score outer products."""
        design = np.hstack([np.ones((len(standard), 1)), standard])
        p = expit(design @ weights)
        information = design.T @ (design * (p * (1 - p))[:, None])
        information[1:, 1:] += np.eye(standard.shape[1]) / self.C
        bread = np.linalg.pinv(information)
        _, cluster = np.unique(groups, return_inverse=True)
        contributions = design * (y - p)[:, None]
        # Per dyad, the sum of its triggers' score contributions (one bincount per column).
        scores = np.column_stack(
            [np.bincount(cluster, weights=column) for column in contributions.T]
        )
        return bread @ (scores.T @ scores) @ bread

    def odds_ratios(self, horizon: int, level: float = 0.9) -> pd.DataFrame:
        """Odds ratio per feature unit with its sandwich interval (no p-values kept)."""
        from forecast.models.common import normal_quantile

        coefficients, covariance = self._coefficients(horizon)
        se = np.sqrt(np.maximum(np.diag(covariance), 0.0))
        z = normal_quantile(level)
        return pd.DataFrame(
            {
                "feature": self.columns_[horizon],
                "coef": coefficients[1:],
                "odds_ratio": np.exp(coefficients[1:]),
                "low": np.exp(coefficients[1:] - z * se[1:]),
                "high": np.exp(coefficients[1:] + z * se[1:]),
            }
        )
