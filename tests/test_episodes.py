"""Episodes: which uses of force are triggers, when an answer counts, and how censoring works.

Each rule of docs/design.md, section "Definitions", is pinned on a tiny table whose answer can be
read off.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.config import EpisodeParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, conform
from forecast.episodes import (
    build_episodes,
    force_events,
    select_model_sources,
    summarise_episodes,
    undated_force_by_source,
)

IRAN, PAKISTAN, INDIA = 630, 770, 750
HOSTILITY = {"attack": 4, "clash": 4, "seizure": 4, "war_battle": 5, "show_of_force": 3}


def incidents(*rows: tuple, source: str = "test") -> pd.DataFrame:
    """Canonical incidents from (id, date, initiator, target[, action[, precision]]) tuples."""
    records = []
    for row in rows:
        incident_id, day, initiator, target, *rest = row
        action = rest[0] if rest else "attack"
        precision = rest[1] if len(rest) > 1 else "day"
        records.append(
            {
                "incident_id": incident_id,
                "source": source,
                "date": pd.Timestamp(day),
                "date_precision": precision,
                "initiator": initiator,
                "target": target,
                "action": action,
                "hostility": HOSTILITY[action],
                "directed": action not in UNDIRECTED_ACTIONS,
                "target_kind": "state",
                "dispute_id": "d-1",
            }
        )
    return conform(pd.DataFrame(records))


def episodes_of(
    table: pd.DataFrame,
    coverage: dict[str, date] | None = None,
    selective: frozenset[str] | set[str] = frozenset(),
    **params: object,
) -> pd.DataFrame:
    coverage = coverage if coverage is not None else {"test": date(2001, 12, 31)}
    return build_episodes(table, EpisodeParams(**params), coverage, selective).set_index(
        "episode_id"
    )


# --- force events ------------------------------------------------------------------------------


def test_clash_counts_as_force_by_both_sides() -> None:
    force = force_events(incidents(("c", "2000-01-01", IRAN, PAKISTAN, "clash")))
    assert sorted(zip(force["actor"], force["victim"], strict=True)) == [
        (IRAN, PAKISTAN),
        (PAKISTAN, IRAN),
    ]


def test_attack_is_force_by_its_initiator_only() -> None:
    force = force_events(incidents(("a", "2000-01-01", IRAN, PAKISTAN)))
    assert force[["actor", "victim"]].values.tolist() == [[IRAN, PAKISTAN]]


def test_displays_of_force_are_not_force() -> None:
    assert force_events(incidents(("s", "2000-01-01", IRAN, PAKISTAN, "show_of_force"))).empty


def test_clash_swaps_fatalities_with_direction() -> None:
    table = incidents(("c", "2000-01-01", IRAN, PAKISTAN, "clash")).assign(
        fatalities_initiator=pd.array([3.0], dtype="Float64"),
        fatalities_target=pd.array([7.0], dtype="Float64"),
    )
    force = force_events(table).set_index("actor")
    assert force.loc[IRAN, "fatalities_actor"] == 3 and force.loc[PAKISTAN, "fatalities_actor"] == 7


# --- triggers ----------------------------------------------------------------------------------


def test_episode_id_names_incident_and_direction() -> None:
    episodes = episodes_of(incidents(("a", "2000-01-01", IRAN, PAKISTAN)))
    assert episodes.index.tolist() == ["a:630>770"]


def test_clash_is_a_trigger_in_each_direction() -> None:
    episodes = episodes_of(incidents(("c", "2000-01-01", IRAN, PAKISTAN, "clash")))
    assert sorted(episodes.index) == ["c:630>770", "c:770>630"]


def test_month_dated_force_is_not_a_trigger() -> None:
    episodes = episodes_of(incidents(("m", "2000-01-01", IRAN, PAKISTAN, "attack", "month")))
    assert episodes.empty


# --- retaliation -------------------------------------------------------------------------------


def test_answer_within_horizon_sets_label_delay_and_incident() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-01-11", PAKISTAN, IRAN))
    )
    trigger = episodes.loc["a:630>770"]
    assert not trigger["retaliated_7d"] and trigger["retaliated_30d"]
    assert trigger["days_to_retaliation"] == 10
    assert trigger["retaliation_incident_id"] == "b"
    assert trigger["event_observed"] and trigger["duration"] == 10


def test_first_answer_is_the_one_reported() -> None:
    episodes = episodes_of(
        incidents(
            ("a", "2000-01-01", IRAN, PAKISTAN),
            ("late", "2000-03-01", PAKISTAN, IRAN),
            ("early", "2000-01-20", PAKISTAN, IRAN),
        )
    )
    assert episodes.loc["a:630>770", "retaliation_incident_id"] == "early"


def test_same_day_answer_does_not_count_by_default() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-01-01", PAKISTAN, IRAN))
    )
    assert not episodes.loc["a:630>770", "event_observed"]


def test_same_day_answer_counts_when_included() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-01-01", PAKISTAN, IRAN)),
        include_same_day=True,
    )
    assert episodes.loc["a:630>770", "days_to_retaliation"] == 0
    assert episodes.loc["a:630>770", "retaliation_incident_id"] == "b"


def test_a_clash_never_answers_itself() -> None:
    episodes = episodes_of(
        incidents(("c", "2000-01-01", IRAN, PAKISTAN, "clash")), include_same_day=True
    )
    assert not episodes["event_observed"].any()


def test_later_clash_counts_as_retaliation() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("c", "2000-01-05", IRAN, PAKISTAN, "clash"))
    )
    assert episodes.loc["a:630>770", "retaliation_incident_id"] == "c"


def test_force_against_a_third_state_is_not_retaliation() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-01-05", PAKISTAN, INDIA))
    )
    assert not episodes.loc["a:630>770", "event_observed"]


def test_initiator_striking_again_is_not_retaliation() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-01-05", IRAN, PAKISTAN))
    )
    assert not episodes.loc["a:630>770", "event_observed"]


def test_display_of_force_is_not_retaliation() -> None:
    episodes = episodes_of(
        incidents(
            ("a", "2000-01-01", IRAN, PAKISTAN),
            ("s", "2000-01-05", PAKISTAN, IRAN, "show_of_force"),
        )
    )
    assert not episodes.loc["a:630>770", "event_observed"]


# --- missing days ------------------------------------------------------------------------------


def iran_strike_answered_by(*answers: tuple) -> pd.Series:
    """The episode of Iran's strike on Pakistan of 15 January 2001, given Pakistan's uses of
    force (id, date[, precision])."""
    rows = [(answer[0], answer[1], PAKISTAN, IRAN, "attack", *answer[2:]) for answer in answers]
    return episodes_of(incidents(("a", "2001-01-15", IRAN, PAKISTAN), *rows)).loc["a:630>770"]


def labels(trigger: pd.Series, *horizons: int) -> list[bool | None]:
    """The trigger's labels at the horizons, NA as None."""
    return [
        None if pd.isna(trigger[f"retaliated_{h}d"]) else trigger[f"retaliated_{h}d"]
        for h in horizons
    ]


