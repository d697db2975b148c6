"""Retaliation episodes: triggers, labels per horizon, durations and censoring.

One row per trigger (a use of force by A against B on a known day). The labels answer "did B use
force against A within H days?" following docs/design.md, section "Definitions". Everything is
columnar: force events are indexed once as sorted (directed dyad, day) keys and every trigger is
answered by a binary search, so the same logic scales to event streams of 10^8 rows and maps
onto joins.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.config import LABEL_SOURCES, DataParams, EpisodeParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, USE_OF_FORCE_MIN_HOSTILITY
from forecast.core.errors import ForecastError

FORCE_EVENT_COLUMNS = [
    "incident_id",
    "actor",
    "victim",
    "date",
    "date_precision",
    "directed",
    "hostility",
    "action",
    "fatalities_actor",
    "fatalities_victim",
    "source",
    "dispute_id",
    "target_kind",
    "n_events",
    "outcome_checked_until",
]

# Day numbers are stored relative to BASE_DAY in a window of DAY_SPAN days, so that a group code
# and a day fit in one int64 key (group * (DAY_SPAN + 1) + day) that sorts lexicographically.
BASE_DAY = int(np.datetime64("1600-01-01", "D").astype(np.int64))
DAY_SPAN = 2**19  # about 1,435 years: 1600 to 3035
_KEY_STRIDE = DAY_SPAN + 1


def limited_force(hostility: Any, action: Any) -> Any:
    """Hostility 4 outside war battles: the subset most scores are quoted on (ADR 1). Works on
    scalars and on columns alike, so triggers, forecasts and the outside view share the rule."""
    return (hostility == USE_OF_FORCE_MIN_HOSTILITY) & (action != "war_battle")


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 as int64 (dates must not be missing)."""
    return np.asarray(pd.to_datetime(dates).to_numpy().astype("datetime64[D]").astype(np.int64))


