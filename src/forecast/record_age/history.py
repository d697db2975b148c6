"""Features as a forecaster would see them with a record that ends some years before the trigger.

Forecasts are needed for incidents happening now, but the systematic record ends earlier
(MIE in 2014). A model trained on triggers whose whole past was observed reads the unobserved
years as quiet ones. So models are trained the way they are used (the VIEWS "stepshifter"
idea): each training trigger is also seen with its record cut `g` years before it, for a few
ages g, and a forecast uses the band of its own record age. `RecordHistory` indexes the
history once and gives the feature table of every trigger at any simulated age:

- `anchor="record_end"` (the record-aware reading): windows counted back from the record's end,
  the record's age as a feature;
- `anchor="trigger"` (the naive reading, today's models across a gap): windows counted back from
  the trigger's day over a record that stops earlier, so the gap reads as "no events".

With `context="all"` the days just before the trigger are known in full (an analyst who knows
whether the target just hit the initiator); with `"known"` only the record and selective
sources tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.core.config import Params
from forecast.core.coverage import (
    Coverage,
    actual_record_end,
    coverage_ends,
    modelled_coverage,
    selective_sources,
    simulated_record_end,
)
from forecast.episodes import day_numbers, force_events
from forecast.features.computation import TRIGGER_COLUMNS, Anchor, Context, indexed_features
from forecast.features.index import HistoryIndex


@dataclass
class RecordHistory:
    """Triggers, their history indexed once, and each trigger's real record end."""

    # The episodes the triggers come from (labels included), in the same row order.
    episodes: pd.DataFrame
    triggers: pd.DataFrame
    index: HistoryIndex
    covariates: pd.DataFrame | None
    actual_end: np.ndarray
    params: Params

    @classmethod
    def build(
        cls,
        incidents: pd.DataFrame,
        episodes: pd.DataFrame,
        covariates: pd.DataFrame | None,
        coverage: Mapping[str, Coverage],
        params: Params,
    ) -> RecordHistory:
        """`incidents` are the modelled sources' incidents; `coverage` their declared spans."""
        covered = modelled_coverage(coverage, incidents["source"].astype(str).unique())
        events = force_events(incidents, params.episodes.min_hostility)
        index = HistoryIndex(
            events,
            include_same_day=params.episodes.include_same_day,
            coverage=coverage_ends(covered),
            selective_sources=selective_sources(covered),
            keep=True,
        )
        episodes = episodes.reset_index(drop=True)
        columns = [c for c in (*TRIGGER_COLUMNS, "target_kind") if c in episodes.columns]
        triggers = episodes[columns]
        days = day_numbers(triggers["date"]) if len(triggers) else np.array([], np.int64)
        end = actual_record_end(days, covered)
        return cls(episodes, triggers, index, covariates, end, params)

    @property
    def trigger_days(self) -> np.ndarray:
        return day_numbers(self.triggers["date"]) if len(self.triggers) else np.array([], int)

    def record_end(self, age_years: float) -> np.ndarray:
        """Each trigger's record end when cut `age_years` before it (never after the real one)."""
        if age_years <= 0:
            return self.actual_end
        return simulated_record_end(self.trigger_days, self.actual_end, age_years)

    def features(
        self, age_years: float, *, anchor: Anchor = "record_end", context: Context = "known"
    ) -> pd.DataFrame:
        """One feature row per trigger, in the triggers' order, at a simulated record age."""
        return indexed_features(
            self.triggers,
            self.index,
            self.covariates,
            self.params.features,
            self.params.episodes.horizons,
            record_end=self.record_end(age_years),
            anchor=anchor,
            context=context,
        )
