"""Features: each one pinned on a tiny history whose answer can be counted by hand."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.core.config import EpisodeParams, FeatureParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, conform
from forecast.episodes import build_episodes, force_events
from forecast.features.computation import build_features
from forecast.features.registry import (
    FAMILIES,
    NEUTRAL_CAPABILITY_SHARE,
    NEUTRAL_RATE,
    TRIGGER_SEVERITY,
    FeatureSelection,
    family_of,
    feature_specs,
    feature_table,
    is_recent_context,
    measure_of,
    recent_context_features,
)
from tests.reference_features import random_incidents

A, B, C = 630, 770, 750
T = pd.Timestamp("2000-06-01")
HORIZONS = [7, 30]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "features.md"


def history(*rows: tuple, trigger_action: str = "attack", **trigger: object) -> pd.DataFrame:
    """Incidents (id, days before T, initiator, target[, action[, precision]]) plus the trigger
    `x` (A attacks B on day T) last."""
    records = []
    for row in (*rows, ("x", 0, A, B, trigger_action)):
        incident_id, days_before, initiator, target, *rest = row
        action = rest[0] if rest else "attack"
        precision = rest[1] if len(rest) > 1 else "day"
        date = T - pd.Timedelta(days=days_before)
        if precision == "month":
            date = date.replace(day=1)
        records.append(
            {
                "incident_id": incident_id,
                "source": "test",
                "date": date,
                "date_precision": precision,
                "initiator": initiator,
                "target": target,
                "action": action,
                "hostility": 5 if action == "war_battle" else 4,
                "directed": action not in UNDIRECTED_ACTIONS,
                "target_kind": "state",
                "dispute_id": "d-1",
            }
        )
    table = conform(pd.DataFrame(records))
    for column, value in trigger.items():
        table.loc[table["incident_id"] == "x", column] = value
    return table


def features_of(
    table: pd.DataFrame,
    params: FeatureParams | None = None,
    covariates: pd.DataFrame | None = None,
    episode: str = "x:630>770",
) -> pd.Series:
    """The features of one trigger (by default A's attack on B on day T)."""
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS))
    features = build_features(
        episodes, force_events(table), covariates, params or FeatureParams(), HORIZONS
    )
    return features.set_index("episode_id").loc[episode]


# --- dyad history ------------------------------------------------------------------------------


def test_counts_force_each_way_over_trailing_windows() -> None:
    f = features_of(history(("a1", 3, A, B), ("a2", 10, A, B), ("a3", 100, A, B), ("b1", 1, B, A)))
    assert [f[f"force_{w}d_initiator_to_target"] for w in (7, 30, 90, 365)] == [1, 2, 2, 3]
    assert [f[f"force_{w}d_target_to_initiator"] for w in (7, 30, 90, 365)] == [1, 1, 1, 1]


def test_window_reaches_back_exactly_its_length_in_days() -> None:
    f = features_of(history(("a7", 7, A, B), ("a8", 8, A, B)))
    assert f["force_7d_initiator_to_target"] == 1


def test_events_on_the_trigger_day_are_not_history() -> None:
    # a0 and the trigger are one dyad-day, so one trigger under a0's id (ADR 0008).
    f = features_of(history(("b0", 0, B, A), ("a0", 0, A, B)), episode="a0:630>770")
    assert f["force_7d_target_to_initiator"] == 0 and f["force_7d_initiator_to_target"] == 0
    assert f["is_response_7d"] == 0


def test_force_against_others_is_not_dyad_history() -> None:
    f = features_of(history(("c1", 3, A, C), ("c2", 3, C, B)))
    assert f["force_30d_initiator_to_target"] == 0 and f["force_30d_target_to_initiator"] == 0


def test_clash_counts_in_both_directions_of_history() -> None:
    f = features_of(history(("c", 3, A, B, "clash")))
    assert f["force_7d_initiator_to_target"] == 1 and f["force_7d_target_to_initiator"] == 1


def test_days_since_last_force_each_way() -> None:
    f = features_of(history(("a1", 40, A, B), ("a2", 12, A, B)))
    assert f["days_since_force_initiator_to_target"] == 12
    assert f["never_force_initiator_to_target"] == 0


def test_never_is_flagged_and_days_since_capped() -> None:
    f = features_of(history(("a1", 4000, A, B)))
    assert f["days_since_force_initiator_to_target"] == 1825
    assert f["never_force_initiator_to_target"] == 0
    assert f["days_since_force_target_to_initiator"] == 1825
    assert f["never_force_target_to_initiator"] == 1


