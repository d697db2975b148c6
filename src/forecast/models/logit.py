"""The interpretable likelihood model: a statsmodels Logit per horizon, clustered by dyad.

Triggers within one dyad are not independent (a tit-for-tat exchange produces many of them), so
standard errors are clustered on the undirected dyad; the odds ratios the brief quotes carry
those honest intervals. The severity-only logit is the same model restricted to the trigger's
own attributes, a baseline for "how much does history add?".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from forecast.core.errors import ForecastError
from forecast.features.registry import TRIGGER_SEVERITY, FeatureSelection
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    dyad_groups,
    expit,
    labels,
    normal_quantile,
    numeric_feature_names,
)

# The trigger's own attributes: how hard the blow was, not who struck whom before.
SEVERITY = FeatureSelection(families=(TRIGGER_SEVERITY,))


def independent_columns(matrix: np.ndarray, names: Sequence[str]) -> list[str]:
    """Drop constant and linearly dependent columns (pivoted QR), keeping the earlier ones.

    A rolling origin can leave a flag all zero in an early window; keeping it would make the
    information matrix singular and the standard errors meaningless.
    """
    from scipy import linalg

    finite = np.isfinite(matrix).all(axis=0)
    safe = np.where(finite, matrix, 0.0)
    spread = safe.std(axis=0)
    # Relative tolerance: a day count near 36,500 that barely moves is constant in practice.
    kept = np.flatnonzero(finite & (spread > 1e-9 * (np.abs(safe.mean(axis=0)) + 1)))
    if kept.size == 0:
        return []
    centred = safe[:, kept] - safe[:, kept].mean(axis=0)
    # Column dependence of X is that of its small triangular factor: pivot on that instead.
    triangle = np.linalg.qr(centred / centred.std(axis=0), mode="r")
    _, r, pivot = linalg.qr(triangle, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(r))
    rank = int((diagonal > diagonal[0] * 1e-8).sum()) if diagonal.size else 0
    chosen = sorted(kept[pivot[:rank]])
    return [names[i] for i in chosen]


class ClusteredLogit(FeatureMemory):
    """One `statsmodels` Logit per horizon with dyad-clustered (sandwich) standard errors.

    Scoring reads each horizon's coefficients and clustered covariance as plain arrays
    (`coefficients_`); the statsmodels results (`results_`) serve the odds ratios. A
    `selection` fits it on the features of some meanings only (the severity logit, the
    record-age logits without recent context), chosen by the feature registry.
    """

    _fit_only = ("results_",)

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "logit",
        selection: FeatureSelection | None = None,
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.selection = selection

    def _candidate_columns(self, features: pd.DataFrame) -> list[str]:
        names = numeric_feature_names(features)
        if self.selection is None:
            return names
        chosen = self.selection.of(names)
        if not chosen:
            raise ForecastError(
                f"model '{self.name}' found no {self.selection} among the feature columns "
                "that vary enough to learn from"
            )
        return chosen

    def _design_inputs(
        self, features: pd.DataFrame, episodes: pd.DataFrame
    ) -> tuple[pd.DataFrame, list[str], np.ndarray, np.ndarray]:
        """Aligned episodes, the candidate columns (remembered), their matrix, dyad clusters."""
        features, episodes = align(features, episodes)
        candidates = self._candidate_columns(features)
        self._remember(features, candidates)
        return episodes, candidates, self._matrix(features), dyad_groups(episodes)

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        # statsmodels is imported here, not with the module: scoring needs only numpy.
        import statsmodels.api as sm

        episodes, candidates, matrix, groups = self._design_inputs(features, episodes)
        self.results_: dict[int, object] = {}
        self.columns_: dict[int, list[str]] = {}
        self.coefficients_: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for horizon in self.horizons:
            known, retaliated = labels(episodes, horizon)
            columns = independent_columns(matrix[known], candidates)
            index = [candidates.index(c) for c in columns]
            design = sm.add_constant(matrix[known][:, index], has_constant="add")
            with warnings.catch_warnings():
                # Rare separation in a small early window is expected; the fit still ranks.
                warnings.simplefilter("ignore")
                result = sm.Logit(retaliated[known].astype(float), design).fit(
                    disp=0,
                    method="newton",
                    # Newton converges in under ten steps unless a rare flag separates the
                    # classes; then more steps only push that one coefficient outward.
                    maxiter=35,
                    cov_type="cluster",
                    cov_kwds={"groups": groups[known]},
                )
            self.results_[horizon] = result
            self.columns_[horizon] = columns
            self.coefficients_[horizon] = (
                np.asarray(result.params),
                np.asarray(result.cov_params()),
            )
        return self

    def _coefficients(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """One horizon's (coefficients, clustered covariance), the constant first."""
        kept = self.__dict__.get("coefficients_")
        if kept is not None:
            return kept[horizon]
        # A model pickled before the arrays were kept separately.
        result = self.results_[horizon]
        return np.asarray(result.params), np.asarray(result.cov_params())

    def for_scoring(self) -> Self:
        copy = super().for_scoring()
        copy.coefficients_ = {h: self._coefficients(h) for h in self.horizons}
        return copy

    def _designs(self, features: pd.DataFrame) -> dict[int, np.ndarray]:
        """Each horizon's design matrix (a constant, then its columns) from one feature matrix.

        The same matrix `sm.add_constant(..., has_constant="add")` builds in `fit`, made with
        numpy so that scoring needs neither statsmodels' checks nor a matrix per horizon.
        """
        matrix = self._matrix(features)
        ones = np.ones((len(matrix), 1))
        return {
            horizon: np.hstack(
                [ones, matrix[:, [self.feature_names_.index(c) for c in self.columns_[horizon]]]]
            )
            for horizon in self.horizons
        }

    def linear_predictor(self, features: pd.DataFrame, horizon: int) -> np.ndarray:
        """log-odds of retaliation within `horizon` days."""
        return self._designs(features)[horizon] @ self._coefficients(horizon)[0]

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        designs = self._designs(features)
        values = np.column_stack(
            [expit(designs[h] @ self._coefficients(h)[0]) for h in self.horizons]
        )
        return self._frame(values, features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Delta-method band on the log-odds scale with the clustered covariance."""
        z = normal_quantile(level)
        designs = self._designs(features)
        lows, highs = [], []
        for horizon in self.horizons:
            design = designs[horizon]
            coefficients, covariance = self._coefficients(horizon)
            eta = design @ coefficients
            variance = np.einsum("ij,jk,ik->i", design, covariance, design)
            # A fit pushed against separation can leave a covariance that is not quite positive.
            se = np.sqrt(np.maximum(variance, 0.0))
            lows.append(expit(eta - z * se))
            highs.append(expit(eta + z * se))
        return (
            self._frame(np.column_stack(lows), features.index, self.horizons),
            self._frame(np.column_stack(highs), features.index, self.horizons),
        )

    def odds_ratios(self, horizon: int, level: float = 0.9) -> pd.DataFrame:
        """Odds ratio per feature unit with its clustered interval and p-value, for the brief."""
        if "results_" not in self.__dict__:
            raise ForecastError(
                f"'{self.name}' was kept for scoring only; its odds ratios need the fitted "
                "model (forecast.tracking.runs.load_champion)"
            )
        result = self.results_[horizon]
        names = ["const", *self.columns_[horizon]]
        bounds = np.asarray(result.conf_int(alpha=1 - level))
        return (
            pd.DataFrame(
                {
                    "feature": names,
                    "coef": np.asarray(result.params),
                    "odds_ratio": np.exp(np.asarray(result.params)),
                    "low": np.exp(bounds[:, 0]),
                    "high": np.exp(bounds[:, 1]),
                    "p_value": np.asarray(result.pvalues),
                }
            )
            .iloc[1:]
            .reset_index(drop=True)
        )


def severity_logit(horizons: Sequence[int]) -> ClusteredLogit:
    """The trigger's severity alone: hostility, war battle, action and fatalities."""
    return ClusteredLogit(horizons, name="severity_logit", selection=SEVERITY)
