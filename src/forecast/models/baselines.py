"""Baselines that every other model must beat: trailing base rate and dyad persistence.

They are models like any other (same interface, same backtest), so a skill score against them is
computed exactly as every other metric. The severity-only logit lives in `models.logit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from forecast.core.errors import ForecastError
from forecast.features.registry import DYAD_ANSWER_RATE, measure_windows
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    counted_interval,
    labels,
    numeric_feature_names,
)


class TrailingBaseRate(FeatureMemory):
    """The share of triggers answered within H over the last N years before the training end.

    A forecaster with no dyad knowledge would quote this rate; a model that cannot beat it adds
    nothing. The window ends at the latest trigger whose H-day label is known, so the rate uses
    only what was known when the model was fitted.
    """

    def __init__(self, horizons: Sequence[int], years: int = 10, name: str = "base_rate") -> None:
        self.horizons = check_horizons(horizons)
        self.years = years
        self.name = name

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        features, episodes = align(features, episodes)
        self._remember(features, numeric_feature_names(features))
        dates = pd.to_datetime(episodes["date"])
        self.rates_: dict[int, float] = {}
        self.counts_: dict[int, int] = {}
        for horizon in self.horizons:
            known, retaliated = labels(episodes, horizon)
            if not known.any():
                raise ForecastError(f"no trigger has a known {horizon}-day label to learn from")
            window_end = dates[known].max()
            recent = known & (dates > window_end - pd.DateOffset(years=self.years)).to_numpy()
            self.rates_[horizon] = float(retaliated[recent].mean())
            self.counts_[horizon] = int(recent.sum())
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        values = np.tile([self.rates_[h] for h in self.horizons], (len(features), 1))
        return self._frame(values, features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        return counted_interval(self.predict_proba(features), self.counts_, level)


def answering_record_column(names: Sequence[str], horizon: int) -> str:
    """The dyad's own answering record (not the rate toward everyone) over the window closest
    to the horizon (ties: the shorter)."""
    windows = measure_windows(names, DYAD_ANSWER_RATE)
    if not windows:
        raise ForecastError(
            f"dyad persistence needs the dyad's answering record ('{DYAD_ANSWER_RATE}_30d' or "
            "another window); none found among the feature columns"
        )
    return min(windows, key=lambda n: (abs(np.log(windows[n] / horizon)), windows[n], n))


class DyadPersistence(FeatureMemory):
    """The dyad's own answering record (already shrunk toward the overall rate), calibrated.

    The record is a share of past triggers answered; a one-variable logistic fit turns it into a
    probability for each horizon, so persistence is judged on calibration as well as ranking.
    """

    def __init__(self, horizons: Sequence[int], name: str = "dyad_persistence") -> None:
        self.horizons = check_horizons(horizons)
        self.name = name

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        # scikit-learn loads here, not with the module: the trailing base rate beside this
        # model scores with numpy alone, and a forecast that unpickles it need not import it.
        from sklearn.linear_model import LogisticRegression

        features, episodes = align(features, episodes)
        names = numeric_feature_names(features)
        self.columns_ = {h: answering_record_column(names, h) for h in self.horizons}
        self._remember(features, sorted(set(self.columns_.values())))
        self.fits_: dict[int, LogisticRegression] = {}
        self.counts_: dict[int, int] = {}
        for horizon, column in self.columns_.items():
            known, retaliated = labels(episodes, horizon)
            record = features.loc[known, [column]].astype("float64").to_numpy()
            self.fits_[horizon] = LogisticRegression(C=1e6).fit(record, retaliated[known])
            self.counts_[horizon] = int(known.sum())
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        matrix = self._matrix(features)
        position = {n: i for i, n in enumerate(self.feature_names_)}
        values = np.column_stack(
            [
                self.fits_[h].predict_proba(matrix[:, [position[self.columns_[h]]]])[:, 1]
                for h in self.horizons
            ]
        )
        return self._frame(values, features.index, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        # A dyad's record rests on few past triggers; a few dozen cases is an honest weight.
        effective = {h: min(n, 50) for h, n in self.counts_.items()}
        return counted_interval(self.predict_proba(features), effective, level)
