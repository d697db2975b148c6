"""Event feeds (ICEWS native, knowledge-graph slices, GDELT 2.0, POLECAT) on hand-made files.

The fixtures under tests/fixtures/feeds/ follow each producer's layout; every expected incident
below can be checked by eye against them.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from forecast.cli import app
from forecast.core.config import DataParams, FeedParams, FeedTime, validated_params
from forecast.core.errors import DataFileError, ForecastError
from forecast.sources.feed_actors import gdelt_actor_states, icews_actor_states
from forecast.sources.feed_reduce import coverage_windows, merge_windows
from forecast.sources.feed_tables import (
    load_actor_tables,
    load_consented_operations,
    load_event_codes,
)
from forecast.sources.feeds import read_feed
from forecast.sources.gdelt import COLUMNS as GDELT_COLUMNS
from forecast.sources.icews_tkg import slice_day

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
runner = CliRunner()


def read(fmt: str, file: str, **options: object) -> object:
    feed = FeedParams(name="fx", format=fmt, file=str(FEEDS / file), **options)  # type: ignore[arg-type]
    return read_feed(feed, DataParams())


def incident(result: object, initiator: str, target: str, action: str) -> pd.Series:
    table = result.incidents  # type: ignore[attr-defined]
    rows = table[
        (table["initiator_iso3"] == initiator)
        & (table["target_iso3"] == target)
        & (table["action"] == action)
    ]
    assert len(rows) == 1, f"expected one {initiator}->{target} {action}, got {len(rows)}"
    return rows.iloc[0]


def reason_of(result: object, row: int) -> str:
    quarantine = result.quarantine  # type: ignore[attr-defined]
    return str(quarantine.loc[quarantine["row"] == row, "reason"].iloc[0])


# --- ICEWS native layout -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def icews() -> object:
    return read("icews", "made_icews_events.tab")


def test_icews_every_row_is_kept_or_quarantined(icews: object) -> None:
    assert icews.rows_read == 20
    assert icews.rows_kept + icews.rows_quarantined == icews.rows_read
    assert icews.rows_quarantined == icews.quarantine["row"].nunique() == 10


def test_reports_of_one_event_become_one_incident_counting_them(icews: object) -> None:
    strike = incident(icews, "ISR", "SYR", "attack")
    assert strike["date"] == pd.Timestamp("2018-05-10")
    assert strike["notes"] == "feed reports: 3"  # two by "Israel", one by the named force


def test_clash_reported_by_both_sides_is_one_undirected_incident(icews: object) -> None:
    clash = incident(icews, "IND", "PAK", "clash")  # India (750) before Pakistan (770)
    assert not clash["directed"]
    assert clash["notes"] == "feed reports: 2"
    assert clash["target_kind"] == "state"


def test_state_sectors_and_aliases_map_to_their_state(icews: object) -> None:
    assert incident(icews, "USA", "IRQ", "attack")["target_kind"] == "state"  # Military (Iraq)
    assert incident(icews, "RUS", "UKR", "attack")["target_kind"] == "unknown"  # bare country
    assert incident(icews, "IRN", "IRQ", "attack")["date"] == pd.Timestamp("2018-06-02")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (6, "source actor is not a state"),  # Militant (Pakistan)
        (7, "target actor is not a state"),  # Citizen (Pakistan)
        (17, "source actor is not a state"),  # "Militar (Pakistan)": no near matches
        (18, "source actor is not a state"),  # "Pakistani": a demonym is not a state
        (20, "source actor is not a state"),  # Armed Rebel (Syria)
        (15, "same state on both sides"),
        (11, "not mapped to a militarized action"),
        (14, "not a date"),
    ],
)
def test_icews_rows_quarantined_with_their_reason(icews: object, row: int, reason: str) -> None:
    assert reason in reason_of(icews, row)


def test_consented_operation_is_not_force_against_the_host(icews: object) -> None:
    assert reason_of(icews, 8).startswith("consented operation (Operation Inherent Resolve")
    # The same strike against the host's own military is force against the state.
    assert incident(icews, "USA", "IRQ", "attack")["notes"] == "feed reports: 1"


def test_root_18_counts_only_between_state_agencies(icews: object) -> None:
    assert "only between state agencies" in reason_of(icews, 12)  # Iran -> Iraq, 180
    police = incident(icews, "IRN", "IRQ", "attack")  # Police (Iran) -> Military (Iraq), 182
    assert police["hostility"] == 4


def test_threats_and_displays_get_their_hostility(icews: object) -> None:
    assert incident(icews, "PAK", "IND", "threat_to_use_force")["hostility"] == 2
    assert incident(icews, "CHN", "JPN", "alert")["hostility"] == 3


def test_icews_coverage_defaults_to_first_and_last_day(icews: object) -> None:
    assert (icews.coverage.start, icews.coverage.end) == (date(2018, 2, 24), date(2018, 6, 2))
    assert icews.coverage.record()["systematic"] is True


def test_icews_missing_column_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tab"
    bad.write_text("Event Date\tSource Name\n2018-01-01\tIran\n")
    with pytest.raises(DataFileError, match="missing column\\(s\\) Source Country"):
        read("icews", str(bad))


# --- knowledge-graph slices --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "values", "expected"),
    [
        (
            FeedTime(origin=date(2014, 1, 1), origin_value=1),
            ["1", "365"],
            ["2014-01-01", "2014-12-31"],
        ),
        (
            FeedTime(origin=date(2018, 1, 1), per_day=24),
            ["0", "23", "24", "7272"],
            ["2018-01-01", "2018-01-01", "2018-01-02", "2018-10-31"],
        ),
        (FeedTime(origin=date(2021, 1, 1)), ["0", "118"], ["2021-01-01", "2021-04-29"]),
    ],
)
def test_slice_time_encodings(time: FeedTime, values: list[str], expected: list[str]) -> None:
    assert list(slice_day(pd.Series(values), time)) == [pd.Timestamp(d) for d in expected]


def write_slice(folder: Path) -> None:
    """A tiny slice: underscores for spaces, as ICEWS14 writes them; one row per split."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entity2id.txt").write_text(
        "Military_(Tajikistan)\t0\nKyrgyzstan\t1\nCitizen_(Kyrgyzstan)\t2\nIsrael\t3\nSyria\t4\n"
    )
    (folder / "relation2id.txt").write_text(
        "fight_with_small_arms_and_light_weapons\t0\nMake_statement\t1\nEmploy_aerial_weapons\t2\n"
    )
    (folder / "train.txt").write_text("0\t0\t1\t2832\n1\t0\t0\t2832\n0\t0\t2\t2832\n")
    (folder / "valid.txt").write_text("3\t1\t4\t2840\n")
    (folder / "test.txt").write_text("3\t2\t4\t3000\n3\t9\t4\t3000\n")


