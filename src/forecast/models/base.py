"""The one small estimator interface every model follows.

The backtest, the registry, `forecast predict` and the report treat all models alike, so a
baseline and a Cox model are interchangeable wherever a model is expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, Self, runtime_checkable

import pandas as pd


@runtime_checkable
class LikelihoodModel(Protocol):
    """P(the target uses force against the initiator within H days) for each horizon H."""

    name: str
    horizons: tuple[int, ...]
    feature_names_: list[str]
    reference_values_: pd.Series

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        """Learn from features and episodes aligned on `episode_id` (NA labels are censored)."""
        ...

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        """One column per horizon (int), one row per row of `features`, same index."""
        ...

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Lower and upper bounds shaped like `predict_proba`."""
        ...


@runtime_checkable
class TimingModel(LikelihoodModel, Protocol):
    """A survival curve S(t | x); P(within H) = 1 - S(H), so it rises with H."""

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        """One column per day in `days`, values S(day | x), non-increasing along each row."""
        ...
