"""What is known on the as-of day about the days since the trigger.

Two kinds of event between the trigger's day t and the as-of day t + k are counted, each in
its own direction:
- `target_signals`: the target's threats and displays of force against the initiator
  (hostility 2-3, coded in MIE and kept in the incident table, never triggers);
- `initiator_force`: the initiator's further uses of force against the target.
An event counts when it lies wholly in (t, t + k]: a day-dated one on its day, one dated only
to a month (MIE's day -9) when the whole month lies after the trigger's day and ends by the
as-of day, so no feature rests on a guessed day or reads past the as-of day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.episodes import GroupedDays, Queries, day_numbers, dyad_codes, month_bounds

SIGNAL_HOSTILITY = (2, 3)
EVIDENCE_COLUMNS = ("target_signals", "initiator_force")


def dated_events(
    frame: pd.DataFrame, actor: str, victim: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dyad, first day, last day) of each event: its day twice, or its month's bounds when
    its `date_precision` is "month" (a table without the column is dated to the day)."""
    dyad = dyad_codes(frame[actor].to_numpy(np.int64), frame[victim].to_numpy(np.int64))
    if len(dyad) == 0:
        empty = np.array([], dtype=np.int64)
        return dyad, empty, empty
    dates = pd.Series(pd.to_datetime(frame["date"]).to_numpy())
    day = day_numbers(dates)
    if "date_precision" not in frame:
        return dyad, day, day
    first, last = month_bounds(dates)
    by_month = frame["date_precision"].astype(str).eq("month").to_numpy(dtype=bool)
    return dyad, np.where(by_month, first, day), np.where(by_month, last, day)


class EventWindows:
    """Counts of one table's events per directed dyad inside (start, end] windows.

    Day-dated events are searched in the history's (group, day) index (`GroupedDays`);
    month-dated ones, few, are matched to the windows of their dyad.
    """

    def __init__(self, dyad: np.ndarray, first: np.ndarray, last: np.ndarray) -> None:
        single = first == last
        self._days = GroupedDays.build(dyad[single], first[single])
        spans = pd.DataFrame(
            {"dyad": dyad[~single], "first": first[~single], "last": last[~single]}
        )
        self._spans = spans.sort_values(["dyad", "first", "last"], kind="stable", ignore_index=True)

    def count(self, dyad: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Events of `dyad` lying wholly in (start, end], one count per query row."""
        dyad = np.asarray(dyad, dtype=np.int64)
        start = np.asarray(start, dtype=np.int64)
        end = np.maximum(np.asarray(end, dtype=np.int64), start)
        # Events on or before a day are those strictly before the next one.
        counts = self._days.count_before(Queries.of(dyad, end), 1) - self._days.count_before(
            Queries.of(dyad, start), 1
        )
        if len(self._spans) and len(dyad):
            queries = pd.DataFrame(
                {"dyad": dyad, "start": start, "end": end, "row": np.arange(len(dyad))}
            )
            pairs = queries.merge(self._spans, on="dyad", how="inner", sort=False)
            inside = (pairs["first"] > pairs["start"]) & (pairs["last"] <= pairs["end"])
            counts = counts + np.bincount(pairs.loc[inside, "row"], minlength=len(dyad))
        return counts.astype(np.int64)


class AsOfEvidence:
    """The two evidence counts for triggers seen from their as-of days.

    `incidents` is the canonical incident table of the model sources (any hostility) and
    `force` its force-event table (`forecast.episodes.force_events`, actor -> victim).
    """

    def __init__(self, incidents: pd.DataFrame, force: pd.DataFrame) -> None:
        signals = incidents[incidents["hostility"].isin(SIGNAL_HOSTILITY).to_numpy(dtype=bool)]
        self._signals = EventWindows(*dated_events(signals, "initiator", "target"))
        self._force = EventWindows(*dated_events(force, "actor", "victim"))

    def answers(
        self,
        initiator: np.ndarray,
        target: np.ndarray,
        trigger_day: np.ndarray,
        as_of_day: np.ndarray,
    ) -> np.ndarray:
        """The target's uses of force against the initiator in (trigger, as-of]: answers."""
        return self._force.count(dyad_codes(target, initiator), trigger_day, as_of_day)

    def of(
        self,
        initiator: np.ndarray,
        target: np.ndarray,
        trigger_day: np.ndarray,
        as_of_day: np.ndarray,
    ) -> pd.DataFrame:
        """`target_signals` and `initiator_force` per trigger, counted in (trigger, as-of]."""
        towards_initiator = dyad_codes(target, initiator)
        towards_target = dyad_codes(initiator, target)
        return pd.DataFrame(
            {
                "target_signals": self._signals.count(towards_initiator, trigger_day, as_of_day),
                "initiator_force": self._force.count(towards_target, trigger_day, as_of_day),
            }
        )