def test_trigger_after_being_hit_is_itself_a_response() -> None:
    f = features_of(history(("b1", 20, B, A)))
    assert f["is_response_7d"] == 0 and f["is_response_30d"] == 1


def test_month_dated_event_in_the_trigger_month_is_not_history() -> None:
    f = features_of(history(("m", 0, B, A, "attack", "month")))
    assert f["force_365d_target_to_initiator"] == 0


def test_month_dated_event_from_an_earlier_month_is_history_at_its_month_end() -> None:
    # May 2000, seen by 31 May: one day before the trigger on 1 June.
    f = features_of(history(("m", 20, B, A, "attack", "month")))
    assert f["force_7d_target_to_initiator"] == 1
    assert f["days_since_force_target_to_initiator"] == 1


def test_initiator_activity_counts_force_against_anyone() -> None:
    f = features_of(history(("c1", 100, A, C), ("c2", 200, A, B), ("old", 400, A, C)))
    assert f["initiator_force_any_365d"] == 2
    assert f["target_force_any_365d"] == 0


def test_escalation_trend_is_zero_without_history_and_positive_after_a_recent_burst() -> None:
    assert features_of(history())["escalation_trend"] == 0
    burst = features_of(history(("a1", 5, A, B), ("a2", 6, A, B), ("b1", 7, B, A)))
    assert burst["escalation_trend"] == pytest.approx(np.log(4 / (3 * 90 / 1825 + 1)))


def test_dispute_prior_events_counts_incidents_once() -> None:
    f = features_of(history(("c", 3, A, B, "clash"), ("a", 9, C, B)))
    assert f["dispute_prior_events"] == 2 and f["dispute_id_missing"] == 0


def test_trigger_without_dispute_has_no_prior_events() -> None:
    table = history(("a", 9, A, B))
    table.loc[table["incident_id"] == "x", "dispute_id"] = pd.NA
    f = features_of(table)
    assert f["dispute_prior_events"] == 0 and f["dispute_id_missing"] == 1


# --- answering records -------------------------------------------------------------------------


def test_answer_record_counts_only_windows_closed_before_the_trigger() -> None:
    # A hit B 7 days ago and B answered 4 days ago: the 7-day window ends on the trigger's day,
    # not before it, so the record is still empty.
    still_open = features_of(history(("a", 7, A, B), ("b", 4, B, A)))
    assert still_open["target_answer_record_7d"] == 0
    closed = features_of(history(("a", 8, A, B), ("b", 5, B, A)))
    assert closed["target_answer_record_7d"] == 1


def test_answer_rate_without_shrinkage_is_the_dyads_share() -> None:
    f = features_of(
        history(("a1", 100, A, B), ("b1", 98, B, A), ("a2", 60, A, B)),
        FeatureParams(shrinkage_strength=0),
    )
    # a1 answered in 2 days, a2 not; b1 (B -> A) was never answered.
    assert f["target_answer_record_7d"] == 2
    assert f["target_answer_rate_7d"] == 0.5


def test_answer_rate_is_shrunk_toward_the_overall_rate() -> None:
    f = features_of(
        history(("a1", 100, A, B), ("b1", 98, B, A), ("c1", 90, C, A)),
        FeatureParams(shrinkage_strength=2),
    )
    # Overall: a1 answered; b1 and c1 not: 1/3. Dyad A -> B: 1 of 1.
    assert f["target_answer_rate_7d"] == pytest.approx((1 + 2 * (1 / 3)) / (1 + 2))


def test_propensity_counts_triggers_against_the_target_by_anyone() -> None:
    f = features_of(
        history(("c1", 100, C, B), ("b1", 99, B, C), ("c2", 50, C, B)),
        FeatureParams(shrinkage_strength=0),
    )
    assert f["target_answer_rate_any_7d"] == 0.5
    assert f["target_answer_record_7d"] == 0


def test_rates_start_at_the_neutral_value() -> None:
    f = features_of(history(), FeatureParams(shrinkage_strength=0))
    assert f["target_answer_rate_7d"] == NEUTRAL_RATE


