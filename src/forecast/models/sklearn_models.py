"""scikit-learn likelihood models: gradient boosting calibrated forward in time, spline logit.

Gradient boosting ranks well but its raw scores drift in calibration, and a calibrator fitted on
the same years it learned from would hide that. So each horizon's boosting model is fitted on the
earlier part of the training window and calibrated on the later part only: the calibration data
always lie after what the model saw, as the next test year will.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Self

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from forecast.core.errors import ForecastError
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    counted_interval,
    labels,
    numeric_feature_names,
)
from forecast.models.symmetric_hessian import symmetric_hessian

# Continuous features get a spline; flags and small counts enter linearly.
MIN_DISTINCT_FOR_SPLINE = 10
# Boosting's OpenMP threads thrash on a busy two-core machine (tens of times slower); the
# backtest parallelises over origins instead, so each fit runs on one thread.
BOOSTING_THREADS = 1
_EPS = 1e-6


class _Calibrator:
    """Maps raw scores to probabilities: isotonic (monotone steps) or sigmoid (Platt)."""

    def __init__(self, method: Literal["isotonic", "sigmoid"]) -> None:
        self.method = method

    def fit(self, scores: np.ndarray, retaliated: np.ndarray) -> Self:
        if self.method == "isotonic":
            self.model_ = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip")
            self.model_.fit(scores, retaliated)
        else:
            self.model_ = LogisticRegression(C=1e6).fit(_logit(scores)[:, None], retaliated)
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "isotonic":
            return self.model_.predict(scores)
        return self.model_.predict_proba(_logit(scores)[:, None])[:, 1]


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    return np.log(clipped / (1 - clipped))


class CalibratedBoosting(FeatureMemory):
    """HistGradientBoosting per horizon, calibrated on the latest part of the training window."""

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "hist_gb",
        calibration: Literal["isotonic", "sigmoid"] = "isotonic",
        calibration_share: float = 0.25,
        seed: int = 0,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.calibration = calibration
        self.calibration_share = calibration_share
        self.seed = seed
        self.booster_params = {
            "max_iter": max_iter,
            "learning_rate": learning_rate,
            "max_leaf_nodes": max_leaf_nodes,
            "min_samples_leaf": min_samples_leaf,
            "l2_regularization": l2_regularization,
        }

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        features, episodes = align(features, episodes)
        self._remember(features, numeric_feature_names(features))
        matrix = self._matrix(features)
        dates = pd.to_datetime(episodes["date"]).to_numpy()
        self.boosters_: dict[int, HistGradientBoostingClassifier] = {}
        self.calibrators_: dict[int, _Calibrator] = {}
        self.calibration_counts_: dict[int, int] = {}
        for horizon in self.horizons:
            known, retaliated = labels(episodes, horizon)
            rows = np.flatnonzero(known)
            rows = rows[np.argsort(dates[rows], kind="stable")]
            ordered_dates = dates[rows]
            cut = max(round(len(rows) * (1 - self.calibration_share)), 1)
            # Calibration rows are strictly later in time than every fitting row.
            cut = int(np.searchsorted(ordered_dates, ordered_dates[cut - 1], side="right"))
            fit_rows, calibration_rows = rows[:cut], rows[cut:]
            if len(calibration_rows) < 20 or len(np.unique(retaliated[fit_rows])) < 2:
                raise ForecastError(
                    f"'{self.name}' needs more labelled triggers at {horizon} days to fit and "
                    f"calibrate forward in time (have {len(rows)})"
                )
            booster = HistGradientBoostingClassifier(
                **self.booster_params, early_stopping=False, random_state=self.seed
            )
            with threadpool_limits(BOOSTING_THREADS):
                booster.fit(matrix[fit_rows], retaliated[fit_rows])
                scores = booster.predict_proba(matrix[calibration_rows])[:, 1]
            self.boosters_[horizon] = booster
            self.calibrators_[horizon] = _Calibrator(self.calibration).fit(
                scores, retaliated[calibration_rows]
            )
            self.calibration_counts_[horizon] = len(calibration_rows)
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        matrix = self._matrix(features)
        with threadpool_limits(BOOSTING_THREADS):
            values = np.column_stack(
                [
                    self.calibrators_[h].transform(self.boosters_[h].predict_proba(matrix)[:, 1])
                    for h in self.horizons
                ]
            )
        return self._frame(values, features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """A band from the calibration sample size: the calibrator is the weakest link."""
        # Isotonic steps pool roughly tens of cases each; a tenth of the sample is a fair n.
        effective = {h: n / 10 for h, n in self.calibration_counts_.items()}
        return counted_interval(self.predict_proba(features), effective, level)


class SplineLogit(FeatureMemory):
    """L2-regularised logistic regression with cubic splines on continuous features."""

    def __init__(
        self, horizons: Sequence[int], name: str = "spline_logit", n_knots: int = 5, C: float = 1.0
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.n_knots = n_knots
        self.C = C

    def _pipeline(self, features: pd.DataFrame) -> Pipeline:
        distinct = features[self.feature_names_].nunique()
        curved = [n for n in self.feature_names_ if distinct[n] >= MIN_DISTINCT_FOR_SPLINE]
        straight = [n for n in self.feature_names_ if n not in curved]
        index = {n: i for i, n in enumerate(self.feature_names_)}
        columns = ColumnTransformer(
            [
                (
                    "spline",
                    SplineTransformer(n_knots=self.n_knots, degree=3, knots="quantile"),
                    [index[n] for n in curved],
                ),
                ("linear", "passthrough", [index[n] for n in straight]),
            ]
        )
        return Pipeline(
            [
                ("columns", columns),
                ("scale", StandardScaler()),
                ("logit", LogisticRegression(C=self.C, max_iter=2000, solver="newton-cholesky")),
            ]
        )

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        features, episodes = align(features, episodes)
        self._remember(features, numeric_feature_names(features))
        matrix = self._matrix(features)
        self.pipelines_: dict[int, Pipeline] = {}
        self.counts_: dict[int, int] = {}
        for horizon in self.horizons:
            known, retaliated = labels(episodes, horizon)
            pipeline = self._pipeline(features.loc[known])
            with symmetric_hessian():
                self.pipelines_[horizon] = pipeline.fit(matrix[known], retaliated[known])
            self.counts_[horizon] = int(known.sum())
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        matrix = self._matrix(features)
        values = np.column_stack(
            [self.pipelines_[h].predict_proba(matrix)[:, 1] for h in self.horizons]
        )
        return self._frame(values, features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        effective = {h: n / 20 for h, n in self.counts_.items()}
        return counted_interval(self.predict_proba(features), effective, level)
