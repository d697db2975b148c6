"""MIE rows become canonical incidents; every row is kept or quarantined."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import DataFileError
from forecast.core.schemas import validate_incidents
from forecast.sources.mie import read_mie

FIXTURE = Path(__file__).parent / "fixtures" / "made_mie.csv"


@pytest.fixture(scope="module")
def tiny() -> object:
    return read_mie(FIXTURE)


def _by_event(result: object, eventnum: int) -> pd.Series:
    incidents = result.incidents  # type: ignore[attr-defined]
    return incidents[incidents["incident_id"].str.startswith(f"mie-4001-{eventnum}-")].iloc[0]


def test_rows_in_equal_rows_kept_plus_rows_quarantined(tiny: object) -> None:
    assert tiny.rows_read == 7
    assert tiny.rows_kept + tiny.rows_quarantined == tiny.rows_read
    assert len(tiny.incidents) == tiny.rows_kept == 3


def test_incident_id_names_confrontation_event_and_dyad(tiny: object) -> None:
    assert _by_event(tiny, 1)["incident_id"] == "mie-4001-1-630-770"


def test_action_code_becomes_canonical_name_with_hostility(tiny: object) -> None:
    row = _by_event(tiny, 1)
    assert (row["action"], row["hostility"], row["directed"]) == ("attack", 4, True)


def test_clash_stays_one_undirected_row(tiny: object) -> None:
    clashes = tiny.incidents[tiny.incidents["action"] == "clash"]
    assert len(clashes) == 1
    assert not clashes["directed"].iloc[0]


def test_missing_day_gives_first_of_month_with_month_precision(tiny: object) -> None:
    row = _by_event(tiny, 2)
    assert row["date"] == pd.Timestamp("2010-03-01")
    assert row["date_precision"] == "month"


def test_end_known_only_to_month_never_precedes_start(tiny: object) -> None:
    row = _by_event(tiny, 3)
    assert row["date"] == pd.Timestamp("2011-02-20")
    assert row["date_end"] == pd.Timestamp("2011-02-20")


def test_fatalities_are_the_minimum_estimates(tiny: object) -> None:
    row = _by_event(tiny, 2)
    assert (row["fatalities_initiator"], row["fatalities_target"]) == (1.0, 4.0)


def test_bad_rows_are_quarantined_with_their_reason(tiny: object) -> None:
    reasons = dict(zip(tiny.quarantine["row"], tiny.quarantine["reason"], strict=True))
    assert reasons == {
        4: "initiator equals target",
        5: "missing or impossible date",
        6: "unknown action",
        7: "unknown or missing initiator country",
    }
    assert set(tiny.quarantine["file"]) == {"made_mie.csv"}


def test_quarantine_shows_dates_and_codes_as_the_file_wrote_them(tiny: object) -> None:
    values = dict(zip(tiny.quarantine["row"], tiny.quarantine["value"], strict=True))
    assert (values[5], values[6], values[7]) == ("2013-2-30", "99", "-9")


def test_missing_column_names_the_file_and_the_expected_columns(tmp_path: Path) -> None:
    broken = tmp_path / "mie.csv"
    pd.read_csv(FIXTURE).drop(columns="hostlev").to_csv(broken, index=False)
    with pytest.raises(DataFileError, match=r"mie\.csv: missing column\(s\) hostlev.*expected"):
        read_mie(broken)


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "mie.csv"
    empty.write_text("")
    with pytest.raises(DataFileError, match="file is empty"):
        read_mie(empty)


@pytest.mark.real_data
def test_every_real_mie_row_is_accounted_for(real_data_dir: Path) -> None:
    result = read_mie(real_data_dir / "mie_events_v1.0.csv")
    assert result.rows_read == 28_011
    assert result.rows_kept + result.rows_quarantined == 28_011
    assert len(result.incidents) == result.rows_kept
    validate_incidents(result.incidents)


@pytest.mark.real_data
def test_real_mie_dyad_counts_match_the_data_readme(real_data_dir: Path) -> None:
    incidents = read_mie(real_data_dir / "mie_events_v1.0.csv").incidents

    def dyad(a: int, b: int) -> pd.DataFrame:
        pair = {a, b}
        return incidents[incidents["initiator"].isin(pair) & incidents["target"].isin(pair)]

    iran_pakistan, india_pakistan = dyad(630, 770), dyad(750, 770)
    assert len(iran_pakistan) == 19
    assert iran_pakistan["dispute_id"].nunique() == 4
    assert (iran_pakistan["initiator"] == 630).sum() == 17
    assert (iran_pakistan["hostility"] >= 4).sum() == 13
    assert len(india_pakistan) == 594
    assert india_pakistan["dispute_id"].nunique() == 37
    assert (india_pakistan["date_precision"] == "month").sum() == 48


_CODES = st.fixed_dictionaries(
    {
        "micnum": st.integers(1, 9999),
        "eventnum": st.integers(1, 3),
        "ccode1": st.sampled_from([2, 630, 750, 770, 99999, -9]),
        "ccode2": st.sampled_from([2, 630, 750, 770]),
        "stmon": st.integers(-9, 13),
        "stday": st.sampled_from([-9, 1, 15, 29, 30, 31, 40]),
        "styear": st.integers(1816, 2014),
        "endmon": st.integers(-9, 13),
        "endday": st.sampled_from([-9, 1, 28, 31]),
        "endyear": st.integers(1816, 2014),
        "sidea1": st.integers(0, 1),
        "action": st.integers(-9, 25),
        "hostlev": st.integers(-9, 6),
        "fatalmin1": st.integers(-9, 100),
        "fatalmax1": st.integers(0, 100),
        "fatalmin2": st.integers(-9, 100),
        "fatalmax2": st.integers(0, 100),
    }
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_CODES, min_size=1, max_size=20))
def test_any_coded_rows_are_all_kept_or_quarantined(
    tmp_path: Path, rows: list[dict[str, int]]
) -> None:
    path = tmp_path / "mie.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    result = read_mie(path)
    assert result.rows_kept + result.rows_quarantined == len(rows)
    assert len(result.incidents) == result.rows_kept
    validate_incidents(result.incidents)
