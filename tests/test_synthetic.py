"""The synthetic world: deterministic, canonical, calibrated to MIE, with its planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.config import SyntheticParams
from forecast.core.contracts import INCIDENT_COLUMNS
from forecast.core.errors import ForecastError
from forecast.core.schemas import validate_incidents
from forecast.sources.covariates import COVARIATE_COLUMNS, covariates_as_of
from forecast.sources.synthetic.calibration import (
    first_response_delay,
    force_by_side,
    load_calibration,
    measure_calibration,
)
from forecast.sources.synthetic.generate import generate_events, generate_world

SEED = 20240116


@pytest.fixture(scope="module")
def world():
    return generate_world(SyntheticParams(), SEED)


@pytest.fixture(scope="module")
def figures(world) -> dict:
    return measure_calibration(world.incidents, 1946, 2014)


def small_params(start: int = 1990, end: int = 1999, scale: float = 1.0) -> SyntheticParams:
    return SyntheticParams(start_year=start, end_year=end, scale=scale)


def incidents(rows: list[tuple]) -> pd.DataFrame:
    """Hand-made events: (initiator, target, date, hostility, directed, precision)."""
    frame = pd.DataFrame(
        rows, columns=["initiator", "target", "date", "hostility", "directed", "date_precision"]
    )
    return frame.assign(date=pd.to_datetime(frame["date"]))


# --- the measurement shared by MIE and the world -------------------------------------------


def test_answer_is_the_targets_next_force_against_the_initiator() -> None:
    force = force_by_side(
        incidents([(1, 2, "2000-01-01", 4, True, "day"), (2, 1, "2000-01-06", 4, True, "day")])
    )
    assert first_response_delay(force).tolist()[0] == 5


def test_same_day_answer_does_not_count() -> None:
    force = force_by_side(
        incidents([(1, 2, "2000-01-01", 4, True, "day"), (2, 1, "2000-01-01", 4, True, "day")])
    )
    assert np.isnan(first_response_delay(force)[0])


def test_clash_counts_as_force_by_both_sides() -> None:
    force = force_by_side(
        incidents([(1, 2, "2000-01-01", 4, True, "day"), (1, 2, "2000-01-03", 4, False, "day")])
    )
    assert first_response_delay(force).tolist()[0] == 2


def test_threat_is_not_an_answer() -> None:
    force = force_by_side(
        incidents([(1, 2, "2000-01-01", 4, True, "day"), (2, 1, "2000-01-03", 2, True, "day")])
    )
    assert np.isnan(first_response_delay(force)[0])


def test_month_precision_event_is_neither_trigger_nor_answer() -> None:
    force = force_by_side(
        incidents([(1, 2, "2000-01-01", 4, True, "day"), (2, 1, "2000-02-01", 4, True, "month")])
    )
    assert len(first_response_delay(force)) == 1
    assert np.isnan(first_response_delay(force)[0])


# --- the generated world -------------------------------------------------------------------


def test_same_params_and_seed_give_identical_tables(world) -> None:
    again = generate_world(SyntheticParams(), SEED)
    pd.testing.assert_frame_equal(world.incidents, again.incidents)
    pd.testing.assert_frame_equal(world.covariates, again.covariates)


def test_another_seed_gives_another_world() -> None:
    first = generate_world(small_params(), 1).incidents
    second = generate_world(small_params(), 2).incidents
    assert not first[["date", "initiator", "target"]].equals(
        second[["date", "initiator", "target"]]
    )


def test_incidents_follow_the_canonical_schema(world) -> None:
    validate_incidents(world.incidents)
    assert list(world.incidents.columns) == list(INCIDENT_COLUMNS)
    assert (world.incidents["source"] == "synthetic").all()
    assert (world.incidents["target_kind"] == "state").all()
    assert world.incidents["incident_id"].str.fullmatch(r"syn-\d{9}").all()


def test_incidents_are_sorted_by_date_then_id(world) -> None:
    ordered = world.incidents.sort_values(["date", "incident_id"], kind="stable")
    assert ordered.index.equals(world.incidents.index)


def test_default_world_is_small_enough_for_a_quick_pipeline(world) -> None:
    assert 15_000 <= len(world.incidents) <= 30_000
    assert world.incidents["date"].dt.year.between(1946, 2014).all()


def test_coverage_is_the_simulated_period(world) -> None:
    start, end = world.coverage.start, world.coverage.end
    assert (start.isoformat(), end.isoformat()) == ("1946-01-01", "2014-12-31")


def test_clashes_are_undirected_with_the_lower_code_first(world) -> None:
    undirected = world.incidents[world.incidents["action"].isin(["clash", "war_battle"])]
    assert len(undirected) > 0
    assert (~undirected["directed"]).all()
    assert (undirected["initiator"] < undirected["target"]).all()
    assert world.incidents.loc[
        ~world.incidents["action"].isin(["clash", "war_battle"]), "directed"
    ].all()


def test_month_precision_events_are_dated_the_first_of_the_month(world) -> None:
    month = world.incidents[world.incidents["date_precision"] == "month"]
    assert len(month) > 0
    assert (month["date"].dt.day == 1).all()


def test_only_uses_of_force_have_fatalities(world) -> None:
    no_force = world.incidents[world.incidents["hostility"] < 4]
    assert (no_force[["fatalities_initiator", "fatalities_target"]] == 0).all().all()


def test_no_events_before_a_state_exists(world) -> None:
    bangladesh = world.incidents[
        (world.incidents["initiator"] == 771) | (world.incidents["target"] == 771)
    ]
    assert len(bangladesh) > 0
    assert (bangladesh["date"].dt.year >= 1971).all()


def test_seed_case_states_are_real_identities(world) -> None:
    states = world.states.set_index("cow")
    assert states.loc[[630, 770, 700, 750], "iso3"].tolist() == ["IRN", "PAK", "AFG", "IND"]
    border = world.covariates[
        (world.covariates["ccode1"] == 630) & (world.covariates["ccode2"] == 770)
    ]["land_border"]
    assert border.all()


def test_iso3_codes_match_the_states(world) -> None:
    iso = world.states.set_index("cow")["iso3"]
    assert (
        world.incidents["initiator_iso3"].to_numpy()
        == iso.loc[world.incidents["initiator"]].to_numpy()
    ).all()


def test_covariates_share_the_real_schema(world) -> None:
    assert list(world.covariates.columns) == list(COVARIATE_COLUMNS)
    expected = {k: str(pd.Series(dtype=v).dtype) for k, v in COVARIATE_COLUMNS.items()}
    assert dict(world.covariates.dtypes.astype(str)) == expected


def test_start_after_end_is_a_clear_error() -> None:
    with pytest.raises(ForecastError, match="start_year 2000 is after end_year 1990"):
        generate_world(SyntheticParams(start_year=2000, end_year=1990), 1)


def test_seed_case_in_2024_reads_the_last_synthetic_year_flagged(world) -> None:
    request = pd.DataFrame({"ccode1": [630], "ccode2": [770], "year": [2024]})
    answer = covariates_as_of(world.covariates, request)
    assert answer.loc[0, "covariate_year"] == 2014
    assert answer.loc[0, "carried_forward"] and answer.loc[0, "land_border"]


def test_scale_multiplies_the_number_of_events() -> None:
    # Confrontation sizes are heavy-tailed, so one world is noisy: compare totals over seeds.
    half = sum(len(generate_world(SyntheticParams(scale=0.5), s).incidents) for s in range(3))
    full = sum(len(generate_world(SyntheticParams(scale=1.0), s).incidents) for s in range(3))
    assert 1.6 < full / half < 2.5


# --- calibration against MIE -------------------------------------------------------------


def test_answered_within_30_days_is_near_mie(figures) -> None:
    mie = load_calibration()["answered_within"]["30"]
    assert abs(figures["answered_within"]["30"] - mie) < 0.12


def test_answered_within_a_year_is_near_mie(figures) -> None:
    mie = load_calibration()["answered_within"]["365"]
    assert abs(figures["answered_within"]["365"] - mie) < 0.1


def test_response_delay_median_is_near_mie(figures) -> None:
    mie = load_calibration()["response_delay_days"]["median"]
    assert mie / 2 <= figures["response_delay_days"]["median"] <= mie * 2


def test_events_per_active_dyad_year_are_plausible(figures) -> None:
    mie = load_calibration()["events_per_active_dyad_year"]
    assert mie["mean"] / 2 <= figures["events_per_active_dyad_year"]["mean"] <= mie["mean"] * 2
    assert figures["events_per_active_dyad_year"]["median"] <= 2 * mie["median"]


def test_use_of_force_share_and_month_share_match_mie(figures) -> None:
    mie = load_calibration()
    assert abs(figures["use_of_force_share"] - mie["use_of_force_share"]) < 0.03
    assert abs(figures["month_precision_share"] - mie["month_precision_share"]) < 0.02


# --- planted effects are visible in the raw data -----------------------------------------


def _answered_30d_by(world, column: str) -> pd.Series:
    """Share of day-precise force triggers answered within 30 days, by a covariate of the dyad."""
    force = force_by_side(world.incidents)
    delay = first_response_delay(force)
    triggers = force[force["day_precision"]].assign(answered=delay <= 30)
    triggers["year"] = (
        np.datetime64("1800-01-01", "D") + triggers["day"].to_numpy().astype("timedelta64[D]")
    ).astype("datetime64[Y]").astype(int) + 1970
    with_covariates = triggers.merge(
        world.covariates, left_on=["actor", "victim", "year"], right_on=["ccode1", "ccode2", "year"]
    )
    return with_covariates.groupby(column)["answered"].mean()


def test_contiguous_dyads_answer_more_often(world) -> None:
    shares = _answered_30d_by(world, "land_border")
    assert shares.loc[True] > shares.loc[False]


def test_joint_democracies_answer_less_often(world) -> None:
    shares = _answered_30d_by(world, "joint_democracy")
    assert shares.loc[True] < shares.loc[False]


def test_rival_dyads_answer_more_often(world) -> None:
    shares = _answered_30d_by(world, "rivalry")
    assert shares.loc[True] > shares.loc[False]


def test_deaths_on_the_target_make_an_answer_more_likely(world) -> None:
    force = world.incidents[world.incidents["hostility"] >= 4]
    sides = force_by_side(world.incidents)
    delay = np.full(len(sides), np.nan)
    delay[sides["day_precision"].to_numpy()] = first_response_delay(sides)
    # force_by_side lists the incidents' own direction first, in the incidents' order.
    directed = force.assign(answered=delay[: len(force)] <= 30)
    directed = directed[directed["directed"] & (directed["date_precision"] == "day")]
    shares = directed.groupby(directed["fatalities_target"] > 0)["answered"].mean()
    assert shares.loc[True] > shares.loc[False]


# --- properties and the lean path ----------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    start=st.integers(1946, 2000),
    length=st.integers(1, 8),
)
def test_any_world_is_valid_and_inside_its_coverage(seed: int, start: int, length: int) -> None:
    world = generate_world(small_params(start, start + length - 1, 0.3), seed)
    frame = world.incidents
    validate_incidents(frame)
    begin, end = world.coverage.start, world.coverage.end
    assert frame["date"].between(pd.Timestamp(begin), pd.Timestamp(end)).all()
    assert (frame["initiator"] != frame["target"]).all()


def test_lean_events_come_near_the_requested_count() -> None:
    events = generate_events(50_000, seed=5)
    assert 35_000 <= len(events) <= 65_000
    assert events["day"].is_monotonic_increasing
    assert {"day", "initiator", "target", "action", "hostility", "directed"} <= set(events.columns)