def test_month_dated_answer_counts_when_its_whole_month_is_inside_the_window() -> None:
    trigger = iran_strike_answered_by(("m", "2001-03-01", "month"))
    # Sure by 31 March (75 days); possible from 1 March (45 days), never before.
    assert labels(trigger, 30, 90) == [False, True]


def test_month_dated_answer_leaves_the_exact_day_unknown() -> None:
    trigger = iran_strike_answered_by(("m", "2001-03-01", "month"))
    # Censored on 28 February, the last day known to be quiet.
    assert not trigger["event_observed"] and trigger["duration"] == 44
    assert pd.isna(trigger["days_to_retaliation"])
    assert pd.isna(trigger["retaliation_incident_id"])


def test_month_dated_answer_in_the_trigger_month_makes_every_unanswered_label_na() -> None:
    trigger = iran_strike_answered_by(("m", "2001-01-01", "month"))
    # Pakistan's January strike may have come on 16 January or any later day of the month.
    assert labels(trigger, 7, 30, 90, 365) == [None] * 4
    assert not trigger["event_observed"] and trigger["duration"] == 0


def test_month_dated_answer_straddling_the_window_end_makes_that_label_na() -> None:
    trigger = iran_strike_answered_by(("m", "2001-02-01", "month"))
    # The 30-day window ends 14 February: a February strike may lie inside it, or not.
    assert labels(trigger, 7, 30, 90) == [False, None, True]