def slice_feed(path: Path) -> FeedParams:
    return FeedParams(
        name="kg",
        format="icews_tkg",
        file=str(path),
        time=FeedTime(origin=date(2021, 1, 1), per_day=24),
    )


def test_slice_in_folder_and_zip_give_the_same_incidents(tmp_path: Path) -> None:
    write_slice(tmp_path / "slice")
    with zipfile.ZipFile(tmp_path / "slice.zip", "w") as archive:
        for member in (tmp_path / "slice").iterdir():
            archive.write(member, f"ICEWS_tiny/{member.name}")
    folder = read_feed(slice_feed(tmp_path / "slice"), DataParams())
    zipped = read_feed(slice_feed(tmp_path / "slice.zip"), DataParams())
    pd.testing.assert_frame_equal(folder.incidents, zipped.incidents)
    assert folder.rows_read == zipped.rows_read == 6
    assert folder.rows_kept + folder.rows_quarantined == 6


def test_slice_rows_become_incidents_by_the_declared_time(tmp_path: Path) -> None:
    write_slice(tmp_path / "slice")
    result = read_feed(slice_feed(tmp_path / "slice"), DataParams())
    clash = incident(result, "TJK", "KGZ", "clash")  # 2832 h // 24 = day 118 = 29 April
    assert clash["date"] == pd.Timestamp("2021-04-29")
    assert clash["notes"] == "feed reports: 2"  # reported in both directions
    strike = incident(result, "ISR", "SYR", "attack")  # 3000 h // 24 = day 125
    assert strike["date"] == pd.Timestamp("2021-05-06")
    reasons = set(result.quarantine["reason"])
    assert any("target actor is not a state" in r for r in reasons)  # Citizen (Kyrgyzstan)
    values = result.quarantine.set_index("file")["value"]
    assert values["slice:valid.txt"] == "label: Make statement"  # a label, not a mapped code
    assert values["slice:test.txt"] == "label: unknown relation id"  # id 9 is not in the table


def test_slice_needs_its_time_encoding() -> None:
    with pytest.raises(ValueError, match="icews_tkg needs `time"):
        FeedParams(name="kg", format="icews_tkg", file="x.zip")


def test_slice_without_name_tables_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match=r"slice lacks entity2id\.txt"):
        read_feed(slice_feed(tmp_path / "empty"), DataParams())


# --- GDELT 2.0 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gdelt() -> object:
    return read("gdelt", "made_gdelt.export.CSV")


def test_gdelt_export_has_61_columns() -> None:
    first = (FEEDS / "made_gdelt.export.CSV").read_text().splitlines()[0]
    assert len(GDELT_COLUMNS) == 61 == len(first.split("\t"))


