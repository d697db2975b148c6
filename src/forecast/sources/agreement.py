"""How well an event feed agrees with a reference source (MIE) on uses of force.

Both sides become directed dyad-days of force (`forecast.episodes.force_events`: clashes count
for both sides), restricted to the stretches both cover (the feed's coverage windows inside
the reference's span) and to day-precise reference events. Then:

- recall within k days: the share of reference dyad-days with a feed dyad-day on the same
  directed dyad at most k days away; precision within k days: the converse;
- dyad-week recall and precision: the same on (directed dyad, ISO week);
- why recall is low: the share of reference dyad-days whose two states the feed names at all
  (as a state actor in any row; and as bare countries, the actors of most interstate force
  reports), and the recall within those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.core.errors import ForecastError
from forecast.episodes import force_events
from forecast.sources.feed_reduce import FeedResult
from forecast.sources.mie import COVERAGE as MIE_COVERAGE

WITHIN_DAYS = (1, 3)
KEY = ["actor", "victim"]


@dataclass
class Agreement:
    """Agreement figures; tables are DataFrames so the CLI and docs show the same numbers."""

    windows: list[tuple[date, date]]
    overall: pd.DataFrame  # measure, reference, feed, recall, precision
    by_year: pd.DataFrame
    largest_dyads: pd.DataFrame
    reach: dict[str, float] = field(default_factory=dict)
    month_precision_dropped: int = 0


def _both_named(ref: pd.DataFrame, states: frozenset[int]) -> np.ndarray:
    seen = np.array(sorted(states), dtype=np.int64)
    return np.isin(ref["actor"].to_numpy(), seen) & np.isin(ref["victim"].to_numpy(), seen)


def dyad_days(incidents: pd.DataFrame, windows: list[tuple[date, date]]) -> pd.DataFrame:
    """Distinct (actor, victim, date) of force inside the windows, day-precise events only."""
    return _dyad_days(force_events(incidents), windows, "day")


def _dyad_days(
    events: pd.DataFrame, windows: list[tuple[date, date]], precision: str
) -> pd.DataFrame:
    """Distinct (actor, victim, date) of force events inside the windows, of one precision."""
    events = events[events["date_precision"] == precision]
    inside = np.zeros(len(events), dtype=bool)
    days = events["date"].to_numpy(dtype="datetime64[ns]")
    for first, last in windows:
        inside |= (days >= np.datetime64(first, "ns")) & (days <= np.datetime64(last, "ns"))
    return (
        events.loc[inside, [*KEY, "date"]]
        .drop_duplicates()
        .sort_values([*KEY, "date"], kind="stable")
        .reset_index(drop=True)
    )


def matched_within(ours: pd.DataFrame, theirs: pd.DataFrame, days: int) -> np.ndarray:
    """For each of our dyad-days, whether theirs has the same directed dyad within `days`."""
    if ours.empty or theirs.empty:
        return np.zeros(len(ours), dtype=bool)
    left = ours.assign(_order=np.arange(len(ours))).sort_values("date", kind="stable")
    right = theirs.assign(_hit=True).sort_values("date", kind="stable")
    joined = pd.merge_asof(
        left,
        right,
        on="date",
        by=KEY,
        direction="nearest",
        tolerance=pd.Timedelta(days=days),
    )
    hit = np.zeros(len(ours), dtype=bool)
    hit[joined["_order"].to_numpy()] = joined["_hit"].fillna(False).to_numpy(dtype=bool)
    return hit


def _weeks(frame: pd.DataFrame) -> pd.DataFrame:
    week = frame["date"].dt.to_period("W-SUN").dt.start_time
    return frame[KEY].assign(week=week).drop_duplicates()


def _share(hits: np.ndarray) -> float:
    return float(hits.mean()) if len(hits) else float("nan")


def overlap(
    feed_windows: list[tuple[date, date]], span: tuple[date, date]
) -> list[tuple[date, date]]:
    """The feed's windows cut to the reference's span: the stretches both cover."""
    cut = [(max(a, span[0]), min(b, span[1])) for a, b in feed_windows]
    return [(a, b) for a, b in cut if a <= b]


def measure_agreement(
    reference: pd.DataFrame,
    feed: pd.DataFrame,
    *,
    feed_windows: list[tuple[date, date]],
    reference_span: tuple[date, date],
    states_seen: frozenset[int],
    countries_seen: frozenset[int] = frozenset(),
    top: int = 10,
) -> Agreement:
    """Recall and precision of the feed against the reference (module docstring)."""
    windows = overlap(feed_windows, reference_span)
    if not windows:
        raise ForecastError(
            "the feed and the reference cover no common day: agreement cannot be measured"
        )
    reference_force = force_events(reference)
    ref, ours = _dyad_days(reference_force, windows, "day"), dyad_days(feed, windows)
    month_only = len(_dyad_days(reference_force, windows, "month"))
    recall = {k: matched_within(ref, ours, k) for k in WITHIN_DAYS}
    precision = {k: matched_within(ours, ref, k) for k in WITHIN_DAYS}
    ref_weeks, feed_weeks = _weeks(ref), _weeks(ours)
    week_hits = ref_weeks.merge(feed_weeks, on=[*KEY, "week"], how="left", indicator=True)
    feed_week_hits = feed_weeks.merge(ref_weeks, on=[*KEY, "week"], how="left", indicator=True)
    rows = [
        (
            f"dyad-day within {k} day{'s' if k > 1 else ''}",
            len(ref),
            len(ours),
            _share(recall[k]),
            _share(precision[k]),
        )
        for k in WITHIN_DAYS
    ]
    rows.append(
        (
            "dyad-week",
            len(ref_weeks),
            len(feed_weeks),
            _share((week_hits["_merge"] == "both").to_numpy()),
            _share((feed_week_hits["_merge"] == "both").to_numpy()),
        )
    )
    overall = pd.DataFrame(rows, columns=["measure", "reference", "feed", "recall", "precision"])
    by_year = _by_year(ref, ours, recall[1], precision[1])
    largest = _largest_dyads(ref, ours, recall[1], precision[1], top)
    reach = {"reference_dyad_days": float(len(ref))}
    for label, states in (("state_actor", states_seen), ("country", countries_seen)):
        named = _both_named(ref, states)
        reach[f"share_both_named_as_{label}"] = _share(named)
        reach[f"recall_1d_where_both_named_as_{label}"] = _share(recall[1][named])
    return Agreement(windows, overall, by_year, largest, reach, month_only)


def agreement_with_mie(mie: pd.DataFrame, feed: FeedResult, *, top: int = 10) -> Agreement:
    """`measure_agreement` of a feed read by its adapter against MIE's incidents."""
    return measure_agreement(
        mie,
        feed.incidents,
        feed_windows=list(feed.coverage.windows or ()),
        reference_span=(MIE_COVERAGE.start, MIE_COVERAGE.end),
        states_seen=feed.states_seen,
        countries_seen=feed.countries_seen,
        top=top,
    )