def test_month_dated_answer_that_cannot_be_in_the_window_decides_nothing() -> None:
    trigger = iran_strike_answered_by(
        ("before", "2000-12-01", "month"), ("after", "2001-06-01", "month")
    )
    assert labels(trigger, 7, 30, 90) == [False, False, False]


def test_day_dated_answer_settles_the_label_despite_a_month_dated_one() -> None:
    trigger = iran_strike_answered_by(("m", "2001-01-01", "month"), ("b", "2001-01-20"))
    assert labels(trigger, 7, 365) == [True, True]
    # The January strike may still have come first: the first answer's day is not sure.
    assert not trigger["event_observed"] and trigger["duration"] == 0


def test_day_dated_answer_before_the_month_is_the_first_answer() -> None:
    trigger = iran_strike_answered_by(("b", "2001-01-20"), ("m", "2001-03-01", "month"))
    assert trigger["event_observed"] and trigger["days_to_retaliation"] == 5
    assert trigger["retaliation_incident_id"] == "b"


# --- censoring ---------------------------------------------------------------------------------


def test_window_past_the_censor_date_without_answer_is_na_not_false() -> None:
    episodes = episodes_of(
        incidents(("a", "2001-12-01", IRAN, PAKISTAN)), coverage={"test": date(2001, 12, 31)}
    )
    trigger = episodes.loc["a:630>770"]
    assert trigger["retaliated_7d"] == False  # noqa: E712
    assert pd.isna(trigger["retaliated_90d"]) and pd.isna(trigger["retaliated_365d"])


def test_answer_seen_before_censoring_is_true_even_if_the_window_runs_past() -> None:
    episodes = episodes_of(
        incidents(("a", "2001-12-01", IRAN, PAKISTAN), ("b", "2001-12-20", PAKISTAN, IRAN)),
        coverage={"test": date(2001, 12, 31)},
    )
    assert episodes.loc["a:630>770", "retaliated_365d"] == True  # noqa: E712


def test_each_trigger_is_censored_at_its_own_source_coverage() -> None:
    table = pd.concat(
        [
            incidents(("old", "2014-12-01", IRAN, PAKISTAN), source="mie"),
            incidents(("new", "2024-01-16", IRAN, PAKISTAN), source="handcoded"),
        ],
        ignore_index=True,
    )
    episodes = episodes_of(
        table, coverage={"mie": date(2014, 12, 31), "handcoded": date(2024, 12, 31)}
    )
    old = episodes.loc["old:630>770"]
    assert old["censor_date"] == pd.Timestamp("2014-12-31")
    assert pd.isna(old["retaliated_365d"]) and old["duration"] == 30


def test_censor_date_defaults_to_the_sources_last_date() -> None:
    episodes = episodes_of(
        incidents(("a", "2000-01-01", IRAN, PAKISTAN), ("b", "2000-03-01", INDIA, IRAN)),
        coverage={},
    )
    assert (episodes["censor_date"] == pd.Timestamp("2000-03-01")).all()


