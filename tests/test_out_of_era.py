"""Labels and classes of an event-feed slice used as an out-of-era test set.

The slice below runs from 1 January to 31 March 2018; each table is a few feed incidents
(as `forecast.sources.feed_reduce` makes them) whose answers can be checked by eye.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.evaluation.out_of_era import label_slice, score_block

SLICE = (date(2018, 1, 1), date(2018, 3, 31))
INDIA, PAKISTAN, ISRAEL, SYRIA = 750, 770, 666, 652


def feed_incidents(*rows: tuple[str, int, int, str]) -> pd.DataFrame:
    """Canonical feed incidents from (day, initiator, target, action); clashes undirected."""
    frame = pd.DataFrame(rows, columns=["date", "initiator", "target", "action"])
    return pd.DataFrame(
        {
            "incident_id": [f"fx-{i}" for i in range(len(frame))],
            "source": "fx",
            "date": pd.to_datetime(frame["date"]),
            "date_precision": "day",
            "date_end": pd.NaT,
            "initiator": frame["initiator"].astype("int64"),
            "target": frame["target"].astype("int64"),
            "action": frame["action"],
            "hostility": 4,
            "directed": frame["action"] != "clash",
            "fatalities_initiator": pd.NA,
            "fatalities_target": pd.NA,
            "dispute_id": pd.NA,
            "target_kind": "unknown",
            "notes": "feed reports: 1",
        }
    )


def trigger(table: pd.DataFrame, initiator: int, target: int, day: str) -> pd.Series:
    rows = table[
        (table["initiator"] == initiator)
        & (table["target"] == target)
        & (table["date"] == pd.Timestamp(day))
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_clash_told_again_the_next_day_is_not_an_answer() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-10", INDIA, PAKISTAN, "clash"), ("2018-02-11", INDIA, PAKISTAN, "clash")
        ),
        SLICE,
        [7],
    )
    first = trigger(labelled, INDIA, PAKISTAN, "2018-02-10")
    assert pd.isna(first["days_to_answer"])
    assert not first["retaliated_7d"]


def test_a_clash_on_the_same_day_is_not_an_answer() -> None:
    labelled = label_slice(feed_incidents(("2018-02-10", INDIA, PAKISTAN, "clash")), SLICE, [7])
    assert len(labelled) == 2  # the clash is force by both sides: one trigger each way
    assert labelled["days_to_answer"].isna().all()


def test_a_new_action_the_next_day_answers() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-10", ISRAEL, SYRIA, "attack"),
            ("2018-02-11", SYRIA, ISRAEL, "occupation_of_territory"),
        ),
        SLICE,
        [7],
    )
    strike = trigger(labelled, ISRAEL, SYRIA, "2018-02-10")
    assert strike["days_to_answer"] == 1
    assert strike["retaliated_7d"]


def test_the_same_action_the_next_day_is_the_same_event_told_from_the_other_side() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-10", ISRAEL, SYRIA, "attack"), ("2018-02-11", SYRIA, ISRAEL, "attack")
        ),
        SLICE,
        [7],
    )
    assert pd.isna(trigger(labelled, ISRAEL, SYRIA, "2018-02-10")["days_to_answer"])


def test_force_two_days_later_answers_whatever_its_action() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-10", ISRAEL, SYRIA, "attack"),
            ("2018-02-11", SYRIA, ISRAEL, "attack"),
            ("2018-02-12", SYRIA, ISRAEL, "attack"),
        ),
        SLICE,
        [7],
    )
    assert trigger(labelled, ISRAEL, SYRIA, "2018-02-10")["days_to_answer"] == 2


def test_one_trigger_per_directed_dyad_day_holding_all_its_actions() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-10", ISRAEL, SYRIA, "attack"),
            ("2018-02-10", ISRAEL, SYRIA, "blockade"),
            ("2018-02-11", SYRIA, ISRAEL, "blockade"),
        ),
        SLICE,
        [7],
    )
    assert len(labelled[labelled["initiator"] == ISRAEL]) == 1
    # The next day's blockade is among the trigger day's actions: told again, not an answer.
    assert pd.isna(trigger(labelled, ISRAEL, SYRIA, "2018-02-10")["days_to_answer"])


def test_a_window_past_the_slice_end_is_censored_even_when_answered() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-03-20", ISRAEL, SYRIA, "attack"),
            ("2018-03-28", ISRAEL, SYRIA, "attack"),
            ("2018-03-30", SYRIA, ISRAEL, "attack"),
        ),
        SLICE,
        [7, 30],
    )
    early = trigger(labelled, ISRAEL, SYRIA, "2018-03-20")
    late = trigger(labelled, ISRAEL, SYRIA, "2018-03-28")
    assert not early["retaliated_7d"]  # 27 March is inside the slice: a known "no"
    assert pd.isna(early["retaliated_30d"])
    assert late["days_to_answer"] == 2
    assert pd.isna(late["retaliated_7d"])


def test_classes_need_thirty_days_of_slice_before_the_trigger() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-01-05", SYRIA, ISRAEL, "attack"),
            ("2018-01-20", ISRAEL, SYRIA, "attack"),
            ("2018-02-10", ISRAEL, SYRIA, "attack"),
            ("2018-02-15", INDIA, PAKISTAN, "attack"),
        ),
        SLICE,
        [7],
    )
    assert pd.isna(trigger(labelled, ISRAEL, SYRIA, "2018-01-20")["exchange_class"])
    # Syria's strike of 5 January is 36 days before 10 February: outside the 30-day window.
    assert trigger(labelled, ISRAEL, SYRIA, "2018-02-10")["exchange_class"] == "opening"
    assert trigger(labelled, INDIA, PAKISTAN, "2018-02-15")["exchange_class"] == "opening"


def test_force_by_the_target_in_the_thirty_days_before_makes_an_answer() -> None:
    labelled = label_slice(
        feed_incidents(
            ("2018-02-01", SYRIA, ISRAEL, "attack"), ("2018-02-10", ISRAEL, SYRIA, "attack")
        ),
        SLICE,
        [7],
    )
    strike = trigger(labelled, ISRAEL, SYRIA, "2018-02-10")
    assert strike["exchange_class"] == "answer"
    assert strike["prior_force_30d"] == 1


def test_score_block_by_hand() -> None:
    # Brier (0.2^2 + 0.2^2) / 2 = 0.04; the constant 0.5 scores 0.25; skill 1 - 0.04 / 0.25.
    scores = score_block(
        np.array([0.2, 0.8]),
        np.array([0.0, 1.0]),
        np.array([ISRAEL, SYRIA]),
        np.array([SYRIA, ISRAEL]),
        0.5,
        replicates=20,
    )
    assert scores["n"] == 2 and scores["dyads"] == 1
    assert scores["brier"] == pytest.approx(0.04)
    assert scores["brier_constant"] == pytest.approx(0.25)
    assert scores["bss_constant"] == pytest.approx(0.84)
    assert scores["roc_auc"] == 1.0
    # One dyad: every bootstrap draw is that dyad again, so the interval is the point.
    assert scores["observed_ci90"] == [0.5, 0.5]


def test_score_block_without_draws_has_no_intervals() -> None:
    scores = score_block(
        np.array([0.3]), np.array([1.0]), np.array([1]), np.array([2]), 0.5, replicates=0
    )
    assert scores["n"] == 1
    assert not any(key.endswith("_ci90") for key in scores)


STATES = [ISRAEL, SYRIA, INDIA, PAKISTAN]
ACTIONS = ["attack", "clash", "blockade"]
random_rows = st.lists(
    st.tuples(
        st.integers(0, 89),
        st.sampled_from(STATES),
        st.sampled_from(STATES),
        st.sampled_from(ACTIONS),
    ).filter(lambda row: row[1] != row[2]),
    min_size=1,
    max_size=40,
)


def rows_on_days(rows: list[tuple[int, int, int, str]]) -> pd.DataFrame:
    start = pd.Timestamp(SLICE[0])
    return feed_incidents(
        *[((start + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), a, b, x) for d, a, b, x in rows]
    )


@settings(max_examples=60, deadline=None)
@given(random_rows)
def test_labels_are_known_exactly_when_the_window_lies_inside_the_slice(rows: list) -> None:
    labelled = label_slice(rows_on_days(rows), SLICE, [7, 30])
    end = pd.Timestamp(SLICE[1])
    for horizon in (7, 30):
        inside = (labelled["date"] + pd.Timedelta(days=horizon)) <= end
        assert (labelled[f"retaliated_{horizon}d"].notna() == inside).all()
    both = labelled["retaliated_30d"].notna()
    assert (labelled.loc[both, "retaliated_30d"] >= labelled.loc[both, "retaliated_7d"]).all()
    assert (labelled["days_to_answer"].dropna() >= 1).all()


@settings(max_examples=60, deadline=None)
@given(random_rows)
def test_events_after_a_window_never_change_its_label(rows: list) -> None:
    labelled = label_slice(rows_on_days(rows), SLICE, [7])
    cut = min(d for d, *_ in rows) + 7
    key = ["initiator", "target", "date"]
    first_days = labelled[labelled["date"] == labelled["date"].min()].set_index(key)
    early = [row for row in rows if row[0] <= cut]
    again = label_slice(rows_on_days(early), SLICE, [7]).set_index(key)
    assert again.loc[first_days.index, "retaliated_7d"].equals(first_days["retaliated_7d"])
