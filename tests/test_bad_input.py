"""Hostile and malformed input to an import: every bad row is quarantined with the value as the
user wrote it and a reason; nothing overflows, nothing becomes a state it does not name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from forecast.core.countries import resolve_countries
from forecast.core.errors import DataFileError
from forecast.sources.tabular import load_mapping, read_tabular
from tests.conftest import run_forecast, run_forecast_process

MAPPING = """\
source: team
columns: {date: day, initiator: by, target: against, action: what, hostility: level,
          fatalities_target: deaths}
"""
HEADER = "day,by,against,what,level,deaths\n"
# A params file for `forecast data ingest` in a test folder: the import beside a small world.
TINY_PARAMS = """\
data:
  mode: synthetic
  csv_imports: [{path: f.csv, mapping: m.yaml}]
  synthetic: {start_year: 2010, end_year: 2011, scale: 0.1}
"""


def read(tmp_path: Path, rows: str, mapping: str = MAPPING):
    (tmp_path / "m.yaml").write_text(mapping)
    (tmp_path / "f.csv").write_text(HEADER + rows)
    return read_tabular(tmp_path / "f.csv", load_mapping(tmp_path / "m.yaml"))


def reasons(result) -> dict[tuple[int, str], tuple[str, str]]:
    return {
        (int(r.row), str(r.column)): (str(r.value), str(r.reason))
        for r in result.quarantine.itertuples()
    }


@pytest.mark.parametrize("written", ["1024-01-16", "0001-01-01", "9999-12-31", "1600-01"])
def test_a_date_outside_1800_2100_is_quarantined_not_fatal(tmp_path: Path, written: str) -> None:
    result = read(tmp_path, f"{written},IRN,PAK,attack,4,1\n2024-01-18,PAK,IRN,attack,4,2\n")
    assert (result.rows_kept, result.rows_quarantined) == (1, 1)
    assert reasons(result)[(1, "day")] == (written, "date outside 1800-2100")


@pytest.mark.parametrize(
    "named",
    ["Pakistani Taliban", "Hezbollah (Lebanon)", "Not Iran", "Unknown armed group in Syria"],
)
def test_a_group_or_a_phrase_is_never_taken_for_the_state_it_mentions(
    tmp_path: Path, named: str
) -> None:
    assert resolve_countries(pd.Series([named])).isna().all()
    result = read(tmp_path, f"2024-01-16,IRN,{named},attack,4,1\n")
    assert result.rows_kept == 0
    value, reason = reasons(result)[(1, "against")]
    assert value == named and "unknown country" in reason


@pytest.mark.parametrize("spelling", ["Iran", "IRN", "630", "islamic republic of iran", "Persia"])
def test_whole_names_codes_and_aliases_still_name_the_state(spelling: str) -> None:
    assert resolve_countries(pd.Series([spelling])).tolist() == [630]


@pytest.mark.parametrize("deaths", ["inf", "-inf", "nan", "1e400", "1e308", "1000001", "-1"])
def test_non_finite_and_absurd_fatalities_are_quarantined(tmp_path: Path, deaths: str) -> None:
    result = read(tmp_path, f"2024-01-16,IRN,PAK,attack,4,{deaths}\n")
    assert result.rows_kept == 0
    value, reason = reasons(result)[(1, "deaths")]
    assert value == deaths and "from 0 to 1,000,000" in reason


def test_a_plausible_large_count_is_kept(tmp_path: Path) -> None:
    result = read(tmp_path, "1916-07-01,200,255,attack,4,650000\n")
    assert result.rows_kept == 1
    assert result.incidents["fatalities_target"].iloc[0] == 650000


@pytest.mark.parametrize("level", ["-5", "12345678901234567890123", "4.5", "inf", "0"])
def test_quarantine_shows_the_hostility_as_written(tmp_path: Path, level: str) -> None:
    result = read(tmp_path, f"2024-01-16,IRN,PAK,attack,{level},1\n")
    assert reasons(result)[(1, "level")] == (level, "hostility is not a whole number 1-5")


def test_identical_rows_without_an_id_are_counted_once(tmp_path: Path) -> None:
    row = "2024-01-16,IRN,PAK,attack,4,1\n"
    result = read(tmp_path, row + "2024-01-18,PAK,IRN,attack,4,2\n" + row)
    assert (result.rows_read, result.rows_kept, result.rows_quarantined) == (3, 2, 1)
    assert len(result.incidents) == 2
    value, reason = reasons(result)[(3, "")]
    assert value == "same as row 1" and "exact duplicate" in reason


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        ("notes_columns: 5", "notes_columns", "valid list"),
        ("notes_columns: notes", "notes_columns", "valid list"),
        ("defaults: [1, 2]", "defaults", "valid dictionary"),
        ("actions: [attack]", "actions", "valid dictionary"),
        ("coverage: {start: someday}", "coverage.start", "valid date"),
        ("colour: red", "colour", "Extra inputs"),
    ],
)
def test_a_mapping_with_a_wrong_type_names_the_key_and_the_type(
    tmp_path: Path, extra: str, key: str, expected: str
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING + extra + "\n")
    with pytest.raises(DataFileError) as error:
        load_mapping(tmp_path / "m.yaml")
    message = str(error.value)
    assert message.startswith(str(tmp_path / "m.yaml")) and f"{key}:" in message
    assert expected in message and "\n" not in message


def test_a_mapping_that_is_not_utf8_or_not_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes(MAPPING.replace("team", "caf\xe9").encode("latin-1"))
    with pytest.raises(DataFileError, match="not UTF-8"):
        load_mapping(tmp_path / "latin.yaml")
    with pytest.raises(DataFileError, match="is not a file"):
        load_mapping(tmp_path)


def test_an_import_follows_the_same_encoding_rule(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "bom.csv").write_bytes(
        b"\xef\xbb\xbf" + (HEADER + "2024-01-16,IRN,PAK,attack,4,1\n").encode()
    )
    assert read_tabular(tmp_path / "bom.csv", load_mapping(tmp_path / "m.yaml")).rows_kept == 1
    (tmp_path / "latin.csv").write_bytes(
        (HEADER + "2024-01-16,IRN,PAK,caf\xe9,4,1\n").encode("latin-1")
    )
    with pytest.raises(DataFileError, match="line 2 holds byte 0xe9, which is not UTF-8"):
        read_tabular(tmp_path / "latin.csv", load_mapping(tmp_path / "m.yaml"))


# A systematic import declares the days it covers; a row outside them is a typo, not a record.
COVERED = MAPPING + "coverage: {start: 2024-01-01, end: 2024-12-31}\n"
OUTSIDE = "outside the coverage declared for this file (2024-01-01 to 2024-12-31)"


@pytest.mark.parametrize("written", ["2100-12-31", "2025-01-01", "2023-12-31", "2023-12"])
def test_a_row_outside_a_systematic_imports_declared_coverage_is_quarantined(
    tmp_path: Path, written: str
) -> None:
    result = read(
        tmp_path, f"2024-01-16,IRN,PAK,attack,4,1\n{written},PAK,IRN,attack,4,2\n", COVERED
    )
    assert (result.rows_read, result.rows_kept, result.rows_quarantined) == (2, 1, 1)
    assert reasons(result)[(2, "day")] == (written, OUTSIDE)
    assert (str(result.coverage.start), str(result.coverage.end)) == ("2024-01-01", "2024-12-31")
    assert result.coverage.systematic


def test_a_month_that_reaches_into_the_declared_coverage_is_kept(tmp_path: Path) -> None:
    mapping = MAPPING + "coverage: {start: 2024-01-15, end: 2024-12-31}\n"
    assert read(tmp_path, "2024-01,IRN,PAK,attack,4,1\n", mapping).rows_kept == 1


def test_an_import_without_declared_coverage_is_read_as_selective(tmp_path: Path) -> None:
    """Its events are known events; a typo date among them cannot stretch the record."""
    result = read(tmp_path, "2024-01-16,IRN,PAK,attack,4,1\n2100-12-31,PAK,IRN,attack,4,2\n")
    assert (result.rows_kept, result.rows_quarantined) == (2, 0)
    assert not result.coverage.systematic
    assert load_mapping(tmp_path / "m.yaml").lacks_coverage


@pytest.mark.parametrize(
    "coverage", ["coverage: {systematic: false}", "coverage: {end: 2024-12-31, systematic: false}"]
)
def test_a_selective_import_needs_no_declared_coverage(tmp_path: Path, coverage: str) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING + coverage + "\n")
    assert not load_mapping(tmp_path / "m.yaml").lacks_coverage
    result = read(tmp_path, "2100-12-31,PAK,IRN,attack,4,2\n", MAPPING + coverage + "\n")
    assert result.rows_kept == 1 and not result.coverage.systematic


TABLE_SUFFIXES = {".parquet", ".csv", ".json"}


def alias_bomb() -> str:
    """The "billion laughs" pattern: nine anchors, each a list of nine aliases of the one
    before, about 600 bytes that a YAML loader expands into 9^9 strings."""
    lines = [MAPPING.strip(), f"a: &a [{', '.join(['lol'] * 9)}]"]
    for before, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_in_a_mapping_is_refused_at_once_by_check_file_and_ingest(
    tmp_path: Path,
) -> None:
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    (tmp_path / "f.csv").write_text(HEADER + "2024-01-16,IRN,PAK,attack,4,1\n")
    (tmp_path / "params.yaml").write_text(
        "data: {mode: synthetic, csv_imports: [{path: f.csv, mapping: bomb.yaml}]}\n"
    )
    for args in (["data", "check-file", "f.csv", "-m", "bomb.yaml"], ["data", "ingest"]):
        result = run_forecast_process(args, cwd=tmp_path, timeout=60)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines() == [
            "error: bomb.yaml: line 4 uses a YAML anchor or alias (&a): write each value out "
            "where it is used (a mapping file may not repeat values by reference)"
        ]
    # Only ingest's lock file may be left; no table was written.
    tables_written = [p for p in (tmp_path / "data").rglob("*") if p.suffix in TABLE_SUFFIXES]
    assert not tables_written


def test_anchors_and_aliases_are_refused_even_when_harmless(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING + "defaults: {hostility: &four 4}\n")
    with pytest.raises(DataFileError, match=r"line 4 uses a YAML anchor or alias \(&four\)"):
        load_mapping(tmp_path / "m.yaml")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (MAPPING.replace("team", "caf\xe9").encode("latin-1"), "is not UTF-8 text"),
        (b"columns: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested more than 20 levels deep"),
        (b"columns: " + b"{a: " * 3000 + b"1" + b"}" * 3000 + b"\n", "nested more than 20"),
    ],
    ids=["latin-1", "deep-lists", "deep-tables"],
)
def test_check_file_names_a_mapping_it_cannot_read_in_one_line(
    tmp_path: Path, capsys, monkeypatch, content: bytes, expected: str
) -> None:
    (tmp_path / "m.yaml").write_bytes(content)
    (tmp_path / "f.csv").write_text(HEADER + "2024-01-16,IRN,PAK,attack,4,1\n")
    code, out, err = run_forecast(
        ["data", "check-file", str(tmp_path / "f.csv"), "-m", str(tmp_path / "m.yaml")],
        capsys,
        monkeypatch,
    )
    assert code == 1 and "Traceback" not in out + err
    assert err.startswith(f"error: {tmp_path / 'm.yaml'}: ") and expected in err
    assert len(err.strip().splitlines()) == 1


HUGE_NUMBER = "9" * 5000  # past Python's 4,300-digit limit on reading text as an int


def test_a_country_of_thousands_of_digits_is_quarantined_as_written(tmp_path: Path) -> None:
    result = read(tmp_path, f"2024-01-16,{HUGE_NUMBER},PAK,attack,4,1\n")
    assert (result.rows_kept, result.rows_quarantined) == (0, 1)
    value, reason = reasons(result)[(1, "by")]
    assert value == HUGE_NUMBER and reason.startswith("unknown country")


def test_ingest_quarantines_a_country_of_thousands_of_digits(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "f.csv").write_text(
        HEADER + f"2024-01-16,IRN,{HUGE_NUMBER},attack,4,1\n2024-01-18,PAK,IRN,attack,4,2\n"
    )
    (tmp_path / "params.yaml").write_text(TINY_PARAMS)
    code, _, err = run_forecast(["data", "ingest"], capsys, monkeypatch)
    assert code == 0, err
    quarantine = pd.read_csv(tmp_path / "data/interim/quarantine.csv", dtype=str)
    assert quarantine["column"].tolist() == ["against"]
    assert quarantine["value"].tolist() == [HUGE_NUMBER]


def test_data_show_names_a_country_of_thousands_of_digits_in_one_short_line(
    capsys, monkeypatch
) -> None:
    code, out, err = run_forecast(["data", "show", HUGE_NUMBER, "PAK"], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.startswith("error: unknown COW country code '9999") and "5,000 characters" in err
    assert len(err) < 200


def _parquet_import(tmp_path: Path, by: bytes) -> Path:
    """A one-row Parquet import whose `by` column is binary, as some exports write text."""
    table = pa.table(
        {
            "day": ["2024-01-16"],
            "by": pa.array([by], pa.binary()),
            "against": ["PAK"],
            "what": ["attack"],
            "level": ["4"],
            "deaths": ["1"],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    (tmp_path / "m.yaml").write_text(MAPPING)
    return tmp_path / "f.parquet"


def test_a_parquet_text_column_of_utf8_bytes_is_read_as_text(tmp_path: Path) -> None:
    path = _parquet_import(tmp_path, "Türkiye".encode())
    assert read_tabular(path, load_mapping(tmp_path / "m.yaml")).rows_kept == 1


def test_a_parquet_column_of_bytes_that_are_not_utf8_is_one_line(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    path = _parquet_import(tmp_path, b"\xe9IRN")
    code, out, err = run_forecast(
        ["data", "check-file", str(path), "-m", str(tmp_path / "m.yaml")], capsys, monkeypatch
    )
    assert (code, out) == (1, "")
    assert err == (
        f"error: {path}: column 'by' row 1 holds byte 0xe9, which is not UTF-8 (write the "
        "column as UTF-8 text)\n"
    )


def test_a_comma_ending_every_row_shifts_no_column(tmp_path: Path) -> None:
    result = read(tmp_path, "2024-01-16,IRN,PAK,attack,4,1,\n2024-01-18,PAK,Atlantis,attack,4,2,\n")
    assert (result.rows_kept, result.rows_quarantined) == (1, 1)
    assert result.incidents["fatalities_target"].tolist() == [1]
    value, reason = reasons(result)[(2, "against")]
    assert value == "Atlantis" and reason.startswith("unknown country")


def test_a_trailing_unnamed_empty_column_is_read_as_absent(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "f.csv").write_text(
        HEADER.replace("\n", ",\n") + "2024-01-16,IRN,PAK,attack,4,1,\n"
    )
    result = read_tabular(tmp_path / "f.csv", load_mapping(tmp_path / "m.yaml"))
    assert (result.rows_kept, result.rows_quarantined) == (1, 0)


def test_a_value_past_the_last_named_column_is_one_line_naming_its_row(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as error:
        read(tmp_path, "2024-01-16,IRN,PAK,attack,4,1,\n2024-01-18,PAK,IRN,attack,4,2,oops\n")
    assert str(error.value) == (
        f"{tmp_path / 'f.csv'}: row 2 has more values than the header has columns (name the "
        "extra column in the header, or remove the value)"
    )


@pytest.mark.parametrize("twin", ["level", "Level ", " LEVEL"])
def test_two_columns_that_differ_only_in_case_or_spaces_are_refused(
    tmp_path: Path, twin: str
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    (tmp_path / "f.csv").write_text(
        HEADER.replace("\n", f",{twin}\n") + "2024-01-16,IRN,PAK,attack,4,1,1\n"
    )
    with pytest.raises(DataFileError) as error:
        read_tabular(tmp_path / "f.csv", load_mapping(tmp_path / "m.yaml"))
    assert str(error.value) == (
        f"{tmp_path / 'f.csv'}: columns 'level' and {twin!r} are one column once case and "
        "spaces are ignored (rename or remove one: which to read is never guessed)"
    )
