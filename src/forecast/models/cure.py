"""A mixture cure timing model: a share of triggers is never answered, the rest in their time.

Most uses of force are never answered within a year (about a third of MIE's limited uses of
force are); a hazard model must learn that from a hazard that stays low for a year. A cure
model splits the question: a boosted classifier gives pi(x), the chance of any answer within the
last horizon, and a boosted hazard fitted on the answered triggers alone gives the timing among
them, F_u(t | x). Then S(t | x) = 1 - pi(x) F_u(t | x), with F_u scaled to reach 1 at the last
horizon. It is one of the timing variants tried for a better ranking of "how soon"
(docs/models.md); it is built from `models.hist_gb`'s boosting settings like `hazard_gb`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecast.core.errors import ForecastError
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    counted_interval,
    label_column,
    numeric_feature_names,
    survival_to_proba,
)
from forecast.models.timing import BOOSTING_THREADS, BoostedHazard, BoostedTrees
from forecast.models.weighted_bins import faster_weighted_binning


class CureHazard(FeatureMemory):
    """pi(x) from a boosted classifier, timing among the answered from a boosted hazard."""

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "hazard_gb_cure",
        seed: int = 0,
        **booster_params: float,
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.seed = seed
        self.booster_params = booster_params

    @property
    def last(self) -> int:
        return max(self.horizons)

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        from sklearn.ensemble import HistGradientBoostingClassifier

        features, episodes = align(features, episodes)
        self._remember(features, numeric_feature_names(features))
        label = episodes[label_column(self.last)].astype("boolean")
        known = label.notna().to_numpy()
        answered = label.fillna(False).to_numpy(dtype=bool)
        if not answered[known].any() or answered[known].all():
            raise ForecastError(f"'{self.name}' needs both answered and unanswered triggers")
        classifier = HistGradientBoostingClassifier(
            **self.booster_params, early_stopping=False, random_state=self.seed
        )
        with threadpool_limits(BOOSTING_THREADS), faster_weighted_binning():
            self.classifier_ = classifier.fit(self._matrix(features)[known], answered[known])
        timed = answered & known
        self.timing_ = BoostedHazard(
            self.horizons, name=f"{self.name}:timing", seed=self.seed, **self.booster_params
        ).fit(
            features.loc[timed].reset_index(drop=True),
            episodes.loc[timed].reset_index(drop=True),
        )
        self.n_triggers_ = int(known.sum())
        return self

    def _answered(self, features: pd.DataFrame) -> np.ndarray:
        with threadpool_limits(BOOSTING_THREADS):
            return self.classifier_.predict_proba(self._matrix(features))[:, 1]

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        """S(t) = 1 - pi F_u(t), F_u the answered triggers' timing scaled to 1 at the last
        horizon (and held there beyond it)."""
        grid = np.asarray(days, dtype=int)
        asked = np.minimum(grid, self.last)
        conditional = self.timing_.predict_survival(features, [*asked.tolist(), self.last])
        values = conditional.to_numpy(dtype=float)
        by_last = np.clip(1.0 - values[:, -1:], 1e-12, None)
        share = np.clip((1.0 - values[:, :-1]) / by_last, 0.0, 1.0)
        survival = 1.0 - self._answered(features)[:, None] * share
        return pd.DataFrame(survival, index=features.index, columns=list(days))

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        survival = self.predict_survival(features, self.horizons)
        return self._frame(survival_to_proba(survival.to_numpy()), features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Wilson band with n = training triggers / 20, as for the boosted hazard."""
        proba = self.predict_proba(features)
        return counted_interval(proba, {h: self.n_triggers_ / 20 for h in self.horizons}, level)

    def for_scoring(self) -> Self:
        """The copy keeps both boosters as numpy trees when they can stand for them."""
        copy = super().for_scoring()
        trees = BoostedTrees.of(self.classifier_)
        if trees is not None:
            copy.classifier_ = trees
        copy.timing_ = self.timing_.for_scoring()
        return copy
