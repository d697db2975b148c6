"""The force-event history indexed for feature queries: sorted keys, response delays, sums.

`build_features` answers every trigger with binary searches and prefix sums over sorted
(group, day) keys; building those keys (the sorts and each event's first response) is most of
its cost when the batch of triggers is small. A forecaster scores one incident at a time
against the same history, so it keeps one `HistoryIndex` (`keep=True`) and asks it again and
again. A one-shot call indexes each part of the history when its feature stage needs it and
drops it when the stage is done, which keeps peak memory at 10^7 events where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from forecast.episodes import (
    GroupedDays,
    Queries,
    day_numbers,
    dyad_codes,
    first_response,
    month_bounds,
)

Part = TypeVar("Part")


def history_days(events: pd.DataFrame) -> np.ndarray:
    """The day by which each event surely happened: its day, or the last day of its month.

    A month-dated event is thereby never "before" a trigger in the same month.
    """
    days = day_numbers(events["date"]) if len(events) else np.array([], np.int64)
    if len(events):
        _, month_last = month_bounds(events["date"])
        days = np.where(events["date_precision"].eq("day").to_numpy(dtype=bool), days, month_last)
    return days


@dataclass(frozen=True)
class DyadHistory:
    """Force events by directed dyad, by actor and by confrontation, on the day each surely
    happened."""

    by_dyad: GroupedDays
    by_actor: GroupedDays
    # The confrontations' dispute ids, at the position of their group code in `by_dispute`.
    disputes: pd.Index
    by_dispute: GroupedDays
    # Events of selective sources alone by directed dyad: known events after the record's end.
    by_dyad_selective: GroupedDays | None = None

    @classmethod
    def of(cls, events: pd.DataFrame, selective_sources: Collection[str] = ()) -> DyadHistory:
        seen = history_days(events)
        actor = events["actor"].to_numpy(dtype=np.int64)
        victim = events["victim"].to_numpy(dtype=np.int64)
        # An undirected incident appears once per direction; keep the row with the lower code
        # first, which identifies one row per incident without hashing 10^7 string ids.
        one_per_incident = events["directed"].to_numpy(dtype=bool) | (actor < victim)
        first_row = one_per_incident & events["dispute_id"].notna().to_numpy()
        codes, disputes = pd.factorize(
            events["dispute_id"][first_row].astype("string"), use_na_sentinel=True
        )
        selective = None
        if selective_sources:
            rows = events["source"].isin(list(selective_sources)).to_numpy(dtype=bool)
            selective = GroupedDays.build(dyad_codes(actor[rows], victim[rows]), seen[rows])
        return cls(
            by_dyad=GroupedDays.build(dyad_codes(actor, victim), seen),
            by_actor=GroupedDays.build(actor, seen),
            disputes=pd.Index(disputes),
            by_dispute=GroupedDays.build(codes, seen[first_row]),
            by_dyad_selective=selective,
        )

    def dispute_codes(self, dispute_ids: pd.Series) -> np.ndarray:
        """Each id's group code in `by_dispute`; -1 when missing or never seen in the history.

        Factorized after the known ids, which thereby keep their codes: one dictionary
        encoding, with no Python string per trigger.
        """
        known = len(self.disputes)
        codes, _ = pd.factorize(
            pd.concat(
                [pd.Series(self.disputes, dtype="string"), dispute_ids.astype("string")],
                ignore_index=True,
            ),
            use_na_sentinel=True,
        )
        wanted = codes[known:]
        return np.where(wanted < known, wanted, -1)


class AnsweringRecords:
    """Past day-dated uses of force, whether the victim answered each, grouped three ways.

    The groups are all past triggers (`overall`), the directed dyad (`dyad`) and the victim
    (`target`). Per horizon H a past trigger is known once its H-day window closed (or it was
    answered) and answered when the first answer came within H days; their running totals in
    each group's key order answer `counts_before`, and are kept when `keep` is set.
    """

    def __init__(
        self,
        events: pd.DataFrame,
        *,
        include_same_day: bool = False,
        coverage: Mapping[str, date | None] | None = None,
        selective_sources: Collection[str] = (),
        keep: bool = False,
    ) -> None:
        past_rows = np.flatnonzero(events["date_precision"].eq("day").to_numpy(dtype=bool))
        self.responses = first_response(events, past_rows, include_same_day=include_same_day)
        self.day = day_numbers(events["date"])[past_rows]
        actor = events["actor"].to_numpy(dtype=np.int64)[past_rows]
        victim = events["victim"].to_numpy(dtype=np.int64)[past_rows]
        self.censor = coverage_days(events["source"], coverage or {})[past_rows]
        if selective_sources:
            # A selective source's silence is "no answer" only up to the day its row says the
            # answer was looked for (build_episodes' rule).
            past = events.iloc[past_rows]
            selective = past["source"].isin(list(selective_sources)).to_numpy(dtype=bool)
            checked = past.get("outcome_checked_until")
            stated = (
                self.day
                if checked is None
                else day_numbers(pd.to_datetime(checked).fillna(past["date"]))
            )
            self.censor = np.where(selective, np.minimum(stated, self.censor), self.censor)
        # A past trigger on day d is closed for a trigger on day t when d + H < t, i.e.
        # d < t - H: the order by (group, d) serves every horizon, so each index is sorted once.
        self.groups = {
            "overall": GroupedDays.build(np.zeros(len(past_rows), np.int64), self.day),
            "dyad": GroupedDays.build(dyad_codes(actor, victim), self.day),
            "target": GroupedDays.build(victim, self.day),
        }
        self._kept: dict[tuple[int, str], list[np.ndarray]] | None = {} if keep else None

    def counts_before(
        self, horizon: int, queries: Mapping[str, Queries]
    ) -> dict[str, list[np.ndarray]]:
        """Per group, (known, answered) past triggers whose `horizon`-day window closed before
        each query's day.

        Without `keep`, one group's running totals are alive at a time, so peak memory at
        10^7 events stays that of a single pass.
        """
        values: list[np.ndarray] | None = None
        counts = {}
        for name, group_queries in queries.items():
            prefixes = self._kept.get((horizon, name)) if self._kept is not None else None
            if prefixes is None:
                values = values or self._known_and_answered(horizon)
                prefixes = [self.groups[name].prefix_sums(value) for value in values]
                if self._kept is not None:
                    self._kept[(horizon, name)] = prefixes
            counts[name] = self.groups[name].sums_from_prefix(prefixes, group_queries, -horizon)
        return counts

    def _known_and_answered(self, horizon: int) -> list[np.ndarray]:
        """Per past trigger, 1.0 where its `horizon`-day label is known, and where answered."""
        # An unanswered window that ran past what its source watched, or that a month-dated
        # answer may fall in, has no known label.
        answered, known = self.responses.label_states(horizon, self.censor - self.day)
        return [known.astype(float), (answered & known).astype(float)]


def coverage_days(sources: pd.Series, coverage: Mapping[str, date | None]) -> np.ndarray:
    """Day number of each source's declared coverage end; far future when none is declared.

    Only declared ends are used: a default taken from the data's last date would move when
    later events are deleted, and so would leak them into the answering records.
    """
    far_future = np.iinfo(np.int64).max // 4
    ends = np.full(len(sources), far_future, dtype=np.int64)
    for source, end in coverage.items():
        if end is not None:
            ends[sources.eq(source).to_numpy(dtype=bool)] = day_numbers([pd.Timestamp(end)])[0]
    return ends


class HistoryIndex:
    """One force-event history, indexed part by part as feature stages ask for each part.

    With `keep` each part is built once and held, for callers that ask many times (a
    forecaster); without it each request builds the part afresh and the caller drops it.
    """

    def __init__(
        self,
        events: pd.DataFrame,
        *,
        include_same_day: bool = False,
        coverage: Mapping[str, date | None] | None = None,
        selective_sources: Collection[str] = (),
        keep: bool = False,
    ) -> None:
        self.events = events
        self.include_same_day = include_same_day
        self.coverage = coverage
        self.selective_sources = frozenset(selective_sources)
        self._kept: dict[str, Any] | None = {} if keep else None

    def dyads(self) -> DyadHistory:
        """Events by dyad, actor and confrontation."""
        return self._part("dyads", lambda: DyadHistory.of(self.events, self.selective_sources))

    def answering(self) -> AnsweringRecords:
        """Past triggers and whether each was answered."""
        return self._part(
            "answering",
            lambda: AnsweringRecords(
                self.events,
                include_same_day=self.include_same_day,
                coverage=self.coverage,
                selective_sources=self.selective_sources,
                keep=self._kept is not None,
            ),
        )

    def _part(self, name: str, build: Callable[[], Part]) -> Part:
        if self._kept is None:
            return build()
        if name not in self._kept:
            self._kept[name] = build()
        return self._kept[name]
