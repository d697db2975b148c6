"""COW MID 5 participants become directed dyads; participants in no dyad are quarantined."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.schemas import validate_incidents
from forecast.sources.cow_mid import read_cow_mid

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def tiny() -> object:
    return read_cow_mid(FIXTURES / "made_midi.csv", FIXTURES / "made_midip.csv")


def _dyads(result: object, incidnum: int) -> set[tuple[int, int]]:
    rows = result.incidents[result.incidents["incident_id"].str.contains(f"mid-{incidnum}-")]  # type: ignore[attr-defined]
    return set(zip(rows["initiator"], rows["target"], strict=True))


def test_participant_rows_in_equal_kept_plus_quarantined(tiny: object) -> None:
    assert tiny.rows_read == 10
    assert tiny.rows_kept + tiny.rows_quarantined == 10


def test_acting_participant_initiates_against_the_other_side(tiny: object) -> None:
    assert _dyads(tiny, 5001001) == {(2, 630)}


def test_each_actor_initiates_against_every_participant_on_the_other_side(tiny: object) -> None:
    assert _dyads(tiny, 5001004) == {(2, 630), (2, 645), (630, 2)}


def test_action_and_dates_come_from_the_initiators_own_row(tiny: object) -> None:
    rows = tiny.incidents.set_index("incident_id")
    answer = rows.loc["mid-5001004-630-2"]
    assert (answer["action"], answer["hostility"]) == ("attack", 4)
    assert answer["date"] == pd.Timestamp("2001-04-08")
    assert pd.isna(answer["fatalities_initiator"])  # fatalpre -9 is unknown, not zero


def test_a_clash_coded_by_both_sides_is_one_undirected_row_from_the_lower_code(
    tiny: object,
) -> None:
    clash = tiny.incidents[tiny.incidents["action"] == "clash"]
    assert len(clash) == 1
    row = clash.iloc[0]
    assert (row["initiator"], row["target"], row["directed"]) == (750, 770, False)
    assert (row["fatalities_initiator"], row["fatalities_target"]) == (1.0, 2.0)
    assert row["date_precision"] == "month"


def test_participants_with_no_militarized_action_on_either_side_are_quarantined(
    tiny: object,
) -> None:
    quarantined = tiny.quarantine.set_index("row")["reason"]
    assert quarantined.loc[5].startswith("participant in no kept dyad")
    assert quarantined.loc[6].startswith("participant in no kept dyad")


def test_participant_of_an_incident_missing_from_midi_is_quarantined(tiny: object) -> None:
    record = tiny.quarantine[tiny.quarantine["row"] == 10].iloc[0]
    assert record["column"] == "incidnum"
    assert "not found in made_midi.csv" in record["reason"]


@pytest.mark.real_data
def test_real_mid5_participants_are_all_accounted_for(real_data_dir: Path) -> None:
    result = read_cow_mid(
        real_data_dir / "cow_mid5_incidents_midi.csv",
        real_data_dir / "cow_mid5_incident_participants_midip.csv",
    )
    assert result.rows_read == 9_619
    assert result.rows_kept + result.rows_quarantined == 9_619
    validate_incidents(result.incidents)
    iran_pakistan = result.incidents[
        result.incidents["initiator"].isin([630, 770]) & result.incidents["target"].isin([630, 770])
    ]
    incidents = iran_pakistan["incident_id"].str.extract(r"mid-(\d+)-")[0]
    assert incidents.nunique() == 19  # data README: 19 incidents in 4 disputes
    assert iran_pakistan["dispute_id"].nunique() == 4


_PARTICIPANT = st.fixed_dictionaries(
    {
        "incidnum": st.sampled_from([5001001, 5001002, 5001003, 5001777]),
        "ccode": st.sampled_from([2, 630, 645, 750, 770]),
        "stday": st.sampled_from([-9, 1, 31]),
        "stmon": st.sampled_from([-9, 2, 4]),
        "endday": st.sampled_from([-9, 1, 28]),
        "endmon": st.sampled_from([-9, 2, 4]),
        "insidea": st.sampled_from([0, 1, 2]),
        "fatalpre": st.sampled_from([-9, 0, 5]),
        "action": st.sampled_from([0, 1, 7, 16, 17, 20, 99]),
        "hostlev": st.sampled_from([1, 2, 3, 4, 5, 7]),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_PARTICIPANT, min_size=1, max_size=12))
def test_any_participant_rows_are_all_kept_or_quarantined(
    tmp_path: Path, rows: list[dict[str, int]]
) -> None:
    midip = tmp_path / "midip.csv"
    pd.DataFrame(rows).assign(dispnum=5001, styear=2001, endyear=2001).to_csv(midip, index=False)
    result = read_cow_mid(FIXTURES / "made_midi.csv", midip)
    assert result.rows_kept + result.rows_quarantined == len(rows)
    assert not result.incidents["incident_id"].duplicated().any()
    validate_incidents(result.incidents)