def test_declared_coverage_keeps_unobserved_windows_out_of_the_record() -> None:
    table = history(("a1", 100, A, B))
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS))
    kwargs = {"params": FeatureParams(shrinkage_strength=0), "horizons": HORIZONS}
    covered = build_features(episodes, force_events(table), None, **kwargs)
    uncovered = build_features(
        episodes, force_events(table), None, coverage={"test": T - pd.Timedelta(days=99)}, **kwargs
    )
    assert covered.set_index("episode_id").loc["x:630>770", "target_answer_record_7d"] == 1
    assert uncovered.set_index("episode_id").loc["x:630>770", "target_answer_record_7d"] == 0


# --- trigger attributes ------------------------------------------------------------------------


def test_trigger_fatalities_on_log_scale_with_missing_flags() -> None:
    table = history().astype({"fatalities_initiator": "Float64"})
    table.loc[table["incident_id"] == "x", "fatalities_initiator"] = 9.0
    f = features_of(table)
    assert f["log_fatalities_initiator"] == pytest.approx(np.log(10))
    assert f["fatalities_initiator_missing"] == 0
    assert f["log_fatalities_target"] == 0 and f["fatalities_target_missing"] == 1


def test_action_is_one_hot_in_a_few_groups() -> None:
    f = features_of(history(trigger_action="seizure"))
    groups = [name for name in f.index if name.startswith("action_") and f[name] == 1]
    assert groups == ["action_seizure_or_occupation"]


def test_strike_on_non_state_actors_is_not_a_strike_on_the_state() -> None:
    f = features_of(history(target_kind="non_state"))
    assert f["target_is_state"] == 0 and f["target_kind_missing"] == 0


# --- covariates --------------------------------------------------------------------------------


def covariate_rows(*years: int, carried: bool = False) -> pd.DataFrame:
    """A tiny dyad-year table in the documented schema, for A -> B, contiguous from 1999."""
    return pd.DataFrame(
        {
            "ccode1": A,
            "ccode2": B,
            "year": list(years),
            "contiguity": [1 if y >= 1999 else 0 for y in years],
            "land_border": [y >= 1999 for y in years],
            "mindist_km": [0.0 for _ in years],
            "cinc1": 0.02,
            "cinc2": 0.01,
            "capability_share1": 2 / 3,
            "major1": False,
            "major2": False,
            "polity1": -6.0,
            "polity2": 6.0,
            "joint_democracy": False,
            "rivalry": True,
            "defense_alliance": False,
            "carried_forward": carried,
        }
    )


def test_covariates_come_from_the_year_before_the_trigger() -> None:
    f = features_of(history(), covariates=covariate_rows(1998, 1999, 2000))
    assert f["contiguity_land"] == 1 and f["rivalry"] == 1
    assert f["capability_share_initiator"] == pytest.approx(2 / 3)
    assert f["covariates_missing"] == 0 and f["covariates_carried_forward"] == 0


def test_an_earlier_year_is_used_and_flagged_when_the_year_before_is_missing() -> None:
    f = features_of(history(), covariates=covariate_rows(1998))
    assert f["contiguity_land"] == 0 and f["covariates_carried_forward"] == 1


def test_missing_covariate_table_gives_neutral_flagged_values() -> None:
    f = features_of(history(), covariates=None)
    assert f["covariates_missing"] == 1 and f["capability_missing"] == 1
    assert f["capability_share_initiator"] == NEUTRAL_CAPABILITY_SHARE


# --- the table and the registry ----------------------------------------------------------------


def test_features_are_float64_without_missing_values() -> None:
    table = history(("a1", 3, A, B), ("m", 40, B, A, "attack", "month"), ("c", 9, A, C, "clash"))
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS))
    features = build_features(episodes, force_events(table), None, FeatureParams(), HORIZONS)
    values = features.drop(columns="episode_id")
    assert (values.dtypes == np.float64).all()
    assert not values.isna().to_numpy().any()
    assert features["episode_id"].tolist() == episodes["episode_id"].tolist()


def test_every_column_is_in_the_registry_and_every_registry_entry_is_a_column() -> None:
    params = FeatureParams(windows=[30, 400], response_windows=[14])
    table = history(("a1", 3, A, B))
    episodes = build_episodes(table, EpisodeParams(horizons=[10]))
    features = build_features(episodes, force_events(table), None, params, [10])
    names = [spec.name for spec in feature_specs(params, [10])]
    assert features.columns.tolist() == ["episode_id", *names]