def test_gdelt_type_codes_and_bare_countries(gdelt: object) -> None:
    assert gdelt.rows_read == 12
    assert gdelt.rows_kept + gdelt.rows_quarantined == 12
    strike = incident(gdelt, "ISR", "SYR", "attack")
    assert strike["notes"] == "feed reports: 3"  # two reports of ISR->SYRMIL, one ISRMIL->SYR
    assert strike["target_kind"] == "state"
    assert incident(gdelt, "IND", "PAK", "clash")["notes"] == "feed reports: 1"  # PAKMIL->INDMIL
    assert "not a state" in reason_of(gdelt, 4)  # PAKREB
    assert "not a state" in reason_of(gdelt, 11)  # INDCVL
    assert "not a state" in reason_of(gdelt, 10)  # no Actor2
    assert reason_of(gdelt, 5).startswith("consented operation")  # USA -> IRQ, 2018
    assert "not a date" in reason_of(gdelt, 8)  # 20180532


def test_gdelt_actor_states_by_code() -> None:
    tables = load_actor_tables()
    states = gdelt_actor_states(
        pd.Series(["PAKMIL", "PAK", "PAKREB", "PAKGOV", "XYZ"]),
        pd.Series(["PAK", "PAK", "PAK", "PAK", "XYZ"]),
        pd.Series(["MIL", "", "REB", "GOV", ""]),
        tables,
    )
    assert states["kind"].tolist() == ["agency", "country", "non_state", "agency", "non_state"]
    assert states["state"].tolist()[:2] == [770, 770]
    assert states["state"].isna().tolist() == [False, False, True, False, True]


def test_gdelt_file_of_another_width_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "short.CSV"
    bad.write_text("1\t20180101\t201801\n")
    with pytest.raises(DataFileError, match=r"not a GDELT 2\.0 export"):
        read("gdelt", str(bad))


# --- POLECAT (PLOVER) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def polecat() -> object:
    return read("polecat", "made_polecat.tsv")


def test_polecat_type_and_mode_map_to_actions(polecat: object) -> None:
    assert polecat.rows_kept + polecat.rows_quarantined == polecat.rows_read == 9
    assert incident(polecat, "ISR", "SYR", "attack")["notes"] == "feed reports: 2"
    assert not incident(polecat, "IND", "PAK", "clash")["directed"]  # ASSAULT:firearms
    assert incident(polecat, "CHN", "TWN", "mobilization")["hostility"] == 3


def test_polecat_unlisted_mode_falls_back_to_the_bare_type(polecat: object) -> None:
    # ASSAULT:beat is not listed: ASSAULT applies, which needs state agencies on both sides.
    assert incident(polecat, "IND", "PAK", "attack")["date"] == pd.Timestamp("2023-10-05")
    assert "only between state agencies" in reason_of(polecat, 4)  # USA -> Iraq, bare


def test_polecat_non_state_and_consent(polecat: object) -> None:
    assert "source actor is not a state" in reason_of(polecat, 7)  # Houthis
    assert reason_of(polecat, 5).startswith("consented operation (Russian air campaign")


# --- actors, mapping tables, coverage ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "kind"),
    [
        ("Pakistan", 770, "country"),
        ("Military (Pakistan)", 770, "agency"),
        ("Government (India)", 750, "agency"),
        ("Police (Iran)", 630, "agency"),
        ("Israeli Defense Forces", 666, "agency"),
        ("Commander (Israeli Defense Forces)", 666, "agency"),
        ("Russian Federation", 365, "country"),
        ("Armed Rebel (Syria)", None, "non_state"),
        ("Militant (Pakistan)", None, "non_state"),
        ("Citizen (India)", None, "non_state"),
        ("Benjamin Netanyahu", None, "non_state"),
        ("Unidentified State Actor", None, "non_state"),
        ("pakistan army", None, "non_state"),  # named forces match exactly, case included
    ],
)
def test_icews_actor_names_to_states(name: str, state: int | None, kind: str) -> None:
    resolved = icews_actor_states(pd.Series([name]), load_actor_tables()).iloc[0]
    assert resolved["kind"] == kind
    assert pd.isna(resolved["state"]) if state is None else resolved["state"] == state


def test_every_mapping_line_has_a_reason_and_a_canonical_action() -> None:
    codes = load_event_codes()
    assert codes["reason"].str.len().min() > 20
    assert set(codes.loc[codes["code"].str.startswith("19"), "between"]) == {"states"}
    assert not codes["code"].isin(["151", "153"]).any()  # police displays are not force
    assert codes.set_index("code").loc["195", "action"] == "attack"