def test_answer_after_the_censor_date_is_not_observed() -> None:
    episodes = episodes_of(
        incidents(("a", "2001-12-01", IRAN, PAKISTAN), ("b", "2002-01-05", PAKISTAN, IRAN)),
        coverage={"test": date(2001, 12, 31)},
    )
    trigger = episodes.loc["a:630>770"]
    assert not trigger["event_observed"] and trigger["duration"] == 30
    assert pd.isna(trigger["days_to_retaliation"])


# --- selective sources -------------------------------------------------------------------------


def test_a_selective_sources_unlooked_for_outcome_is_na() -> None:
    table = incidents(("a", "2024-01-18", PAKISTAN, IRAN), source="handcoded")
    episodes = episodes_of(table, {"handcoded": date(2024, 12, 31)}, selective={"handcoded"})
    trigger = episodes.loc["a:770>630"]
    assert all(pd.isna(trigger[f"retaliated_{h}d"]) for h in (7, 30, 90, 365))
    assert not trigger["event_observed"] and trigger["duration"] == 0
    # The same row from a systematic source is a "no".
    systematic = episodes_of(table, {"handcoded": date(2024, 12, 31)})
    assert systematic.loc["a:770>630", "retaliated_90d"] == False  # noqa: E712


def test_a_stated_not_answered_by_date_gives_false_up_to_it() -> None:
    table = incidents(("a", "2024-01-18", PAKISTAN, IRAN), source="handcoded")
    table["outcome_checked_until"] = pd.Timestamp("2024-04-30")
    trigger = episodes_of(table, {"handcoded": date(2024, 12, 31)}, selective={"handcoded"}).loc[
        "a:770>630"
    ]
    assert [trigger[f"retaliated_{h}d"] for h in (7, 30, 90)] == [False, False, False]
    assert pd.isna(trigger["retaliated_365d"])
    assert trigger["censor_date"] == pd.Timestamp("2024-04-30") and trigger["duration"] == 103


def test_a_coded_answer_states_that_the_trigger_was_answered() -> None:
    table = incidents(
        ("a", "2024-01-16", IRAN, PAKISTAN), ("b", "2024-01-18", PAKISTAN, IRAN), source="handcoded"
    )
    episodes = episodes_of(table, {"handcoded": date(2024, 12, 31)}, selective={"handcoded"})
    trigger = episodes.loc["a:630>770"]
    assert all(trigger[f"retaliated_{h}d"] == True for h in (7, 30, 90, 365))  # noqa: E712
    assert trigger["event_observed"] and trigger["days_to_retaliation"] == 2


# --- same-day duplicates (ADR 0008) ------------------------------------------------------------


def test_rows_of_one_dyad_day_are_one_trigger() -> None:
    table = incidents(
        ("e1", "2000-01-01", IRAN, PAKISTAN, "seizure"),
        ("e2", "2000-01-01", IRAN, PAKISTAN, "war_battle"),
        ("e3", "2000-01-01", IRAN, PAKISTAN, "attack"),
        ("b", "2000-01-05", PAKISTAN, IRAN),
    )
    table["fatalities_target"] = pd.array([3.0, None, 4.0, None], dtype="Float64")
    episodes = episodes_of(table)
    trigger = episodes.loc["e1:630>770"]
    assert list(episodes.index) == ["e1:630>770", "e2:770>630", "b:770>630"]
    assert trigger["n_events"] == 3 and trigger["hostility"] == 5
    assert trigger["action"] == "war_battle" and not trigger["limited_force"]
    # The battle is force both ways that day; the sum of the counts known.
    assert not trigger["directed"] and trigger["fatalities_target"] == 7
    assert trigger["retaliated_7d"] == True  # noqa: E712
    # Pakistan's side of the battle is its own trigger, a one-row dyad-day.
    assert episodes.loc["e2:770>630", "n_events"] == 1