def test_registry_table_describes_every_feature() -> None:
    registry = feature_table()
    assert registry.columns.tolist() == [
        "name",
        "meaning",
        "window",
        "source",
        "family",
        "recent_context",
        "missing_of",
    ]
    assert registry["name"].is_unique
    assert (registry["meaning"].str.len() > 10).all()


def test_docs_list_exactly_the_registry() -> None:
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    assert documented == set(feature_table()["name"])


# Windows other than the defaults: what a column means must not depend on them.
OTHER_WINDOWS = FeatureParams(
    windows=[14, 60, 400], response_windows=[3, 14], escalation_short_days=60
)


def computed_columns(params: FeatureParams, horizons: list[int]) -> list[str]:
    """The feature columns build_features computes on a small random world."""
    incidents = random_incidents(800, seed=3, n_states=6, years=6)
    episodes = build_episodes(incidents, EpisodeParams(horizons=horizons))
    features = build_features(episodes, force_events(incidents), None, params, horizons)
    return [name for name in features.columns if name != "episode_id"]


@pytest.mark.parametrize(
    ("params", "horizons"), [(FeatureParams(), HORIZONS), (OTHER_WINDOWS, [10, 45])]
)
def test_every_computed_column_has_a_spec_with_a_family(
    params: FeatureParams, horizons: list[int]
) -> None:
    specs = {spec.name: spec for spec in feature_specs(params, horizons)}
    for name in computed_columns(params, horizons):
        assert specs[name].family in FAMILIES, name
        # Read from the name alone, as a fitted model does, the answer is the registry's.
        assert family_of(name) == specs[name].family, name
        assert is_recent_context(name) == specs[name].recent_context, name


@pytest.mark.parametrize(
    ("params", "horizons"), [(FeatureParams(), HORIZONS), (OTHER_WINDOWS, [10, 45])]
)
def test_recent_context_is_the_flags_that_the_trigger_is_itself_an_answer(
    params: FeatureParams, horizons: list[int]
) -> None:
    columns = computed_columns(params, horizons)
    flags = [name for name in columns if name.startswith("is_response_")]
    assert flags == [f"is_response_{days}d" for days in params.response_windows]
    assert recent_context_features(columns) == flags
    without = FeatureSelection(recent_context=False).of(columns)
    assert without == [name for name in columns if name not in flags]


def test_the_trigger_severity_family_is_hostility_action_and_fatalities() -> None:
    columns = computed_columns(FeatureParams(), HORIZONS)
    assert FeatureSelection(families=(TRIGGER_SEVERITY,)).of(columns) == [
        "hostility",
        "action_attack",
        "action_clash",
        "action_war_battle",
        "action_seizure_or_occupation",
        "action_other",
        "log_fatalities_initiator",
        "fatalities_initiator_missing",
        "log_fatalities_target",
        "fatalities_target_missing",
    ]


def test_a_missing_flag_means_what_its_feature_means() -> None:
    specs = {spec.name: spec for spec in feature_specs()}
    flags = {name: spec for name, spec in specs.items() if spec.missing_of is not None}
    assert set(flags) == {
        name for name in specs if name.endswith("_missing") and name != "covariates_missing"
    }
    for name, flag in flags.items():
        base = specs[flag.missing_of]
        assert (flag.family, flag.recent_context) == (base.family, base.recent_context), name


def test_a_measure_over_several_windows_has_one_meaning() -> None:
    by_measure: dict[str, set[tuple[str, bool]]] = {}
    for spec in feature_specs(OTHER_WINDOWS, [10, 45]) + feature_specs():
        by_measure.setdefault(measure_of(spec.name), set()).add((spec.family, spec.recent_context))
    assert all(len(meanings) == 1 for meanings in by_measure.values())


def test_a_column_outside_the_registry_has_no_family_and_is_not_recent_context() -> None:
    assert family_of("noise") is None and not is_recent_context("noise")
    assert FeatureSelection(families=(TRIGGER_SEVERITY,)).of(["noise", "hostility"]) == [
        "hostility"
    ]


HINDSIGHT_FIELDS = {
    "outcome": "victory for side A",
    "settle": "imposed",
    "settlement": "negotiated",
    "recip": 1,
    "reciprocated": True,
    "duration": 400,
    "maxdur": 400,
    "mindur": 300,
    "date_end": pd.Timestamp("2003-01-01"),
    "end_date": pd.Timestamp("2003-01-01"),
    "hiact": 22,
    "highest_action": "war_battle",
    "fatality": 6,
    "dispute_fatalities": 5000,
    "n_events": 90,
}


