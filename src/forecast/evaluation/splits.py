"""Rolling-origin splits: train on what was known before each origin, test on the next year.

A trigger's H-day label is known only once its window has closed, so a training set at origin O
keeps the label of a trigger dated t only when t + H < O - embargo; later labels are censored (NA)
and durations are cut at the same cutoff. Every model sees identical splits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.core.config import BacktestParams
from forecast.core.errors import ForecastError
from forecast.models.common import label_column


@dataclass(frozen=True)
class Split:
    """One origin: training cutoff (exclusive) and the test year [origin, test_end)."""

    origin: pd.Timestamp
    cutoff: pd.Timestamp
    test_end: pd.Timestamp

    @property
    def year(self) -> int:
        return self.origin.year


def rolling_origins(episodes: pd.DataFrame, params: BacktestParams) -> list[Split]:
    """Yearly origins from `first_origin` to the last year with triggers (or `last_origin`)."""
    dates = pd.to_datetime(episodes["date"])
    if dates.empty:
        raise ForecastError("episodes table is empty: nothing to backtest")
    last = params.last_origin if params.last_origin is not None else int(dates.max().year)
    first = params.first_origin
    if first > last:
        raise ForecastError(
            f"params.yaml backtest.first_origin={first} is after the last origin {last} "
            f"(data end {dates.max().date()}); lower first_origin"
        )
    if dates.min().year >= first:
        raise ForecastError(
            f"no triggers before backtest.first_origin={first} (data start "
            f"{dates.min().date()}): the first origin would have nothing to train on"
        )
    embargo = pd.Timedelta(days=params.embargo_days)
    return [
        Split(
            origin=pd.Timestamp(year=year, month=1, day=1),
            cutoff=pd.Timestamp(year=year, month=1, day=1) - embargo,
            test_end=pd.Timestamp(year=year + 1, month=1, day=1),
        )
        for year in range(first, last + 1)
    ]


def censor_at(
    episodes: pd.DataFrame, cutoff: pd.Timestamp, horizons: Sequence[int]
) -> pd.DataFrame:
    """Episodes as they looked on `cutoff`: later triggers gone, later outcomes unknown.

    Labels whose window reaches the cutoff become NA (t + H >= cutoff), retaliations on or after
    the cutoff become unobserved and durations stop at the cutoff.
    """
    dates = pd.to_datetime(episodes["date"])
    seen = episodes.loc[(dates < cutoff).to_numpy()].copy()
    days_left = (cutoff - pd.to_datetime(seen["date"])).dt.days.to_numpy()
    for horizon in horizons:
        column = label_column(horizon)
        if column in seen.columns:
            label = seen[column].astype("boolean")
            label[days_left <= horizon] = pd.NA
            seen[column] = label
    if "duration" in seen.columns:
        duration = seen["duration"].to_numpy(dtype="float64")
        # Known by the cutoff only if it happened strictly before it.
        still_open = duration >= days_left
        seen["duration"] = np.minimum(duration, days_left - 1).astype(seen["duration"].dtype)
        observed = seen["event_observed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        seen["event_observed"] = observed & ~still_open
        if "days_to_retaliation" in seen.columns:
            seen.loc[still_open, "days_to_retaliation"] = pd.NA
    return seen


def in_test_year(episodes: pd.DataFrame, split: Split) -> np.ndarray:
    """Boolean mask of triggers dated in the split's test year."""
    dates = pd.to_datetime(episodes["date"])
    return ((dates >= split.origin) & (dates < split.test_end)).to_numpy()