def test_a_dyad_day_takes_the_first_action_at_its_highest_hostility() -> None:
    table = incidents(
        ("e1", "2000-01-01", IRAN, PAKISTAN, "show_of_force"),
        ("e2", "2000-01-01", IRAN, PAKISTAN, "seizure"),
        ("e3", "2000-01-01", IRAN, PAKISTAN, "attack"),
    )
    trigger = episodes_of(table, min_hostility=3).loc["e1:630>770"]
    assert trigger["action"] == "seizure" and trigger["hostility"] == 4
    assert trigger["limited_force"] and trigger["directed"] and trigger["n_events"] == 3
    assert pd.isna(trigger["fatalities_target"])


def test_dyad_days_of_different_sources_stay_apart() -> None:
    table = pd.concat(
        [
            incidents(("m", "2000-01-01", IRAN, PAKISTAN), source="mie"),
            incidents(("h", "2000-01-01", IRAN, PAKISTAN), source="handcoded"),
        ],
        ignore_index=True,
    )
    episodes = episodes_of(table, {"mie": date(2001, 1, 1), "handcoded": date(2001, 1, 1)})
    assert sorted(episodes.index) == ["h:630>770", "m:630>770"]


# --- other columns -----------------------------------------------------------------------------


def test_limited_force_excludes_war_battles() -> None:
    episodes = episodes_of(
        incidents(
            ("a", "2000-01-01", IRAN, PAKISTAN), ("w", "2000-02-01", INDIA, PAKISTAN, "war_battle")
        )
    )
    assert episodes["limited_force"].to_dict() == {
        "a:630>770": True,
        "w:750>770": False,
        "w:770>750": False,
    }


def test_episodes_carry_the_contract_columns() -> None:
    episodes = build_episodes(incidents(("a", "2000-01-01", IRAN, PAKISTAN)), EpisodeParams())
    contract = ["episode_id", "incident_id", "date", "initiator", "target", "retaliated_7d"]
    contract += ["retaliated_30d", "retaliated_90d", "retaliated_365d", "days_to_retaliation"]
    contract += ["event_observed", "duration", "retaliation_incident_id", "source", "action"]
    contract += ["hostility", "directed", "dispute_id", "fatalities_initiator"]
    contract += ["fatalities_target", "limited_force", "crisis", "censor_date", "year"]
    assert set(contract) <= set(episodes.columns)
    assert str(episodes["retaliated_30d"].dtype) == "boolean"
    assert str(episodes["crisis"].dtype) == "boolean"


def test_model_sources_leave_out_mid5() -> None:
    table = pd.concat(
        [
            incidents(("mie-1", "2000-01-01", IRAN, PAKISTAN), source="mie"),
            incidents(("mid-1", "2000-01-01", IRAN, PAKISTAN), source="cow_mid"),
        ],
        ignore_index=True,
    )
    assert select_model_sources(table, ["mie", "handcoded"])["incident_id"].tolist() == ["mie-1"]


# --- summary -----------------------------------------------------------------------------------


def test_summary_rates_count_only_observed_labels() -> None:
    episodes = build_episodes(
        incidents(
            ("a", "2001-01-01", IRAN, PAKISTAN),
            ("b", "2001-01-03", PAKISTAN, IRAN),
            ("c", "2001-12-30", INDIA, PAKISTAN),
        ),
        EpisodeParams(horizons=[7]),
        {"test": date(2001, 12, 31)},
    )
    row = summarise_episodes(episodes, [7]).iloc[0]
    # a answered (True), b unanswered within 7 days (False), c censored (NA).
    assert row["triggers"] == 3
    assert row["rate_7d"] == pytest.approx(0.5)
    assert row["censored_7d"] == pytest.approx(1 / 3)
    assert row["days_median"] == 2


def test_undated_force_is_counted_per_source() -> None:
    table = incidents(
        ("m", "2000-01-01", IRAN, PAKISTAN, "clash", "month"), ("a", "2000-02-02", IRAN, PAKISTAN)
    )
    assert undated_force_by_source(table, 4).to_dict() == {"test": 2}