def test_mapping_table_without_reason_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "codes.yaml"
    table.write_text(
        yaml.safe_dump(
            {
                "codes": [
                    {
                        "scheme": "cameo",
                        "code": "190",
                        "action": "attack",
                        "hostility": 4,
                        "between": "states",
                        "reason": "",
                    }
                ]
            }
        )
    )
    with pytest.raises(DataFileError, match="every line needs a reason"):
        load_event_codes(table)


def test_consented_operations_are_editable(tmp_path: Path) -> None:
    mine = tmp_path / "consent.yaml"
    mine.write_text(
        yaml.safe_dump(
            {
                "operations": [
                    {"initiator": "ISR", "host": "SYR", "from": 2018, "to": 2018, "reason": "test"}
                ]
            }
        )
    )
    assert load_consented_operations(mine)[["initiator", "host"]].values.tolist() == [[666, 652]]
    result = read("icews", "made_icews_events.tab", consented=str(mine))
    assert "ISR" not in set(result.incidents["initiator_iso3"])
    assert "USA" in set(result.incidents["initiator_iso3"])  # the package list no longer applies


def test_coverage_windows_split_at_a_silent_stretch() -> None:
    days = np.array(
        ["2018-01-01", "2018-01-02", "2018-01-20", "2018-01-26", "2018-01-30"],
        dtype="datetime64[ns]",
    )
    windows = coverage_windows(days, (date(2018, 1, 1), date(2018, 1, 31)), gap_days=7)
    assert windows == [(date(2018, 1, 1), date(2018, 1, 2)), (date(2018, 1, 20), date(2018, 1, 31))]
    assert coverage_windows(days, (date(2018, 1, 1), date(2018, 1, 31)), None) == [
        (date(2018, 1, 1), date(2018, 1, 31))
    ]
    assert merge_windows(
        [(date(2018, 1, 5), date(2018, 1, 9)), (date(2018, 1, 1), date(2018, 1, 4))]
    ) == [(date(2018, 1, 1), date(2018, 1, 9))]


def test_rows_outside_the_declared_coverage_are_quarantined() -> None:
    result = read(
        "icews", "made_icews_events.tab", coverage={"start": "2018-04-01", "end": "2018-06-30"}
    )
    assert "outside the coverage" in reason_of(result, 10)  # 24 February
    assert result.coverage.record()["windows"] == [["2018-04-01", "2018-06-30"]]


# --- params and the command line ----------------------------------------------------------------


def test_feeds_are_opt_in_and_parsed_into_typed_params() -> None:
    assert DataParams().feeds == []
    params = validated_params(
        {
            "data": {
                "feeds": [
                    {
                        "name": "icews18",
                        "format": "icews_tkg",
                        "file": "event_feeds/icews18_tkg.zip",
                        "time": {"origin": "2018-01-01", "per_day": 24},
                        "history": True,
                    }
                ]
            }
        },
        "params.yaml",
    )
    feed = params.data.feeds[0]
    assert (feed.history, feed.triggers, feed.time.per_day) == (True, False, 24)


def test_two_feeds_with_one_name_are_refused() -> None:
    entry = {"name": "gd", "format": "gdelt", "file": "a.CSV"}
    with pytest.raises(ForecastError, match="gd used twice"):
        validated_params({"data": {"feeds": [entry, entry]}}, "params.yaml")


def test_check_file_reads_a_feed_and_reports_its_windows() -> None:
    result = runner.invoke(
        app, ["data", "check-file", str(FEEDS / "made_icews_events.tab"), "--format", "icews"]
    )
    assert result.exit_code == 0, result.output
    assert "20 rows read, 10 kept, 10 quarantined" in result.output
    assert "coverage windows: 2018-02-24 to 2018-06-02" in result.output


def test_check_file_with_a_bad_feed_file_says_so_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.CSV"
    bad.write_text("not\tgdelt\n")
    forecast = Path(sys.executable).parent / "forecast"
    result = subprocess.run(
        [str(forecast), "data", "check-file", str(bad), "--format", "gdelt"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "not a GDELT 2.0 export" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_a_folder_of_yearly_files_is_one_feed(tmp_path: Path) -> None:
    lines = (FEEDS / "made_icews_events.tab").read_text().splitlines(keepends=True)
    folder = tmp_path / "icews"
    folder.mkdir()
    (folder / "events.2018a.tab").write_text("".join(lines[:11]))
    (folder / "events.2018b.tab").write_text("".join([lines[0], *lines[11:]]))
    whole = read("icews", "made_icews_events.tab")
    split = read("icews", str(folder), gap_days=3)
    assert split.rows_read == 20
    assert split.rows_kept + split.rows_quarantined == 20
    assert len(split.files) == 2
    assert sorted(split.incidents["incident_id"]) == sorted(whole.incidents["incident_id"])
    assert split.coverage.windows and split.coverage.windows[0][0] == date(2018, 2, 24)