def _by_year(
    ref: pd.DataFrame, ours: pd.DataFrame, recall: np.ndarray, precision: np.ndarray
) -> pd.DataFrame:
    ref, ours = ref.assign(year=ref["date"].dt.year), ours.assign(year=ours["date"].dt.year)
    table = _recall_precision_by(["year"], ref, ours, recall, precision)
    return table.reset_index().astype({"year": str})


def _largest_dyads(
    ref: pd.DataFrame, ours: pd.DataFrame, recall: np.ndarray, precision: np.ndarray, top: int
) -> pd.DataFrame:
    table = _recall_precision_by(KEY, ref, ours, recall, precision)
    table = table.sort_values(["reference", "feed"], ascending=False, kind="stable").head(top)
    return table.reset_index()


def _recall_precision_by(
    keys: list[str],
    ref: pd.DataFrame,
    ours: pd.DataFrame,
    recall: np.ndarray,
    precision: np.ndarray,
) -> pd.DataFrame:
    """Dyad-days, recall and precision per group of `keys`; a side with none there counts 0."""
    left = ref.assign(hit=recall).groupby(keys)["hit"]
    right = ours.assign(hit=precision).groupby(keys)["hit"]
    table = pd.concat(
        [
            left.size().rename("reference"),
            right.size().rename("feed"),
            left.mean().rename("recall"),
            right.mean().rename("precision"),
        ],
        axis=1,
    )
    return table.fillna({"reference": 0, "feed": 0}).astype({"reference": int, "feed": int})
