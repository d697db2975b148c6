"""Any CSV or Parquet file through a column mapping; unparsable values shown in quarantine."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.errors import DataFileError, ForecastError
from forecast.sources.tabular import load_mapping, mapping_from_pairs, read_tabular

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def team() -> object:
    return read_tabular(FIXTURES / "team_export.csv", load_mapping(FIXTURES / "team_export.yaml"))


def _quarantined(result: object, row: int) -> pd.Series:
    return result.quarantine[result.quarantine["row"] == row].iloc[0]  # type: ignore[attr-defined]


def test_rows_in_equal_kept_plus_quarantined(team: object) -> None:
    assert (team.rows_read, team.rows_kept, team.rows_quarantined) == (6, 3, 3)


def test_countries_may_be_names_iso3_or_cow_codes(team: object) -> None:
    rows = team.incidents.set_index("incident_id")
    assert (rows.loc["team-a1", "initiator"], rows.loc["team-a1", "target"]) == (630, 2)
    assert rows.loc["team-a1", "target_iso3"] == "USA"


def test_unknown_country_is_quarantined_with_the_value_written(team: object) -> None:
    record = _quarantined(team, 3)
    assert (record["column"], record["value"]) == ("actor1", "Wakanda")
    assert "unknown country" in record["reason"]


def test_impossible_date_is_quarantined_with_the_value_written(team: object) -> None:
    record = _quarantined(team, 4)
    assert (record["column"], record["value"]) == ("event_date", "2020-02-30")


def test_unknown_action_is_quarantined(team: object) -> None:
    record = _quarantined(team, 6)
    assert (record["column"], record["value"], record["reason"]) == (
        "event_type",
        "bombardment",
        "unknown action",
    )


def test_action_translations_and_implied_hostility(team: object) -> None:
    row = team.incidents.set_index("incident_id").loc["team-a1"]
    assert (row["action"], row["hostility"], row["directed"]) == ("attack", 4, True)


def test_year_month_dates_have_month_precision(team: object) -> None:
    row = team.incidents.set_index("incident_id").loc["team-a2"]
    assert row["date"] == pd.Timestamp("2020-01-01")
    assert row["date_precision"] == "month"


def test_undirected_rows_name_the_lower_code_first_with_fatalities_swapped(team: object) -> None:
    row = team.incidents.set_index("incident_id").loc["team-a5"]
    assert (row["initiator"], row["target"], row["directed"]) == (750, 770, False)
    assert (row["fatalities_initiator"], row["fatalities_target"]) == (2.0, 1.0)


def test_notes_columns_are_joined_into_notes(team: object) -> None:
    row = team.incidents.set_index("incident_id").loc["team-a1"]
    assert row["notes"] == "comment: retaliation for a drone strike"


def test_declared_coverage_is_reported(team: object) -> None:
    assert str(team.coverage.end) == "2020-12-31"


def test_parquet_files_read_like_csv(tmp_path: Path) -> None:
    parquet = tmp_path / "team.parquet"
    pd.read_csv(FIXTURES / "team_export.csv", dtype=str).to_parquet(parquet)
    result = read_tabular(parquet, load_mapping(FIXTURES / "team_export.yaml"))
    assert (result.rows_kept, result.rows_quarantined) == (3, 3)


def test_mapping_from_command_line_pairs_with_constants(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("when,who,whom\n2020-01-01,IRN,PAK\n")
    mapping = mapping_from_pairs(
        ["date=when", "initiator=who", "target=whom", "action:=attack", "target_kind:=non_state"]
    )
    row = read_tabular(path, mapping).incidents.iloc[0]
    assert (row["action"], row["target_kind"], row["incident_id"]) == (
        "attack",
        "non_state",
        "csv-row-1",
    )


def test_mapping_without_a_target_column_is_refused() -> None:
    with pytest.raises(ForecastError, match="lacks target"):
        mapping_from_pairs(["date=when", "initiator=who", "action:=attack"])


def test_missing_mapped_column_names_file_and_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("when,who\n2020-01-01,IRN\n")
    mapping = mapping_from_pairs(["date=when", "initiator=who", "target=whom", "action:=attack"])
    with pytest.raises(DataFileError, match=r"x\.csv: missing column\(s\) whom.*expected columns"):
        read_tabular(path, mapping)


def test_header_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("when,who,whom\n")
    mapping = mapping_from_pairs(["date=when", "initiator=who", "target=whom", "action:=attack"])
    with pytest.raises(DataFileError, match="no data rows"):
        read_tabular(path, mapping)


_MAPPING = mapping_from_pairs(
    [
        "date=date",
        "initiator=initiator",
        "target=target",
        "action=action",
        "hostility=hostility",
        "directed=directed",
        "fatalities_target=fatalities_target",
        "target_kind=target_kind",
    ]
)
_NOISE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(string.punctuation),
    max_size=12,
)


def _cell(*plausible: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(plausible), _NOISE)


_ROWS = st.lists(
    st.fixed_dictionaries(
        {
            "date": _cell("2020-01-05", "2020-02", "2020-02-30", "1899-13-01", ""),
            "initiator": _cell("IRN", "Pakistan", "750", "630", "0", "Atlantis", ""),
            "target": _cell("PAK", "India", "770", "-5", ""),
            "action": _cell("attack", "clash", "16", "17", "seizure", "nonsense"),
            "hostility": _cell("1", "4", "5", "9", "4.5", "-1", ""),
            "directed": _cell("true", "false", "0", "maybe", ""),
            "fatalities_target": _cell("0", "3", "-2", "1e3", "many", ""),
            "target_kind": _cell("state", "non_state", "unknown", "alien", ""),
        }
    ),
    min_size=1,
    max_size=15,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_ROWS)
def test_fuzzed_rows_all_end_up_kept_or_quarantined(
    tmp_path: Path, rows: list[dict[str, str]]
) -> None:
    path = tmp_path / "fuzz.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    result = read_tabular(path, _MAPPING)
    assert result.rows_read == len(rows)
    assert result.rows_kept + result.rows_quarantined == len(rows)
    assert len(result.incidents) == result.rows_kept
    kept_rows = len(rows) - result.rows_quarantined
    assert set(result.quarantine["row"].dropna().astype(int)) <= set(range(1, len(rows) + 1))
    assert kept_rows == len(result.incidents)


def test_outcome_checked_until_is_read_and_a_bad_one_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "when,who,whom,checked\n"
        "2020-01-01,IRN,PAK,2020-03-31\n"
        "2020-01-02,IRN,PAK,\n"
        "2020-01-03,IRN,PAK,soon\n"
        "2020-01-04,IRN,PAK,2019-12-31\n"
    )
    pairs = ["date=when", "initiator=who", "target=whom", "action:=attack"]
    mapping = mapping_from_pairs([*pairs, "outcome_checked_until=checked"])
    result = read_tabular(path, mapping)
    kept = result.incidents.set_index("incident_id")["outcome_checked_until"]
    assert kept["csv-row-1"] == pd.Timestamp("2020-03-31") and pd.isna(kept["csv-row-2"])
    assert (_quarantined(result, 3)["column"], _quarantined(result, 3)["value"]) == (
        "checked",
        "soon",
    )
    assert "before date" in _quarantined(result, 4)["reason"]
