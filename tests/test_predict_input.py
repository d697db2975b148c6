"""What `forecast predict` accepts: ISO dates only, finite plausible counts, strict JSON out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.core.errors import DataFileError, ForecastError
from forecast.predict import Forecaster, parse_incident, read_incidents
from forecast.predict.incident import MAX_INCIDENTS, read_incident_rows
from forecast.predict.result import strict_json
from tests.conftest import run_forecast
from tests.test_predict import make_forecaster

FLAGS = ["predict", "--initiator", "IRN", "--target", "PAK", "--action", "attack"]


def record(**overrides: object) -> dict[str, object]:
    return {
        "initiator": "IRN",
        "target": "PAK",
        "date": "2024-01-16",
        "action": "attack",
        "hostility": 4,
    } | overrides


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))


@pytest.mark.parametrize(
    "written", ["01.02.2024", "01/02/2024", "now", "today", "2024", "2024-1-16", "16 Jan 2024"]
)
def test_a_date_that_is_not_iso_is_refused(written: str) -> None:
    with pytest.raises(ForecastError, match="YYYY-MM-DD"):
        parse_incident(record(date=written))


@pytest.mark.parametrize("written", ["1024-01-16", "0001-01-01", "9999-12-31", "2024-02-30"])
def test_a_date_outside_the_range_or_the_calendar_is_refused(written: str) -> None:
    with pytest.raises(ForecastError, match=r"outside 1800-2100|not a calendar date"):
        parse_incident(record(date=written))


def test_a_month_is_month_precise_and_the_forecast_says_so() -> None:
    incident = parse_incident(record(date="2024-01"))
    assert (str(incident.date.date()), incident.date_precision) == ("2024-01-01", "month")
    assert incident.date_text == "January 2024 (day unknown)"
    forecast = make_forecaster().predict(incident)
    assert forecast.to_dict()["incident"]["date_precision"] == "month"
    assert any("Only the month of this incident is known" in c for c in forecast.caveats)
    day = parse_incident(record())
    assert (day.date_precision, day.date_text) == ("day", "16 January 2024")


def test_the_cli_shows_a_month_precise_date_as_such(stand_in: None) -> None:
    result = CliRunner().invoke(app, [*FLAGS, "--date", "2024-01", "--hostility", "4"])
    assert result.exit_code == 0, result.output
    assert "January 2024 (day unknown)" in result.output


@pytest.mark.parametrize("deaths", ["inf", "1e308", "nan", "-1", "2000000"])
def test_fatalities_must_be_finite_and_plausible(deaths: str) -> None:
    with pytest.raises(ForecastError, match="from 0 to 1,000,000"):
        parse_incident(record(fatalities_target=deaths))


@pytest.mark.parametrize("deaths", ["1e308", "inf"])
def test_the_cli_refuses_absurd_fatalities_in_one_line(
    stand_in: None, deaths: str, capsys, monkeypatch
) -> None:
    args = [*FLAGS, "--date", "2024-01-16", "--hostility", "4", "--fatalities-target", deaths]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "fatalities_target" in err and "1,000,000" in err


def test_json_output_is_strict_even_when_a_number_is_not_finite(
    stand_in: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    forecaster = make_forecaster()
    original = forecaster.predict_many

    def with_an_infinite_input(incidents):
        forecasts = original(incidents)
        forecasts[0].features["hostility"] = math.inf
        return forecasts

    monkeypatch.setattr(forecaster, "predict_many", with_an_infinite_input)
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: forecaster))
    args = [*FLAGS, "--date", "2024-01-16", "--hostility", "4", "--format", "json"]
    result = CliRunner().invoke(app, [*args, "--output", "f.json"])
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    for text in (result.stdout, (tmp_path / "f.json").read_text()):
        payload = json.loads(text, parse_constant=refuse)
        assert payload[0]["features"]["hostility"] is None


def test_strict_json_writes_null_for_every_non_finite_number() -> None:
    text = strict_json({"a": [math.nan, -math.inf, 1.5], "b": {"c": math.inf}})
    assert json.loads(text) == {"a": [None, None, 1.5], "b": {"c": None}}


HEADER = "initiator,target,date,action,hostility,notes\n"


def test_one_encoding_rule_for_csv_and_json(tmp_path: Path) -> None:
    row = {"initiator": "IRN", "target": "PAK", "date": "2024-01-16", "action": "attack"}
    (tmp_path / "bom.json").write_bytes(
        b"\xef\xbb\xbf" + json.dumps([row | {"hostility": 4}]).encode()
    )
    (tmp_path / "bom.csv").write_bytes(
        b"\xef\xbb\xbf" + (HEADER + "IRN,PAK,2024-01-16,attack,4,\n").encode()
    )
    assert (
        len(read_incidents(tmp_path / "bom.json")) == len(read_incidents(tmp_path / "bom.csv")) == 1
    )
    (tmp_path / "latin.csv").write_bytes(
        (HEADER + "IRN,PAK,2024-01-16,attack,4,caf\xe9\n").encode("latin-1")
    )
    (tmp_path / "latin.json").write_bytes(
        json.dumps(row).replace("attack", "caf\xe9").encode("latin-1")
    )
    for name in ("latin.csv", "latin.json"):
        with pytest.raises(DataFileError, match=r"line [12] holds byte 0xe9, which is not UTF-8"):
            read_incidents(tmp_path / name)


def test_deeply_nested_json_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataFileError, match="nested too deeply"):
        read_incidents(tmp_path / "deep.json")


def test_a_batch_above_the_limit_gets_a_clear_message(tmp_path: Path) -> None:
    rows = "".join(f"IRN,PAK,2024-01-16,attack,4,case {i}\n" for i in range(MAX_INCIDENTS + 1))
    (tmp_path / "many.csv").write_text(HEADER + rows)
    with pytest.raises(DataFileError, match="holds 1,001 incidents; forecast at most 1,000"):
        read_incidents(tmp_path / "many.csv")
    (tmp_path / "many.csv").write_text(HEADER + rows.split("\n", 1)[1])
    assert len(read_incidents(tmp_path / "many.csv")) == MAX_INCIDENTS


def test_the_briefs_incident_files_follow_the_same_date_rule(
    stand_in: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "brief.csv").write_text(HEADER + "IRN,PAK,01/02/2024,attack,4,\n")
    args = ["report", "--incidents", "brief.csv", "--output-dir", "out", "--no-pdf"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and not (tmp_path / "out" / "brief.html").exists()
    assert "brief.csv row 1, date: '01/02/2024' is not a date" in str(result.exception)


HUGE_NUMBER = "9" * 5000  # past Python's 4,300-digit limit on reading text as an int


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--initiator", HUGE_NUMBER), ("--action", HUGE_NUMBER), ("--action", "²")],
    ids=["huge-country", "huge-action", "superscript-digit-action"],
)
def test_a_number_no_int_can_hold_is_one_short_line(
    stand_in: None, flag: str, value: str, capsys, monkeypatch
) -> None:
    args = [*FLAGS, "--date", "2024-01-16", "--hostility", "4", flag, value]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.startswith("error: flags, ") and err.count("\n") == 1 and len(err) < 300


def test_a_json_country_of_thousands_of_digits_is_an_unknown_country(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(record()).replace('"IRN"', HUGE_NUMBER))
    code, out, err = run_forecast(["predict", "--input", str(path)], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.startswith("error: huge.json item 1, initiator: unknown COW country code")
    assert err.count("\n") == 1 and len(err) < 300


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_output_a_file_cannot_be_written_to_is_one_line_before_any_forecast(
    stand_in: None, tmp_path: Path, where: str, capsys, monkeypatch
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("a file")
    output = tmp_path / ("folder" if where == "a folder" else "file.txt/forecasts.json")
    args = [*FLAGS, "--date", "2024-01-16", "--hostility", "4", "--output", str(output)]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {output}: ") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder"]


def test_a_comma_ending_every_row_shifts_no_field(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text(
        HEADER + "IRN,PAK,2024-01-16,attack,4,first,\nPAK,IRN,2024-01-18,attack,4,second,\n"
    )
    incidents = read_incidents(tmp_path / "f.csv")
    assert [(i.initiator, i.notes) for i in incidents] == [(630, "first"), (770, "second")]


def test_hostility_given_twice_under_two_spellings_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text(
        "initiator,target,date,action,hostility,Hostility \nIRN,PAK,2024-01-16,attack,4,1\n"
    )
    with pytest.raises(DataFileError) as error:
        read_incidents(tmp_path / "f.csv")
    assert "columns 'hostility' and 'Hostility ' are one column" in str(error.value)


@pytest.mark.parametrize("deaths", [math.nan, -math.inf, math.inf])
def test_a_non_finite_number_of_deaths_is_refused_not_read_as_unknown(deaths: float) -> None:
    with pytest.raises(ForecastError, match=r"fatalities_target: .* from 0 to 1,000,000"):
        parse_incident(record(fatalities_target=deaths))


def test_the_cli_refuses_nan_deaths_in_flags_and_json(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    flags = [*FLAGS, "--date", "2024-01-16", "--hostility", "4", "--fatalities-target", "nan"]
    (tmp_path / "nan.json").write_text('{"initiator": "IRN", "target": "PAK", "date": '
                                       '"2024-01-16", "action": "attack", "hostility": 4, '
                                       '"fatalities_initiator": NaN}')  # fmt: skip
    for args in (flags, ["predict", "--input", str(tmp_path / "nan.json")]):
        code, out, err = run_forecast(args, capsys, monkeypatch)
        assert (code, out) == (1, ""), err
        assert err.count("\n") == 1 and "nan" in err and "1,000,000" in err


MIXED = (
    HEADER
    + "IRN,PAK,2024-01-16,attack,4,good\n"
    + "PAK,IRN,01.02.2024,attack,4,bad date\n"
    + "PAK,IRN,2024-01-18,attack,4,good\n"
    + "IRN,Atlantis,2024-01-20,attack,4,bad country\n"
)


def test_mixed_rows_forecast_the_good_ones_and_list_every_bad_one(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "mixed.csv").write_text(MIXED)
    args = ["predict", "--input", str(tmp_path / "mixed.csv"), "--format", "json"]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert code == 0, err
    forecasts = json.loads(out)
    assert [f["incident"]["initiator_name"] for f in forecasts] == ["Iran", "Pakistan"]
    lines = err.strip().splitlines()
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if "│" in line]
    assert [row[:3] for row in rows] == [["mixed.csv", "2", "date"], ["mixed.csv", "4", "target"]]
    assert rows[0][3].startswith("'01.02.2024' is not a date")
    assert lines[-1] == (
        f"warning: 2 of the 4 incidents in {tmp_path / 'mixed.csv'} were not forecast (the rows "
        "above); the other 2 were"
    )


def test_when_no_row_can_be_forecast_every_bad_one_is_listed_and_the_exit_code_is_1(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    bad_only = "".join(line + "\n" for line in MIXED.splitlines() if "bad" in line)
    (tmp_path / "bad.csv").write_text(HEADER + bad_only)
    code, out, err = run_forecast(
        ["predict", "--input", str(tmp_path / "bad.csv")], capsys, monkeypatch
    )
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert sum("bad.csv │" in line for line in lines) == 2
    assert lines[-1] == (
        f"error: {tmp_path / 'bad.csv'}: none of its 2 incidents can be forecast (the rows above "
        "say why)"
    )


def test_one_bad_row_and_no_good_one_is_one_line_as_ever(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    (tmp_path / "one.csv").write_text(HEADER + "PAK,IRN,01.02.2024,attack,4,\n")
    code, out, err = run_forecast(
        ["predict", "--input", str(tmp_path / "one.csv")], capsys, monkeypatch
    )
    assert (code, out) == (1, "")
    assert err.startswith("error: one.csv row 1, date: '01.02.2024' is not a date")
    assert err.count("\n") == 1


def test_the_python_reader_still_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    """The brief and notebooks read incident files whole: a bad row is an error there."""
    (tmp_path / "mixed.csv").write_text(MIXED)
    with pytest.raises(ForecastError, match=r"mixed\.csv row 2, date: '01\.02\.2024'"):
        read_incidents(tmp_path / "mixed.csv")
    read = read_incident_rows(tmp_path / "mixed.csv")
    assert (len(read.incidents), [(b.row, b.column) for b in read.bad_rows]) == (
        2,
        [(2, "date"), (4, "target")],
    )


def test_a_handcoded_file_with_a_bad_row_forecasts_the_others(
    stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    folder = tmp_path / "incidents"
    folder.mkdir()
    (folder / "handcoded.yaml").write_text(Path("data/incidents/handcoded.yaml").read_text())
    source = Path("data/incidents/iran_pakistan_2024.csv").read_text().splitlines()
    broken = source[2].replace("2024-01-18", "2024-02-30")
    (folder / "two.csv").write_text("\n".join([source[0], broken, source[1]]) + "\n")
    read = read_incident_rows(folder / "two.csv")
    assert [i.incident_id for i in read.incidents] == ["hand-2024-01-16-IRN-PAK"]
    assert [(b.row, b.column) for b in read.bad_rows] == [(1, "date")]