def month_bounds(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of the first and last day of each date's month."""
    months = pd.to_datetime(dates).to_numpy().astype("datetime64[M]")
    first = months.astype("datetime64[D]").astype(np.int64)
    last = (months + 1).astype("datetime64[D]").astype(np.int64) - 1
    return first, last


def month_numbers(dates: pd.Series) -> np.ndarray:
    """Whole months since 1970-01 as int64 (dates must not be missing)."""
    return pd.to_datetime(dates).to_numpy().astype("datetime64[M]").astype(np.int64)


def dyad_codes(actor: np.ndarray, victim: np.ndarray) -> np.ndarray:
    """One int64 per directed dyad; COW codes are below 2**20, so codes never collide."""
    return np.asarray(actor, dtype=np.int64) * (1 << 20) + np.asarray(victim, dtype=np.int64)


@dataclass(frozen=True)
class Queries:
    """Many (group, day) requests, sorted once so every binary search gets ascending needles.

    np.searchsorted over sorted needles walks memory in order and is many times faster than over
    scattered ones. Shifting every day by the same offset keeps the order, so one sort serves
    every window. Results come back in sorted order; `restore` puts them in request order.
    """

    groups: np.ndarray
    days: np.ndarray
    order: np.ndarray

    @classmethod
    def of(cls, groups: np.ndarray, days: np.ndarray) -> Queries:
        groups = np.asarray(groups, dtype=np.int64)
        days = np.asarray(days, dtype=np.int64)
        order = np.argsort(_composite(groups, days), kind="stable")
        return cls(groups=groups[order], days=days[order], order=order)

    def __len__(self) -> int:
        return len(self.order)

    def restore(self, values: np.ndarray) -> np.ndarray:
        """Values computed in sorted order, back in the order the requests were made."""
        out = np.empty_like(values)
        out[self.order] = values
        return out


@dataclass(frozen=True)
class GroupedDays:
    """Event days sorted within groups (a dyad, a state, a dispute), searchable in bulk.

    `keys` are the composite (group, day) keys in ascending order and `order` maps each sorted
    position back to the row it came from, so any per-row value can be lined up with the keys.
    A request for (group, day) lands, through one np.searchsorted, at the first event of that
    group on or after that day; counts, last-before and first-after all follow from positions.
    Methods take `Queries` and a day `shift`, and answer in request order.
    """

    keys: np.ndarray
    order: np.ndarray

    @classmethod
    def build(cls, groups: np.ndarray, days: np.ndarray) -> GroupedDays:
        """Index rows by (group, day); rows sharing both keep their input order."""
        keys = _composite(groups, days, strict=True)
        order = np.argsort(keys, kind="stable")
        return cls(keys=keys[order], order=order)

    def __len__(self) -> int:
        return len(self.keys)

    def _position(self, queries: Queries, shift: int = 0) -> np.ndarray:
        """Sorted position of each group's first event on or after day + shift (sorted order)."""
        needles = _composite(queries.groups, queries.days + shift)
        return np.searchsorted(self.keys, needles, side="left")

    def _group_start(self, queries: Queries) -> np.ndarray:
        return np.searchsorted(self.keys, queries.groups * _KEY_STRIDE, side="left")

    def window_counts(
        self, queries: Queries, lengths: Iterable[int]
    ) -> Iterator[tuple[int, np.ndarray]]:
        """(length, events in the `length` days before each day) for several lengths, sharing
        the search for the window's end."""
        stop = self._position(queries, 0)
        for length in lengths:
            yield length, queries.restore(stop - self._position(queries, -length))

    def prefix_sums(self, values: np.ndarray) -> np.ndarray:
        """Running totals of a per-row value in key order, after a leading zero.

        Made once, they answer any number of `sums_from_prefix` requests.
        """
        return np.concatenate([[0.0], np.cumsum(np.asarray(values, float)[self.order])])

    def sums_from_prefix(
        self, prefixes: Sequence[np.ndarray], queries: Queries, shift: int = 0
    ) -> list[np.ndarray]:
        """Per running total, its value's sum over each group's events before day + shift."""
        position, start = self._position(queries, shift), self._group_start(queries)
        return [queries.restore(prefix[position] - prefix[start]) for prefix in prefixes]

    def sums_before(
        self, values: Sequence[np.ndarray], queries: Queries, shift: int = 0
    ) -> list[np.ndarray]:
        """Per value array, its sum over each group's events strictly before day + shift."""
        return self.sums_from_prefix([self.prefix_sums(v) for v in values], queries, shift)

    def count_before(self, queries: Queries, shift: int = 0) -> np.ndarray:
        """Events of each group strictly before day + shift."""
        return queries.restore(self._position(queries, shift) - self._group_start(queries))

    def last_day_before(self, queries: Queries) -> np.ndarray:
        """Day number of each group's last event strictly before the day; -1 marks none."""
        position = self._position(queries) - 1
        found = position >= self._group_start(queries)
        safe = np.clip(position, 0, max(len(self.keys) - 1, 0))
        last = self.keys[safe] % _KEY_STRIDE + BASE_DAY if len(self.keys) else safe
        return queries.restore(np.where(found, last, -1))

    def first_at_or_after(self, queries: Queries) -> np.ndarray:
        """Sorted position of each group's first event on or after the day; -1 marks none."""
        position = self._position(queries)
        return queries.restore(np.where(self._in_group(position, queries.groups), position, -1))

    def in_group(self, position: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Whether each sorted position holds an event of the given group (request order)."""
        return self._in_group(position, np.asarray(groups, dtype=np.int64))

    def _in_group(self, position: np.ndarray, groups: np.ndarray) -> np.ndarray:
        if not len(self.keys):
            return np.zeros(len(position), dtype=bool)
        inside = position < len(self.keys)
        safe = np.clip(position, 0, len(self.keys) - 1)
        return inside & ((self.keys[safe] // _KEY_STRIDE) == groups)

    def day_at(self, position: np.ndarray) -> np.ndarray:
        """Day number at sorted positions (positions must be valid)."""
        return self.keys[position] % _KEY_STRIDE + BASE_DAY


def _composite(groups: np.ndarray, days: np.ndarray, *, strict: bool = False) -> np.ndarray:
    relative = np.asarray(days, dtype=np.int64) - BASE_DAY
    if strict and len(relative) and (relative.min() < 0 or relative.max() >= DAY_SPAN):
        raise ForecastError(
            "event dates must lie between 1600 and 3035; check the incident table's date column"
        )
    relative = np.clip(relative, 0, DAY_SPAN)
    return np.asarray(groups, dtype=np.int64) * _KEY_STRIDE + relative


def force_events(
    incidents: pd.DataFrame, min_hostility: int = USE_OF_FORCE_MIN_HOSTILITY
) -> pd.DataFrame:
    """One row per directed dyad-day of force; clashes and war battles count for both sides.

    MIE codes a clash as one row with the lower COW code first and no direction, so the row is
    force by each side against the other: it becomes two rows, one per direction. Day-dated rows
    of one source, one directed dyad and one day then become one use of force (docs/adr/0008):
    a trigger is a dyad-day, as event feeds already are. Fatalities are those known on the
    event's first day: a count that ran over several days (`date_end` after `date`) includes
    deaths after it, so it is unknown at the start.
    """
    force = incidents[incidents["hostility"].to_numpy() >= min_hostility]
    undirected = ~force["directed"].to_numpy(dtype=bool) | force["action"].isin(
        sorted(UNDIRECTED_ACTIONS)
    ).to_numpy(dtype=bool)
    target_kind = (
        force["target_kind"]
        if "target_kind" in force
        else pd.Series("unknown", index=force.index, dtype="string")
    )
    single_day = (
        (force["date_end"].isna() | (force["date_end"] <= force["date"])).to_numpy(dtype=bool)
        if "date_end" in force
        else np.ones(len(force), dtype=bool)
    )
    checked = (
        force["outcome_checked_until"]
        if "outcome_checked_until" in force
        else pd.Series(pd.NaT, index=force.index)
    )
    forward = pd.DataFrame(
        {
            "incident_id": force["incident_id"].astype("string"),
            "actor": force["initiator"].astype("int64"),
            "victim": force["target"].astype("int64"),
            "date": force["date"],
            "date_precision": force["date_precision"].astype("string"),
            "directed": ~undirected,
            "hostility": force["hostility"].astype("int64"),
            "action": force["action"].astype("string"),
            "fatalities_actor": force["fatalities_initiator"].astype("Float64").where(single_day),
            "fatalities_victim": force["fatalities_target"].astype("Float64").where(single_day),
            "source": force["source"].astype("string"),
            "dispute_id": force["dispute_id"].astype("string"),
            "target_kind": target_kind.astype("string"),
            "n_events": np.ones(len(force), dtype=np.int64),
            "outcome_checked_until": pd.to_datetime(checked).astype("datetime64[ns]"),
        }
    )
    reverse = forward[undirected].rename(
        columns={
            "actor": "victim",
            "victim": "actor",
            "fatalities_actor": "fatalities_victim",
            "fatalities_victim": "fatalities_actor",
        }
    )[FORCE_EVENT_COLUMNS]
    events = pd.concat([forward, reverse], ignore_index=True)
    # A stable sort on the date alone keeps input order within a day: deterministic, and far
    # cheaper than sorting 10^7 string ids.
    order = np.argsort(events["date"].to_numpy(), kind="stable")
    return collapse_dyad_days(events.take(order).reset_index(drop=True))


def collapse_dyad_days(events: pd.DataFrame) -> pd.DataFrame:
    """One row per source, directed dyad and day among day-dated force events (ADR 0008).

    The first row in the table's order (the source's row order, a clash's reverse direction
    after the directed rows) gives the id, dispute, target kind and source; `hostility` is the
    day's highest; `action` is `war_battle` when any row is one, else the action of the first
    row at the highest hostility; `directed` is false when any row is a clash or battle (force
    by both sides that day); fatalities are the sum of the counts known on the day (NA when none
    is); `n_events` counts the rows; a stated `outcome_checked_until` is the latest of the
    rows'. Month-dated rows stay as they are.
    """
    by_day = events["date_precision"].eq("day").to_numpy(dtype=bool)
    if not by_day.any():
        return events
    source_code = pd.factorize(events["source"])[0].astype(np.int64)
    groups = source_code * (1 << 30) + dyad_codes(events["actor"], events["victim"])
    key = pd.Series(_composite(groups, day_numbers(events["date"])))
    key[~by_day] = -1 - np.flatnonzero(~by_day)  # never equal to another row's key
    repeated = key.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return events
    rows = events[repeated]
    group = key[repeated].to_numpy()
    grouped = rows.groupby(group, sort=False)
    at_top = rows["hostility"].to_numpy() == grouped["hostility"].transform("max").to_numpy()
    summary = pd.DataFrame(
        {
            "hostility": grouped["hostility"].max(),
            "war": rows["action"].eq("war_battle").fillna(False).groupby(group).any(),
            "top_action": rows["action"][at_top].groupby(group[at_top]).first(),
            "directed": grouped["directed"].all(),
            "fatalities_actor": grouped["fatalities_actor"].sum(min_count=1),
            "fatalities_victim": grouped["fatalities_victim"].sum(min_count=1),
            "n_events": grouped.size(),
            "outcome_checked_until": grouped["outcome_checked_until"].max(),
        }
    )
    keep = ~key.duplicated(keep="first").to_numpy()
    out = events[keep].copy()
    first = repeated[keep]
    found = summary.loc[key[keep].to_numpy()[first]]
    out.loc[first, "hostility"] = found["hostility"].to_numpy()
    out.loc[first, "action"] = np.where(found["war"], "war_battle", found["top_action"])
    for column in ("directed", "fatalities_actor", "fatalities_victim", "n_events"):
        out.loc[first, column] = found[column].to_numpy()
    out.loc[first, "outcome_checked_until"] = found["outcome_checked_until"].to_numpy()
    return out.astype(events.dtypes.to_dict()).reset_index(drop=True)


def select_model_sources(incidents: pd.DataFrame, sources: Iterable[str]) -> pd.DataFrame:
    """Keep the sources episodes are built from (MIE and MID 5 code the same confrontations)."""
    return incidents[incidents["source"].isin(list(sources))].reset_index(drop=True)


def unmodelled_sources(sources: Iterable[str], data: DataParams) -> list[str]:
    """Ingested sources that no model reads (not in data.model_sources), sorted.

    Their incidents sit in the incident table but never reach episodes, features or forecasts;
    an import a user expects to count must be named there too, so each is warned about. A
    label source (ICB) is read on purpose only to label triggers, so it is not.
    """
    return sorted(set(sources) - set(data.model_sources) - set(LABEL_SOURCES))


def unmodelled_warning(source: str) -> str:
    """One line telling the user a source is ingested but left out of the models."""
    return (
        f"source {source!r} is ingested but not in data.model_sources: episodes, features and "
        "forecasts leave it out (add it there to model on it)"
    )


def trigger_incidents(incidents: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """The incidents whose uses of force are triggers and answers (the episodes stage)."""
    return select_model_sources(incidents, data.trigger_sources)


def history_incidents(incidents: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """The incidents history features read: the trigger sources and the feeds used as history.

    The one answer to "which incidents are modelled": the features, record-age and train
    stages and the forecaster all select through it, so a forecast reads the history its
    models were trained on.
    """
    return select_model_sources(incidents, data.history_sources)


@dataclass(frozen=True)
class Responses:
    """How each trigger was answered, as far as the record's dates can tell.

    `delay`: days to the first answer known to lie after the trigger (a day-dated one on its
    day, a month-dated one whose whole month lies after the trigger on the month's last day);
    NaN when none. `answer`: that answer's row in the force table, -1 when none. `possible`:
    days to the earliest day a month-dated answer may have come (its month's first day, or the
    first day counted when the month holds the trigger), NaN when none; where it comes before
    `delay` the first answer's day is unknown, and so is every label between the two.
    """

    delay: np.ndarray
    answer: np.ndarray
    possible: np.ndarray

    def label_states(self, horizon: int, watched_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(answered, known) per trigger for the `horizon`-day label.

        Answered when the first sure answer came within the horizon; otherwise the label is
        known (False) only when the whole window was watched (`watched_days` from the trigger)
        and no month-dated answer may fall inside it.
        """
        answered = self.delay <= horizon
        quiet = (horizon <= np.asarray(watched_days)) & ~(self.possible <= horizon)
        return answered, answered | quiet


def first_response(
    force: pd.DataFrame, trigger_rows: np.ndarray, *, include_same_day: bool = False
) -> Responses:
    """Days from each trigger to the victim's first use of force back, and that answer's row.

    Triggers are rows of `force` (a `force_events(...)` table), given by position. A day-dated
    answer counts from the day after the trigger (from the same day when `include_same_day`,
    but never the clash the trigger's day holds). A month-dated answer is sure only when its
    whole month lies after the trigger, and is taken as seen on the month's last day (the
    latest it can have happened), so a label never rests on a guessed day; a month that reaches
    past the trigger may hold an answer from its first possible day on (`Responses.possible`).
    Rows and arrays only, no string ids: at 10^7 events a Python string per row would cost
    gigabytes.
    """
    rows = np.asarray(trigger_rows, dtype=np.int64)
    delay = np.full(len(rows), np.nan)
    answer = np.full(len(rows), -1, dtype=np.int64)
    possible = np.full(len(rows), np.nan)
    if len(rows) == 0 or len(force) == 0:
        return Responses(delay, answer, possible)
    actor = force["actor"].to_numpy(dtype=np.int64)
    victim = force["victim"].to_numpy(dtype=np.int64)
    day = day_numbers(force["date"])
    by_day = force["date_precision"].eq("day").to_numpy(dtype=bool)
    t = day[rows]
    start = t if include_same_day else t + 1
    requests = Queries.of(dyad_codes(victim[rows], actor[rows]), start)

    dated_rows = np.flatnonzero(by_day)
    dated_index = GroupedDays.build(
        dyad_codes(actor[dated_rows], victim[dated_rows]), day[dated_rows]
    )
    position = dated_index.first_at_or_after(requests)
    if include_same_day and len(dated_index):
        # A dyad-day holding a clash holds force both ways: the opposite direction's row that
        # day holds the same clash, so it is the trigger's own day, not an answer.
        undirected = ~force["directed"].to_numpy(dtype=bool)
        safe = np.clip(position, 0, len(dated_index) - 1)
        found_row = dated_rows[dated_index.order[safe]]
        own = (position >= 0) & (day[found_row] == t) & undirected[found_row] & undirected[rows]
        following = np.where(own, position + 1, position)
        valid_next = dated_index.in_group(following, dyad_codes(victim[rows], actor[rows]))
        position = np.where(own, np.where(valid_next, following, -1), position)
    if len(dated_index):
        found = position >= 0
        safe = np.clip(position, 0, len(dated_index) - 1)
        delay = np.where(found, dated_index.day_at(safe) - t, np.nan)
        answer = np.where(found, dated_rows[dated_index.order[safe]], -1)

    monthly_rows = np.flatnonzero(~by_day)
    if len(monthly_rows):
        first, last = month_bounds(force["date"].iloc[monthly_rows])
        month_groups = dyad_codes(actor[monthly_rows], victim[monthly_rows])
        month_index = GroupedDays.build(month_groups, first)
        position = month_index.first_at_or_after(requests)
        found = position >= 0
        row = month_index.order[np.clip(position, 0, len(month_index) - 1)]
        month_delay = np.where(found, last[row] - t, np.nan)
        earlier = found & ~(month_delay >= delay)
        delay = np.where(earlier, month_delay, delay)
        answer = np.where(earlier, monthly_rows[row], answer)
        # The first month whose last day is on or after the first day counted may hold an
        # answer from max(its first day, that day) on; months are ordered alike by either end.
        by_last = GroupedDays.build(month_groups, last)
        position = by_last.first_at_or_after(requests)
        found = position >= 0
        row = by_last.order[np.clip(position, 0, len(by_last) - 1)]
        possible = np.where(found, np.maximum(first[row], start) - t, np.nan)
    return Responses(delay, answer, possible)


def censor_dates(
    episodes_source: pd.Series, incidents: pd.DataFrame, coverage: Mapping[str, date | None]
) -> pd.Series:
    """Each trigger's censoring date: its source's coverage end, else that source's last date."""
    last_seen = incidents.groupby("source", sort=True)["date"].max()
    declared = {source: pd.Timestamp(end) for source, end in coverage.items() if end is not None}
    ends = {source: declared.get(source, last_seen.get(source)) for source in last_seen.index}
    ends.update(declared)
    return pd.to_datetime(episodes_source.map(ends)).astype("datetime64[ns]")


def trigger_ids(triggers: pd.DataFrame) -> pd.Series:
    """Each trigger's id, `<incident_id>:<actor>><victim>`: one incident may be two triggers
    (a clash, force both ways), one per direction."""
    return (
        triggers["incident_id"]
        + ":"
        + triggers["actor"].astype("string")
        + ">"
        + triggers["victim"].astype("string")
    )


def label_column(horizon: int) -> str:
    """Name of the H-day label column (retaliated_30d)."""
    return f"retaliated_{horizon}d"


def build_episodes(
    incidents: pd.DataFrame,
    params: EpisodeParams,
    coverage: Mapping[str, date | None] | None = None,
    selective_sources: Collection[str] = (),
    crises: CrisisTriggers | None = None,
) -> pd.DataFrame:
    """One row per directed dyad-day of day-dated force, with labels, timing and censoring.

    `incidents` should hold only the model sources (see `select_model_sources`). A label is True
    when a sure answer came within H days, even if the window runs past the censor date; False
    only when the whole window was watched and no month-dated answer may lie inside it; NA
    otherwise. A trigger of a selective source (`selective_sources`: it codes chosen exchanges,
    not every event) is watched only up to the `outcome_checked_until` its row states, so
    without one its "no answer" labels are NA; answers any source lists are still seen.
    `crises` (a crisis record's triggers) give each trigger its `crisis` flag (`crisis_flags`);
    without them every flag is NA, so the table has one shape with or without the record.
    """
    force = force_events(incidents, params.min_hostility)
    trigger_rows = np.flatnonzero(force["date_precision"].eq("day").to_numpy(dtype=bool))
    responses = first_response(force, trigger_rows, include_same_day=params.include_same_day)
    triggers = force.take(trigger_rows).reset_index(drop=True)
    triggers["day"] = day_numbers(triggers["date"]) if len(triggers) else np.array([], np.int64)
    t = triggers["day"].to_numpy(dtype=np.int64)
    coverage_end = censor_dates(triggers["source"], incidents, coverage or {})
    observed_days = (day_numbers(coverage_end) if len(triggers) else t) - t
    # An answer dated after the trigger's own source stops covering events is not observed.
    delay = np.where(responses.delay <= observed_days, responses.delay, np.nan)
    censor = watched_until(triggers, coverage_end, selective_sources)
    watched_days = (day_numbers(censor) if len(triggers) else t) - t
    # A sure answer is the first only when no month-dated answer may have come before it.
    seen = ~np.isnan(delay) & ~(responses.possible < delay)
    answer_id = force["incident_id"].take(np.where(seen, responses.answer, 0))
    answer_id = answer_id.reset_index(drop=True).where(pd.Series(seen), pd.NA)
    known = Responses(delay, responses.answer, responses.possible)

    episodes = pd.DataFrame(
        {
            "episode_id": trigger_ids(triggers),
            "incident_id": triggers["incident_id"],
            "date": triggers["date"].astype("datetime64[ns]"),
            "initiator": triggers["actor"],
            "target": triggers["victim"],
        }
    )
    for horizon in params.horizons:
        answered, settled = known.label_states(horizon, watched_days)
        label = pd.array(answered, dtype="boolean")
        label[~settled] = pd.NA
        episodes[label_column(horizon)] = label
    # Without a sure first answer the trigger is censored at the last day known to be quiet:
    # the day before a month-dated answer may have come, or the end of what was watched.
    quiet_days = np.fmin(np.maximum(watched_days, 0), responses.possible - 1)
    episodes["days_to_retaliation"] = pd.Series(np.where(seen, delay, np.nan)).astype("Int64")
    episodes["event_observed"] = seen
    episodes["duration"] = np.where(seen, delay, np.maximum(quiet_days, 0)).astype(np.int64)
    episodes["retaliation_incident_id"] = answer_id.astype("string")
    episodes["source"] = triggers["source"]
    episodes["action"] = triggers["action"]
    episodes["hostility"] = triggers["hostility"]
    episodes["directed"] = triggers["directed"].astype(bool)
    episodes["dispute_id"] = triggers["dispute_id"]
    episodes["fatalities_initiator"] = triggers["fatalities_actor"]
    episodes["fatalities_target"] = triggers["fatalities_victim"]
    episodes["target_kind"] = triggers["target_kind"]
    episodes["limited_force"] = limited_force(triggers["hostility"], triggers["action"])
    episodes["crisis"] = crisis_flags(episodes, crises)
    episodes["n_events"] = triggers["n_events"].astype(np.int64)
    episodes["censor_date"] = censor
    episodes["year"] = triggers["date"].dt.year.astype("int64")
    return episodes.reset_index(drop=True)


def watched_until(
    triggers: pd.DataFrame, coverage_end: pd.Series, selective_sources: Collection[str]
) -> pd.Series:
    """The last day each trigger was watched for an answer: its source's coverage end, or, for
    a selective source, the `outcome_checked_until` its row states (its own day when none)."""
    selective = triggers["source"].isin(list(selective_sources)).to_numpy(dtype=bool)
    if not selective.any():
        return coverage_end
    checked = pd.to_datetime(triggers["outcome_checked_until"]).astype("datetime64[ns]")
    stated = checked.fillna(triggers["date"].astype("datetime64[ns]"))
    stated = stated.where(stated <= coverage_end, coverage_end)
    return coverage_end.where(~selective, stated)


@dataclass(frozen=True)
class CrisisTriggers:
    """Acts that opened an international crisis, and the days the crisis record covers.

    `acts` holds one row per act: `initiator` and `target` (COW codes), `date` and
    `date_precision` (`day`, or `month` when the record knows only the month). The record is
    taken to list every such act between `start` and `end`, so a trigger there that matches none
    did not open a crisis; before `start` and after `end` it says nothing.
    """

    acts: pd.DataFrame
    start: date
    end: date


def crisis_flags(triggers: pd.DataFrame, crises: CrisisTriggers | None) -> pd.Series:
    """Per trigger, whether it opened a crisis: True, False, or NA where nothing is known.

    A trigger (`initiator`, `target`, `date`) opened a crisis when an act of the record has the
    same initiator and target and the same day, or, for an act the record dates only to the
    month, falls in that month. The day must be the same: a wider window adds neighbouring
    strikes of the dyad, some made after the target had already answered, and nothing tells
    which of them the record meant. The flag is NA outside the record's span and
    everywhere without a record (`crises` None). A crisis record is coded after the fact, so
    the flag is hindsight in training; at forecast time it stands for an analyst's judgement
    of the first days (docs/data-sources.md).
    """
    flags = pd.Series(pd.NA, index=triggers.index, dtype="boolean")
    if crises is None or not len(triggers):
        return flags
    acts = crises.acts
    by_day = acts["date_precision"].eq("day").to_numpy(dtype=bool)
    days = day_numbers(triggers["date"])
    matched = _directed_keys(triggers, days).isin(
        _directed_keys(acts[by_day], day_numbers(acts["date"][by_day]))
    ) | _directed_keys(triggers, month_numbers(triggers["date"])).isin(
        _directed_keys(acts[~by_day], month_numbers(acts["date"][~by_day]))
    )
    first, last = (np.datetime64(day, "D").astype(np.int64) for day in (crises.start, crises.end))
    outside = (days < first) | (days > last)
    return pd.Series(pd.array(matched, dtype="boolean"), index=triggers.index).mask(outside)


def _directed_keys(rows: pd.DataFrame, periods: np.ndarray) -> pd.MultiIndex:
    """(initiator, target, day or month number) per row: a hashed key of the directed dyad
    and the period, so matching triggers to acts is one set look-up, not a loop."""
    return pd.MultiIndex.from_arrays(
        [
            rows["initiator"].to_numpy(dtype=np.int64),
            rows["target"].to_numpy(dtype=np.int64),
            np.asarray(periods, dtype=np.int64),
        ]
    )


@dataclass(frozen=True)
class CrisisCounts:
    """How the crisis flag fell on a table of episodes: the counts the episodes stage reports.

    `crisis` triggers lie in `crisis_dyads` directed dyads; the `limited_force` ones (hostility
    4 outside war battles) in `limited_force_dyads`; `not_crisis` lie in the record's span and
    match no act; `unknown` lie outside it, or there is no record.
    """

    crisis: int
    crisis_dyads: int
    limited_force: int
    limited_force_dyads: int
    not_crisis: int
    unknown: int


def count_crises(episodes: pd.DataFrame) -> CrisisCounts:
    """Count the triggers the crisis flag marks, does not mark and leaves unknown."""
    flag = episodes["crisis"].astype("boolean")
    crisis = episodes[flag.fillna(False).to_numpy(dtype=bool)]
    limited = crisis[crisis["limited_force"].to_numpy(dtype=bool)]
    return CrisisCounts(
        crisis=len(crisis),
        crisis_dyads=len(crisis[["initiator", "target"]].drop_duplicates()),
        limited_force=len(limited),
        limited_force_dyads=len(limited[["initiator", "target"]].drop_duplicates()),
        not_crisis=int((~flag).fillna(False).sum()),
        unknown=int(flag.isna().sum()),
    )


def undated_force_by_source(incidents: pd.DataFrame, min_hostility: int) -> pd.Series:
    """Uses of force (both directions of clashes) that cannot be triggers: day not known."""
    force = force_events(incidents, min_hostility)
    undated = force[force["date_precision"] != "day"]
    return undated.groupby("source", sort=True).size()


def summarise_episodes(episodes: pd.DataFrame, horizons: Iterable[int]) -> pd.DataFrame:
    """Per source: triggers, retaliation rate per horizon (over uncensored labels), share
    censored per horizon, and the quartiles of days to retaliation among observed answers."""
    horizons = list(horizons)
    rows = []
    for source, group in episodes.groupby("source", sort=True):
        row: dict[str, object] = {"source": source, "triggers": len(group)}
        for horizon in horizons:
            label = group[label_column(horizon)]
            row[f"rate_{horizon}d"] = float(label.mean()) if label.notna().any() else np.nan
            row[f"censored_{horizon}d"] = float(label.isna().mean())
        days = group["days_to_retaliation"].dropna().astype(float)
        for name, q in (("days_q1", 0.25), ("days_median", 0.5), ("days_q3", 0.75)):
            row[name] = float(days.quantile(q)) if len(days) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