# --- invariants --------------------------------------------------------------------------------

random_rows = st.lists(
    st.tuples(
        st.integers(0, 400),
        st.sampled_from([IRAN, PAKISTAN, INDIA]),
        st.sampled_from([IRAN, PAKISTAN, INDIA]),
        st.sampled_from(["attack", "clash", "war_battle"]),
        st.sampled_from(["day", "day", "day", "month"]),
    ).filter(lambda r: r[1] != r[2]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(random_rows, st.booleans())
def test_labels_agree_with_delay_and_censoring(rows: list[tuple], same_day: bool) -> None:
    start = pd.Timestamp("2000-01-01")
    table = incidents(
        *[
            (f"e{i}", start + pd.Timedelta(days=d), a, b, action, precision)
            for i, (d, a, b, action, precision) in enumerate(rows)
        ]
    )
    episodes = build_episodes(
        table, EpisodeParams(include_same_day=same_day), {"test": date(2000, 12, 31)}
    )
    delay = episodes["days_to_retaliation"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    window_left = (episodes["censor_date"] - episodes["date"]).dt.days.to_numpy()
    previous = np.zeros(len(episodes), dtype=bool)
    for horizon in (7, 30, 90, 365):
        label = episodes[f"retaliated_{horizon}d"]
        # A first answer seen within H days makes the label True.
        assert (label.fillna(False).to_numpy() >= (delay <= horizon)).all()
        # False only for a whole window watched with no answer seen in it.
        false = (label == False).fillna(False).to_numpy()  # noqa: E712
        assert not (false & (horizon > window_left)).any()
        assert not (false & (delay <= horizon)).any()
        assert not (false & (episodes["duration"].to_numpy() < horizon)).any()
        # Answered within a short window implies answered within every longer one.
        assert (label.fillna(True).to_numpy() >= previous).all()
        previous = label.fillna(False).to_numpy()
    assert (episodes["duration"] >= 0).all()
    assert (episodes["event_observed"] == ~np.isnan(delay)).all()
    assert (episodes.loc[episodes["event_observed"], "duration"] == delay[~np.isnan(delay)]).all()


# --- real data ---------------------------------------------------------------------------------


def test_mie_gives_about_19300_directed_dyad_days_of_force(real_data_dir) -> None:
    from forecast.sources.mie import read_mie

    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    episodes = build_episodes(mie.incidents, EpisodeParams(), {"mie": mie.coverage.end})
    assert 18_500 <= len(episodes) <= 20_000
    # Clashes and war battles are force in both directions; each row lies in one dyad-day.
    incidents = mie.incidents
    dated = incidents[(incidents["hostility"] >= 4) & incidents["date_precision"].eq("day")]
    assert episodes["n_events"].sum() == len(dated) + (~dated["directed"]).sum()
    assert not episodes.duplicated(["initiator", "target", "date"]).any()
    assert episodes["episode_id"].is_unique
    rate = episodes["retaliated_30d"].mean()
    assert 0.2 < rate < 0.9


def _old_rule_label(force: pd.DataFrame, trigger: pd.Series, horizon: int, end: pd.Timestamp):
    """The label before month-dated answers could make it NA, read off one trigger by hand: a
    day-dated answer in (t, t + H], or a month-dated one whose whole month lies there."""
    t = trigger["date"]
    back = force[(force["actor"] == trigger["target"]) & (force["victim"] == trigger["initiator"])]
    window_end = min(t + pd.Timedelta(days=horizon), end)
    month_last = back["date"] + pd.offsets.MonthEnd(0)
    by_day = back["date_precision"] == "day"
    sure = (by_day & (back["date"] > t) & (back["date"] <= window_end)) | (
        ~by_day & (back["date"] > t) & (month_last <= window_end)
    )
    if sure.any():
        return True
    return False if t + pd.Timedelta(days=horizon) <= end else pd.NA


def _month_may_answer(force: pd.DataFrame, trigger: pd.Series, horizon: int) -> bool:
    t = trigger["date"]
    back = force[
        (force["actor"] == trigger["target"])
        & (force["victim"] == trigger["initiator"])
        & (force["date_precision"] == "month")
    ]
    month_last = back["date"] + pd.offsets.MonthEnd(0)
    return bool(((month_last > t) & (back["date"] <= t + pd.Timedelta(days=horizon))).any())


def test_mie_labels_change_only_where_a_month_dated_answer_may_fall(real_data_dir) -> None:
    """Oracle check: on MIE every label that is not NA under the month rule is the label read
    by hand under the old rule, and every label the rule made NA has a month-dated answer that
    may fall in its window."""
    from forecast.sources.mie import read_mie

    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    end = pd.Timestamp(mie.coverage.end)
    episodes = build_episodes(mie.incidents, EpisodeParams(), {"mie": mie.coverage.end})
    force = force_events(mie.incidents)
    # Every trigger with a month-dated answer nearby, plus a seeded sample of the rest.
    monthly = force[force["date_precision"] == "month"]
    near = episodes.merge(
        monthly[["actor", "victim"]].drop_duplicates(),
        left_on=["target", "initiator"],
        right_on=["actor", "victim"],
    )["episode_id"]
    chosen = episodes[episodes["episode_id"].isin(near)]
    rest = episodes[~episodes["episode_id"].isin(near)].sample(300, random_state=11)
    made_na = 0
    sample = pd.concat([chosen.sample(min(len(chosen), 900), random_state=11), rest])
    for _, trigger in sample.iterrows():
        for horizon in (7, 30):
            new = trigger[f"retaliated_{horizon}d"]
            old = _old_rule_label(force, trigger, horizon, end)
            if pd.isna(new):
                if not pd.isna(old):
                    made_na += 1
                    assert _month_may_answer(force, trigger, horizon), trigger["episode_id"]
            else:
                assert new == old, (trigger["episode_id"], horizon)
    assert made_na >= 20


# --- command line ------------------------------------------------------------------------------


def test_coverage_is_read_from_ingest_sources_json(tmp_path) -> None:
    import json

    from forecast.core.coverage import coverage_ends, read_source_coverage

    path = tmp_path / "data" / "interim" / "sources.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"coverage": {"mie": {"start": "1816-01-01", "end": "2014-12-31"}}}))
    assert coverage_ends(read_source_coverage(tmp_path)) == {"mie": date(2014, 12, 31)}


def test_episodes_commands_write_the_table_and_print_the_data_banner(tmp_path, monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from forecast.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "interim").mkdir(parents=True)
    table = incidents(
        ("a", "2001-01-01", IRAN, PAKISTAN), ("b", "2001-01-03", PAKISTAN, IRAN), source="mie"
    )
    table.to_parquet("data/interim/incidents.parquet", index=False)
    coverage = {"coverage": {"mie": {"start": "2001-01-01", "end": "2001-12-31"}}}
    (tmp_path / "data" / "interim" / "sources.json").write_text(json.dumps(coverage))
    runner = CliRunner()
    built = runner.invoke(app, ["episodes", "build"])
    assert built.exit_code == 0, built.output
    episodes = pd.read_parquet("data/processed/episodes.parquet")
    assert len(episodes) == 2 and (episodes["censor_date"] == "2001-12-31").all()
    summary = runner.invoke(app, ["episodes", "summary"], env={"COLUMNS": "200"})
    assert summary.exit_code == 0, summary.output
    assert "DATA: REAL (mie" in summary.output and "mie" in summary.output


def test_summary_without_episodes_says_which_command_makes_them(tmp_path, monkeypatch) -> None:
    from forecast.core import tables
    from forecast.core.errors import DataFileError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataFileError, match="forecast episodes build"):
        tables.read("episodes", tmp_path)