def test_dispute_hindsight_fields_never_reach_the_features() -> None:
    table = history(("a1", 3, A, B), ("b1", 30, B, A, "clash"))
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS))
    events = force_events(table)
    plain = build_features(episodes, events, None, FeatureParams(), HORIZONS)
    laden = build_features(
        episodes.assign(**HINDSIGHT_FIELDS),
        events.assign(**HINDSIGHT_FIELDS),
        None,
        FeatureParams(),
        HORIZONS,
    )
    pd.testing.assert_frame_equal(plain, laden)
    named = "|".join(HINDSIGHT_FIELDS)
    assert not feature_table()["name"].str.fullmatch(f".*({named}).*").any()


# --- real data ---------------------------------------------------------------------------------


def test_mie_features_are_complete_and_leak_free_in_shape(real_data_dir) -> None:
    from forecast.sources.mie import read_mie

    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    params = EpisodeParams()
    episodes = build_episodes(mie.incidents, params, {"mie": mie.coverage.end})
    features = build_features(
        episodes, force_events(mie.incidents), None, FeatureParams(), params.horizons
    )
    values = features.drop(columns="episode_id")
    assert len(features) == len(episodes) and not values.isna().to_numpy().any()
    # The first trigger in the data has no history at all.
    first = values.loc[episodes["date"].idxmin()]
    assert (
        first["never_force_initiator_to_target"] == 1
        and first["force_1825d_target_to_initiator"] == 0
    )


def test_features_commands_build_the_table_and_list_the_registry(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from forecast.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "interim").mkdir(parents=True)
    table = history(("a1", 3, A, B)).assign(source="mie")
    table.to_parquet("data/interim/incidents.parquet", index=False)
    runner = CliRunner()
    assert runner.invoke(app, ["episodes", "build"]).exit_code == 0
    built = runner.invoke(app, ["features", "build"])
    assert built.exit_code == 0, built.output
    features = pd.read_parquet("data/processed/features.parquet")
    assert features.columns.tolist() == ["episode_id", *feature_table()["name"]]
    listed = runner.invoke(app, ["features", "list", "--markdown"])
    assert listed.output.count("\n") == len(feature_table()) + 2


def test_a_month_dated_answer_that_may_fall_in_the_window_keeps_it_out_of_the_record() -> None:
    # a1 on 22 February; B's strike is dated only to March, so it may have come 8 to 38 days
    # later: whether it answered a1 within 30 days is unknown, within 7 days it did not.
    table = history(("a1", 100, A, B), ("m", 90, B, A, "attack", "month"))
    f = features_of(table, FeatureParams(shrinkage_strength=0))
    assert f["target_answer_record_7d"] == 1
    assert f["target_answer_record_30d"] == 0


def test_a_selective_past_trigger_without_a_stated_outcome_is_not_in_the_record() -> None:
    table = history(("a1", 100, A, B))
    table["source"] = "handcoded"
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS))
    kwargs = {"params": FeatureParams(shrinkage_strength=0), "horizons": HORIZONS}
    selective = build_features(
        episodes, force_events(table), None, selective_sources={"handcoded"}, **kwargs
    ).set_index("episode_id")
    assert selective.loc["x:630>770", "target_answer_record_7d"] == 0
    table.loc[table["incident_id"] == "a1", "outcome_checked_until"] = T - pd.Timedelta(days=60)
    checked = build_features(
        episodes, force_events(table), None, selective_sources={"handcoded"}, **kwargs
    ).set_index("episode_id")
    assert checked.loc["x:630>770", "target_answer_record_7d"] == 1
    assert checked.loc["x:630>770", "target_answer_rate_7d"] == 0


# --- fatalities --------------------------------------------------------------------------------


def test_fatalities_of_a_multi_day_trigger_do_not_reach_its_features() -> None:
    one_day = features_of(history(fatalities_target=40.0))
    assert one_day["log_fatalities_target"] == pytest.approx(np.log1p(40))
    assert one_day["fatalities_target_missing"] == 0
    # The same count over a three-day incident includes deaths after its first day.
    several_days = features_of(history(fatalities_target=40.0, date_end=T + pd.Timedelta(days=2)))
    assert several_days["log_fatalities_target"] == 0
    assert several_days["fatalities_target_missing"] == 1
