"""`forecast data agree`: recall and precision of a feed against MIE on tiny tables."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from forecast.core.contracts import conform
from forecast.core.errors import ForecastError
from forecast.sources.agreement import matched_within, measure_agreement, overlap


def incidents(rows: list[tuple[str, int, int, str]], source: str) -> pd.DataFrame:
    """Canonical incidents from (date, initiator, target, action) rows, hostility 4."""
    return conform(
        pd.DataFrame(
            {
                "incident_id": [f"{source}-{n}" for n in range(len(rows))],
                "source": source,
                "date": pd.to_datetime([r[0] for r in rows]),
                "date_precision": "day",
                "initiator": [r[1] for r in rows],
                "target": [r[2] for r in rows],
                "action": [r[3] for r in rows],
                "hostility": 4,
                "directed": [r[3] != "clash" for r in rows],
                "target_kind": "state",
            }
        )
    )


MIE = incidents(
    [
        ("2018-05-10", 666, 652, "attack"),  # found the same day
        ("2018-05-20", 666, 652, "attack"),  # found two days later: only within 3 days
        ("2018-06-01", 750, 770, "clash"),  # both directions, neither in the feed
        ("2018-07-01", 2, 645, "attack"),  # a dyad whose states the feed never names
    ],
    "mie",
)
FEED = incidents(
    [
        ("2018-05-10", 666, 652, "attack"),
        ("2018-05-22", 666, 652, "attack"),
        ("2018-05-11", 652, 666, "attack"),  # the other direction: not a match for 666->652
        ("2018-06-01", 750, 710, "attack"),  # names India, not Pakistan as a target
    ],
    "feed",
)
SPAN = (date(2018, 1, 1), date(2018, 12, 31))


def test_recall_and_precision_within_one_and_three_days() -> None:
    result = measure_agreement(
        MIE,
        FEED,
        feed_windows=[SPAN],
        reference_span=SPAN,
        states_seen=frozenset({666, 652, 750, 710, 770}),
    )
    overall = result.overall.set_index("measure")
    # MIE dyad-days: ISR>SYR twice, IND>PAK, PAK>IND, USA>IRQ = 5; feed dyad-days: 4.
    assert overall.loc["dyad-day within 1 day", ["reference", "feed"]].tolist() == [5, 4]
    assert overall.loc["dyad-day within 1 day", "recall"] == pytest.approx(1 / 5)
    assert overall.loc["dyad-day within 3 days", "recall"] == pytest.approx(2 / 5)
    assert overall.loc["dyad-day within 3 days", "precision"] == pytest.approx(2 / 4)


def test_why_recall_is_low_names_the_states_the_feed_contains() -> None:
    result = measure_agreement(
        MIE,
        FEED,
        feed_windows=[SPAN],
        reference_span=SPAN,
        states_seen=frozenset({666, 652, 750, 770}),
        countries_seen=frozenset({666, 652}),
    )
    # USA->IRQ is the only MIE dyad-day whose states the feed never names.
    assert result.reach["share_both_named_as_state_actor"] == pytest.approx(4 / 5)
    assert result.reach["recall_1d_where_both_named_as_state_actor"] == pytest.approx(1 / 4)
    assert result.reach["share_both_named_as_country"] == pytest.approx(2 / 5)
    assert result.reach["recall_1d_where_both_named_as_country"] == pytest.approx(1 / 2)


def test_only_stretches_both_cover_are_compared() -> None:
    windows = [(date(2018, 5, 1), date(2018, 5, 15))]
    result = measure_agreement(
        MIE, FEED, feed_windows=windows, reference_span=SPAN, states_seen=frozenset()
    )
    assert result.overall.iloc[0]["reference"] == 1  # only 10 May is inside the window
    assert overlap(
        [(date(2014, 6, 1), date(2015, 3, 1))], (date(1816, 1, 1), date(2014, 12, 31))
    ) == [(date(2014, 6, 1), date(2014, 12, 31))]
    with pytest.raises(ForecastError, match="cover no common day"):
        measure_agreement(
            MIE,
            FEED,
            feed_windows=[(date(2019, 1, 1), date(2019, 2, 1))],
            reference_span=SPAN,
            states_seen=frozenset(),
        )


def test_largest_dyads_and_years() -> None:
    result = measure_agreement(
        MIE, FEED, feed_windows=[SPAN], reference_span=SPAN, states_seen=frozenset(), top=2
    )
    top = result.largest_dyads
    assert top[["actor", "victim", "reference"]].iloc[0].tolist() == [666, 652, 2]
    assert len(top) == 2
    assert result.by_year["year"].tolist() == ["2018"]


def test_matching_is_by_directed_dyad() -> None:
    ours = pd.DataFrame({"actor": [1], "victim": [2], "date": pd.to_datetime(["2018-01-01"])})
    theirs = pd.DataFrame({"actor": [2], "victim": [1], "date": pd.to_datetime(["2018-01-01"])})
    assert not matched_within(ours, theirs, 3)[0]
    assert matched_within(ours, ours, 0)[0]
