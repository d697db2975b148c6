"""New incidents as tables, and the keyed history and covariates they are scored against.

A new incident must look exactly like a training trigger to `build_features`, and like any
coded incident to `force_events`; these conversions and look-up keys live here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.config import FeatureParams
from forecast.core.contracts import conform
from forecast.features.computation import indexed_features
from forecast.features.index import HistoryIndex
from forecast.predict.incident import Incident

# The source name of incidents handed to a forecast: known events, never a systematic record.
NEW_SOURCE = "new"


def pack_dyad(ccode1: np.ndarray, ccode2: np.ndarray) -> np.ndarray:
    """One sortable int64 key per directed dyad (COW codes are below 2**20)."""
    return ccode1.astype(np.int64) * (1 << 20) + ccode2.astype(np.int64)


def sorted_by_dyad(covariates: pd.DataFrame | None) -> pd.DataFrame | None:
    """Covariates in directed-dyad order, so one dyad's rows are a contiguous slice."""
    if covariates is None or not {"ccode1", "ccode2", "year"} <= set(covariates.columns):
        return covariates
    return covariates.sort_values(["ccode1", "ccode2", "year"], kind="stable", ignore_index=True)


def dyad_keys(covariates: pd.DataFrame | None) -> np.ndarray | None:
    """The sorted dyad key of each covariate row, for binary search (None: no dyad columns)."""
    if covariates is None or not {"ccode1", "ccode2", "year"} <= set(covariates.columns):
        return None
    return pack_dyad(
        covariates["ccode1"].to_numpy(np.int64), covariates["ccode2"].to_numpy(np.int64)
    )


def trigger_table(incidents: Sequence[Incident], ids: list[str]) -> pd.DataFrame:
    """The trigger columns build_features reads, one row per incident (initiator -> target)."""
    return pd.DataFrame(
        {
            "episode_id": [
                f"{incident_id}:{i.initiator}>{i.target}"
                for incident_id, i in zip(ids, incidents, strict=True)
            ],
            "incident_id": pd.array(ids, dtype="string"),
            "date": pd.to_datetime([i.date for i in incidents]).astype("datetime64[ns]"),
            "initiator": np.array([i.initiator for i in incidents], dtype=np.int64),
            "target": np.array([i.target for i in incidents], dtype=np.int64),
            "action": pd.array([i.action for i in incidents], dtype="string"),
            "hostility": np.array([i.hostility for i in incidents], dtype=np.int64),
            "directed": np.array([i.directed for i in incidents], dtype=bool),
            "fatalities_initiator": pd.array(
                [i.fatalities_initiator for i in incidents], dtype="Float64"
            ),
            "fatalities_target": pd.array(
                [i.fatalities_target for i in incidents], dtype="Float64"
            ),
            "dispute_id": pd.array([i.dispute_id for i in incidents], dtype="string"),
            "source": pd.array([NEW_SOURCE] * len(incidents), dtype="string"),
            "date_precision": pd.array(["day"] * len(incidents), dtype="string"),
            "target_kind": pd.array([i.target_kind for i in incidents], dtype="string"),
        }
    )


def canonical_incidents(incidents: Sequence[Incident], ids: list[str]) -> pd.DataFrame:
    """New incidents in the canonical incident schema, so force_events treats them as history."""
    return conform(
        pd.DataFrame(
            {
                "incident_id": ids,
                "source": NEW_SOURCE,
                "date": [i.date for i in incidents],
                "date_precision": [i.date_precision for i in incidents],
                "date_end": pd.NaT,
                "initiator": [i.initiator for i in incidents],
                "target": [i.target for i in incidents],
                "action": [i.action for i in incidents],
                "hostility": [i.hostility for i in incidents],
                "directed": [i.directed for i in incidents],
                "fatalities_initiator": [i.fatalities_initiator for i in incidents],
                "fatalities_target": [i.fatalities_target for i in incidents],
                "target_kind": [i.target_kind for i in incidents],
                "dispute_id": [i.dispute_id for i in incidents],
                "notes": [i.notes for i in incidents],
            }
        )
    )


def event_keys(events: pd.DataFrame) -> dict[str, set[Any]]:
    """What the history already holds, so a batch incident is never counted twice."""
    ids = set(events["incident_id"].astype(str)) if "incident_id" in events else set()
    days = set(
        zip(
            events["actor"].astype(int),
            events["victim"].astype(int),
            pd.to_datetime(events["date"]),
            strict=True,
        )
    )
    return {"ids": ids, "days": days}


class KeptHistoryFeatures:
    """`build_features` for a forecaster: its history indexed once, every later call a search.

    Called with the very history table it was made for, it answers from the kept index; called
    with another table (a batch that added its own incidents to the history) it indexes that
    table for the one call, as `build_features` would. Both give build_features' numbers.
    `selective_sources` are the sources whose events are known even after the record's end
    (hand-coded files, the incidents of the batch itself).
    """

    def __init__(
        self,
        history: pd.DataFrame,
        *,
        include_same_day: bool = False,
        coverage: Mapping[str, date | None] | None = None,
        selective_sources: Collection[str] = (),
    ) -> None:
        self.history = history
        self.include_same_day = include_same_day
        self.coverage = coverage
        self.selective_sources = frozenset(selective_sources)
        self.index = self._index(history, keep=True)

    def _index(self, events: pd.DataFrame, keep: bool) -> HistoryIndex:
        return HistoryIndex(
            events,
            include_same_day=self.include_same_day,
            coverage=self.coverage,
            selective_sources=self.selective_sources,
            keep=keep,
        )

    def __call__(
        self,
        triggers: pd.DataFrame,
        events: pd.DataFrame,
        covariates: pd.DataFrame | None,
        params: FeatureParams,
        horizons: Sequence[int],
        *,
        record_end: np.ndarray | None = None,
    ) -> pd.DataFrame:
        index = self.index if events is self.history else self._index(events, keep=False)
        return indexed_features(
            triggers, index, covariates, params, horizons, record_end=record_end
        )
