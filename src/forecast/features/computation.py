"""Leak-free features for each trigger: its own attributes, the dyad's history and covariates.

Every history feature is computed from events whose day is known to lie strictly before the
trigger's day, so one call serves training (triggers from the past) and prediction (a new
incident against the whole history). The work is columnar: events are indexed once as sorted
(group, day) keys (`forecast.features.index`, built on `forecast.episodes.GroupedDays`) and every
trigger is answered by binary searches and prefix sums; the only Python loops run over the few
windows and horizons. A caller that keeps the index (a forecaster) pays for it only once.
The columns, their order and what each means are `forecast.features.registry`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from forecast.core.config import FeatureParams
from forecast.core.contracts import FORCE_ATTRIBUTES
from forecast.core.coverage import record_ages_years
from forecast.episodes import GroupedDays, Queries, day_numbers, dyad_codes
from forecast.features.index import AnsweringRecords, DyadHistory, HistoryIndex
from forecast.features.registry import (
    ACTION_GROUPS,
    ACTIVITY_DAYS,
    NEUTRAL_CAPABILITY_SHARE,
    NEUTRAL_LOG_DISTANCE,
    NEUTRAL_RATE,
    RECORD_AGE,
    feature_specs,
)

TRIGGER_COLUMNS = [
    "episode_id",
    "incident_id",
    "date",
    *FORCE_ATTRIBUTES,
    "dispute_id",
]

# Which days window features are counted back from: the record's end (what a model trained
# across the same gap reads) or the trigger's day (how a model that ignores the gap reads it).
Anchor = Literal["record_end", "trigger"]
# Which events say "the target just hit the initiator": those known (the record, plus what
# selective sources list after its end) or all events (a training world where the analyst
# knows the recent past).
Context = Literal["known", "all"]


def build_features(
    triggers: pd.DataFrame,
    events: pd.DataFrame,
    covariates: pd.DataFrame | None,
    params: FeatureParams,
    horizons: Sequence[int],
    *,
    include_same_day: bool = False,
    coverage: Mapping[str, date | None] | None = None,
    selective_sources: Iterable[str] = (),
    record_end: np.ndarray | None = None,
    anchor: Anchor = "record_end",
    context: Context = "known",
    progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
) -> pd.DataFrame:
    """`episode_id` plus one float64 column per registry feature, one row per trigger.

    `events` is `force_events(...)` of the history; events dated on or after a trigger's day
    (the trigger included) are never used for it. `coverage` ({source: end date}) keeps a past
    trigger's unanswered window out of the answering records when its source stopped covering
    events before the window closed; it is fixed outside the data, so it leaks nothing.
    `record_end` (day numbers, one per trigger, at most its day; default the trigger's day) is
    where the systematic record stops (`forecast.core.coverage`): history is read only before it,
    counted back from it (or from the trigger's day with `anchor="trigger"`, the naive reading
    that takes unobserved days for quiet ones), and events of `selective_sources` after it are
    known events. `progress` wraps the list of stage names (e.g. tqdm) for long runs.
    """
    history = HistoryIndex(
        events,
        include_same_day=include_same_day,
        coverage=coverage,
        selective_sources=selective_sources,
    )
    return indexed_features(
        triggers,
        history,
        covariates,
        params,
        horizons,
        record_end=record_end,
        anchor=anchor,
        context=context,
        progress=progress,
    )


def indexed_features(
    triggers: pd.DataFrame,
    history: HistoryIndex,
    covariates: pd.DataFrame | None,
    params: FeatureParams,
    horizons: Sequence[int],
    *,
    record_end: np.ndarray | None = None,
    anchor: Anchor = "record_end",
    context: Context = "known",
    progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
) -> pd.DataFrame:
    """`build_features` against a history indexed beforehand: the same numbers, less work.

    A caller scoring many small batches against one history keeps a `HistoryIndex` built with
    `keep=True` and passes it here, so the history is sorted and searched-for only once.
    """
    triggers = triggers.reset_index(drop=True)
    t = day_numbers(triggers["date"]) if len(triggers) else np.array([], np.int64)
    days = RecordDays.of(t, record_end, anchor)
    stages: dict[str, Callable[[], Iterable[tuple[str, np.ndarray]]]] = {
        "trigger": lambda: _trigger_features(triggers, params),
        "dyad history": lambda: _history_features(triggers, days, history.dyads(), params, context),
        "answering records": lambda: _answering_features(
            triggers, days.end, history.answering(), horizons, params
        ),
        "covariates": lambda: _covariate_features(triggers, covariates).items(),
    }
    names = [spec.name for spec in feature_specs(params, horizons)]
    column_of = {name: position for position, name in enumerate(names)}
    # One column-major 2-D block filled stage by stage: at 10^7 triggers the table is gigabytes,
    # so no second copy of it is ever held, and pandas adopts the block without copying.
    matrix = np.empty((len(triggers), len(names)), dtype=np.float64, order="F")
    filled: set[str] = set()
    for stage in progress(list(stages)) if progress else stages:
        # Each column is written as soon as it is made, so no stage holds all of its columns.
        for name, values in stages[stage]():
            matrix[:, column_of[name]] = values
            filled.add(name)
    if filled != set(names):
        raise AssertionError(f"registry and feature code disagree on {set(names) ^ filled}")
    features = pd.DataFrame(matrix, columns=names, index=triggers.index, copy=False)
    features.insert(0, "episode_id", triggers["episode_id"].astype("string"))
    return features


@dataclass(frozen=True)
class RecordDays:
    """Per trigger: its day, the record's end and the day windows are counted back from.

    `current` (every record reaches its trigger's day, the common case) and `anchored_at_end`
    are decided once, so the feature stages take the single-pass path without comparing
    arrays again.
    """

    t: np.ndarray
    end: np.ndarray
    anchor: np.ndarray
    current: bool
    anchored_at_end: bool

    @classmethod
    def of(cls, t: np.ndarray, record_end: np.ndarray | None, anchor: Anchor) -> RecordDays:
        if record_end is None:
            end, current = t, True
        else:
            end = np.minimum(np.asarray(record_end, dtype=np.int64), t)
            current = bool(np.array_equal(end, t))
        at_end = anchor == "record_end" or current
        return cls(
            t=t, end=end, anchor=end if at_end else t, current=current, anchored_at_end=at_end
        )


def _flag(mask: np.ndarray | pd.Series) -> np.ndarray:
    return np.asarray(mask, dtype=bool).astype(np.float64)


def _trigger_features(
    triggers: pd.DataFrame, params: FeatureParams
) -> Iterator[tuple[str, np.ndarray]]:
    """The trigger's own attributes: known on its day by definition."""
    action = triggers["action"].astype("string").fillna("other")
    yield "hostility", triggers["hostility"].to_numpy(dtype=float)
    grouped = np.zeros(len(triggers), dtype=bool)
    for group, actions in ACTION_GROUPS.items():
        member = action.isin(actions).to_numpy(dtype=bool)
        yield f"action_{group}", _flag(member)
        grouped |= member
    yield "action_other", _flag(~grouped)
    for side in ("initiator", "target"):
        fatalities = pd.to_numeric(triggers[f"fatalities_{side}"], errors="coerce").astype(float)
        known = fatalities.notna().to_numpy()
        yield f"log_fatalities_{side}", np.where(known, np.log1p(fatalities.fillna(0.0)), 0.0)
        yield f"fatalities_{side}_missing", _flag(~known)
    kind = (
        triggers["target_kind"].astype("string").fillna("unknown")
        if "target_kind" in triggers
        else pd.Series("unknown", index=triggers.index, dtype="string")
    )
    yield "target_is_state", _flag(kind.eq("state").to_numpy(dtype=bool))
    yield "target_kind_missing", _flag(~kind.isin(["state", "non_state"]).to_numpy(dtype=bool))
    dispute = triggers["dispute_id"]
    yield "dispute_id_missing", _flag(dispute.isna().to_numpy())


def _window_counts(
    index: GroupedDays,
    at_end: Queries,
    groups: np.ndarray,
    days: RecordDays,
    lengths: Sequence[int],
) -> Iterator[tuple[int, np.ndarray]]:
    """(length, events in [anchor - length, record end)) for each length.

    `at_end` asks for `groups` at the record's end. Anchored there this is `window_counts` at
    that day, one search for the end shared by every length; anchored at the trigger, a window
    reaching past the record's end counts only the observed part of it.
    """
    if days.anchored_at_end:
        yield from index.window_counts(at_end, lengths)
        return
    stop = index.count_before(at_end)
    from_anchor = Queries.of(groups, days.anchor)
    for length in lengths:
        yield length, np.maximum(stop - index.count_before(from_anchor, -length), 0)


def _known_response_counts(
    history: DyadHistory,
    at_end: Queries,
    backward: np.ndarray,
    days: RecordDays,
    lengths: Sequence[int],
    context: Context,
) -> dict[int, np.ndarray]:
    """Uses of force by the target against the initiator in the `length` days before a trigger
    whose record ends before it, that are known: in the record, or listed by a selective source
    after its end (all of them with `context="all"`)."""
    if context == "all":
        return dict(history.by_dyad.window_counts(Queries.of(backward, days.t), lengths))
    # The record's part of [t - length, t): events in [t - length, end).
    stop = history.by_dyad.count_before(at_end)
    from_trigger = Queries.of(backward, days.t)
    counts = {
        length: np.maximum(stop - history.by_dyad.count_before(from_trigger, -length), 0)
        for length in lengths
    }
    selective = history.by_dyad_selective
    if selective is not None and len(selective):
        after_end = selective.count_before(from_trigger)
        for length in lengths:
            start = np.maximum(days.t - length, days.end)
            counts[length] = (
                counts[length] + after_end - selective.count_before(Queries.of(backward, start))
            )
    return counts


def _history_features(
    triggers: pd.DataFrame,
    days: RecordDays,
    history: DyadHistory,
    params: FeatureParams,
    context: Context,
) -> Iterator[tuple[str, np.ndarray]]:
    """Force in the dyad, by each side and in the confrontation, known before the trigger.

    Every count stops at the record's end; the 'is this trigger itself an answer' flags read
    the days just before the trigger from known events. While the record reaches the trigger
    those are the record's own counts, taken in the same pass as the other windows.
    """
    initiator = triggers["initiator"].to_numpy(dtype=np.int64)
    target = triggers["target"].to_numpy(dtype=np.int64)
    directions = {
        "initiator_to_target": dyad_codes(initiator, target),
        "target_to_initiator": dyad_codes(target, initiator),
    }
    # One sort of each direction's requests at the record's end serves every search below.
    at_end = {name: Queries.of(codes, days.end) for name, codes in directions.items()}

    short, long = params.escalation_short_days, params.escalation_long_days
    recent = np.zeros(len(days.t))
    longer = np.zeros(len(days.t))
    in_pass = params.response_windows if days.current else []
    lengths = sorted({*params.windows, *in_pass, short, long})
    responses: dict[int, np.ndarray] = {}
    for direction, codes in directions.items():
        for window, counts in _window_counts(
            history.by_dyad, at_end[direction], codes, days, lengths
        ):
            if window in in_pass and direction == "target_to_initiator":
                responses[window] = counts > 0
            counts = counts.astype(float)
            if window in params.windows:
                yield f"force_{window}d_{direction}", counts
            if window == short:
                recent += counts
            if window == long:
                longer += counts
    yield "escalation_trend", np.log((recent + 1.0) / (longer * short / long + 1.0))
    if not days.current:
        known = _known_response_counts(
            history,
            at_end["target_to_initiator"],
            directions["target_to_initiator"],
            days,
            sorted(params.response_windows),
            context,
        )
        responses = {window: counts > 0 for window, counts in known.items()}
    for window in params.response_windows:
        yield f"is_response_{window}d", _flag(responses[window])
    yield RECORD_AGE, record_ages_years(days.t, days.end)

    cap = max(params.windows)
    for direction in directions:
        last = history.by_dyad.last_day_before(at_end[direction])
        never = last < 0
        since = days.anchor - last
        yield f"days_since_force_{direction}", np.where(never, cap, np.minimum(since, cap))
        yield f"never_force_{direction}", _flag(never)

    for side, states in (("initiator", initiator), ("target", target)):
        ((_, activity),) = _window_counts(
            history.by_actor, Queries.of(states, days.end), states, days, [ACTIVITY_DAYS]
        )
        yield f"{side}_force_any_{ACTIVITY_DAYS}d", activity.astype(float)

    yield "dispute_prior_events", _dispute_prior_events(triggers, days.end, history)


def _dispute_prior_events(
    triggers: pd.DataFrame, end: np.ndarray, history: DyadHistory
) -> np.ndarray:
    """Incidents of the trigger's confrontation in the record (a clash counts once)."""
    codes = history.dispute_codes(triggers["dispute_id"])
    has_dispute = codes >= 0
    counts = history.by_dispute.count_before(Queries.of(np.where(has_dispute, codes, 0), end))
    return np.where(has_dispute, counts, 0).astype(float)


def _answering_features(
    triggers: pd.DataFrame,
    t: np.ndarray,
    records: AnsweringRecords,
    horizons: Sequence[int],
    params: FeatureParams,
) -> Iterator[tuple[str, np.ndarray]]:
    """How often the target answered past triggers, over windows closed before the record's end.

    A trigger whose record ends on day E (its own day while observed) counts only past triggers
    whose H-day label was known before E (past day + H < E), through prefix sums of "answered"
    over past days, per dyad, per target and overall.
    """
    initiator = triggers["initiator"].to_numpy(dtype=np.int64)
    target = triggers["target"].to_numpy(dtype=np.int64)
    queries = {
        "overall": Queries.of(np.zeros(len(t), np.int64), t),
        "dyad": Queries.of(dyad_codes(initiator, target), t),
        "target": Queries.of(target, t),
    }
    k = params.shrinkage_strength
    for horizon in horizons:
        counts = records.counts_before(horizon, queries)
        n_all, a_all = counts["overall"]
        overall = np.where(n_all > 0, a_all / np.maximum(n_all, 1.0), NEUTRAL_RATE)
        n_dyad, a_dyad = counts["dyad"]
        n_any, a_any = counts["target"]
        yield f"target_answer_rate_{horizon}d", _shrunk(a_dyad, n_dyad, overall, k)
        yield f"target_answer_record_{horizon}d", n_dyad
        yield f"target_answer_rate_any_{horizon}d", _shrunk(a_any, n_any, overall, k)


def _shrunk(answered: np.ndarray, n: np.ndarray, prior: np.ndarray, k: float) -> np.ndarray:
    """(answered + k * prior) / (n + k); the prior itself when there is nothing to shrink."""
    denominator = n + k
    return np.where(denominator > 0, (answered + k * prior) / np.maximum(denominator, 1e-12), prior)


def _covariate_features(
    triggers: pd.DataFrame, covariates: pd.DataFrame | None
) -> dict[str, np.ndarray]:
    """Dyad-year covariates as of the year before the trigger, neutral and flagged if absent."""
    wanted_year = triggers["date"].dt.year.to_numpy(dtype=np.int64) - 1
    dyads = pd.DataFrame(
        {
            "ccode1": triggers["initiator"].to_numpy(dtype=np.int64),
            "ccode2": triggers["target"].to_numpy(dtype=np.int64),
            "year": wanted_year,
        }
    )
    table = covariates_as_of(covariates, dyads)

    def numeric(column: str) -> np.ndarray:
        if column not in table:
            return np.full(len(table), np.nan)
        return table[column].to_numpy(dtype="float64", na_value=np.nan)

    covariate_year = numeric("covariate_year")
    found = ~np.isnan(covariate_year)
    carried = (found & (covariate_year < wanted_year)) | (numeric("carried_forward") > 0)
    contiguity = numeric("contiguity")
    distance = numeric("mindist_km")
    share = numeric("capability_share1")
    democracy = numeric("joint_democracy")
    # NaN compares False: an unknown flag is "no", and its gap is flagged separately.
    return {
        "contiguity_land": _flag(contiguity == 1),
        "contiguity_any": _flag(contiguity > 0),
        "log_distance_km": np.where(
            np.isnan(distance), NEUTRAL_LOG_DISTANCE, np.log1p(np.maximum(distance, 0.0))
        ),
        "distance_missing": _flag(np.isnan(distance)),
        "capability_share_initiator": np.where(np.isnan(share), NEUTRAL_CAPABILITY_SHARE, share),
        "capability_missing": _flag(np.isnan(share)),
        "major_power_initiator": _flag(numeric("major1") > 0),
        "major_power_target": _flag(numeric("major2") > 0),
        "joint_democracy": _flag(democracy > 0),
        "democracy_missing": _flag(np.isnan(democracy)),
        "rivalry": _flag(numeric("rivalry") > 0),
        "defense_alliance": _flag(numeric("defense_alliance") > 0),
        "covariates_missing": _flag(~found),
        "covariates_carried_forward": _flag(carried & found),
    }


def covariates_as_of(covariates: pd.DataFrame | None, dyads: pd.DataFrame) -> pd.DataFrame:
    """For each (ccode1, ccode2, year), the dyad's latest covariate row at or before that year.

    Uses `forecast.sources.covariates.covariates_as_of` when the data layer provides it;
    otherwise an as-of join over the documented dyad-year schema. Rows with no match have NA values
    and NA `covariate_year`. A missing table gives all-NA rows, so features are flagged, not
    invented.
    """
    if covariates is None or len(covariates) == 0 or len(dyads) == 0:
        return dyads.assign(covariate_year=pd.array([pd.NA] * len(dyads), dtype="Int64"))
    try:
        from forecast.sources.covariates import covariates_as_of as library_as_of
    except ImportError:
        library_as_of = None
    if library_as_of is not None:
        return library_as_of(covariates, dyads).reset_index(drop=True)
    table = covariates.assign(covariate_year=covariates["year"].astype("int64"))
    table = table.sort_values("covariate_year", kind="stable")
    request = dyads.assign(_row=np.arange(len(dyads)), year=dyads["year"].astype("int64"))
    joined = pd.merge_asof(
        request.sort_values("year", kind="stable"),
        table.drop(columns="year"),
        left_on="year",
        right_on="covariate_year",
        by=["ccode1", "ccode2"],
        direction="backward",
    )
    return joined.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)
