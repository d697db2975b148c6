"""`forecast data ...` commands and the notebook loaders, as a user meets them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from forecast.cli import app
from forecast.core.config import load_params
from forecast.core.errors import ForecastError
from forecast.notebook import load
from forecast.stages import ingest

from .conftest import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_real_data: None) -> Path:
    """A project folder with the hand-coded incidents and params naming the tiny fixtures."""
    shutil.copytree(REPO_ROOT / "data" / "incidents", tmp_path / "data" / "incidents")
    paths = {
        "mie": str(FIXTURES / "made_mie.csv"),
        "cow_mid_midi": str(FIXTURES / "made_midi.csv"),
        "cow_mid_midip": str(FIXTURES / "made_midip.csv"),
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"data": {"paths": paths}}))
    monkeypatch.chdir(tmp_path)
    # Dyad-years without covariate values: the key columns the covariate contract requires.
    monkeypatch.setattr(
        ingest,
        "_real_covariates",
        lambda incidents: ingest.incident_dyads(incidents).assign(year=2000),
    )
    return tmp_path


def _forecast(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `forecast` command as a user would."""
    environment = {k: v for k, v in os.environ.items() if k != "FORECAST_DATA_DIR"} | env
    command = [str(Path(sys.executable).parent / "forecast"), *args]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)


def test_sources_lists_each_source_and_whether_it_was_found(project: Path) -> None:
    result = runner.invoke(app, ["data", "sources"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("mie", "cow_mid", "icb", "handcoded"):
        assert name in result.output
    assert "made_mie.csv" in result.output
    assert "not found" in result.output  # ICB is not configured here


def test_sources_lists_the_feed_formats_and_every_declared_feed(project: Path) -> None:
    """params.yaml's feeds are ingested; data/feeds/*.yaml ones only serve `data agree`."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["data"]["feeds"] = [{"name": "wire", "format": "gdelt", "file": "wire.csv"}]
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    (project / "data" / "feeds").mkdir()
    (project / "data" / "feeds" / "slices.yaml").write_text(
        "name: slices\nformat: icews_tkg\nfile: slices.zip\n"
        "time: {origin: 2018-01-01, origin_value: 0, per_day: 24}\n"
    )
    result = runner.invoke(app, ["data", "sources"], terminal_width=240)
    assert result.exit_code == 0, result.output
    for title in ("ICEWS", "ICEWS knowledge-graph slices", "GDELT 2.0", "POLECAT", "PLOVER"):
        assert title in result.output
    rows = {line.split("│")[1].strip(): line for line in result.output.splitlines() if "│" in line}
    assert "params.yaml" in rows["wire"] and " yes " in rows["wire"]
    assert "data/feeds" in rows["slices"] and " no " in rows["slices"]
    assert "not found" in rows["slices"]
    assert "slices" in rows["icews_tkg"] and "wire" in rows["gdelt"]


def test_fetch_records_path_and_md5_of_each_file(project: Path) -> None:
    result = runner.invoke(app, ["data", "fetch"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((project / "data/raw/manifest.json").read_text())
    assert manifest["mode"] == "real"
    assert manifest["sources"]["mie"]["mie"]["path"].endswith("made_mie.csv")
    assert len(manifest["sources"]["mie"]["mie"]["md5"]) == 32


def test_fetch_twice_writes_identical_bytes(project: Path) -> None:
    runner.invoke(app, ["data", "fetch"])
    first = (project / "data/raw/manifest.json").read_bytes()
    runner.invoke(app, ["data", "fetch"])
    assert (project / "data/raw/manifest.json").read_bytes() == first


def test_ingest_prints_counts_per_source_and_the_banner(project: Path) -> None:
    result = runner.invoke(app, ["data", "ingest"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "DATA: REAL" in result.output
    mie_line = next(line for line in result.output.splitlines() if "│ mie" in line)
    assert [cell.strip() for cell in mie_line.split("│")[2:5]] == ["7", "3", "4"]


def test_show_lists_a_dyad_in_date_order_both_directions_with_names(project: Path) -> None:
    runner.invoke(app, ["data", "ingest"])
    result = runner.invoke(app, ["data", "show", "IRN", "Pakistan"], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "Iran" in line and "->" in line]
    assert lines[0].split("│")[1].strip() == "2009-01-16"
    assert "Iran -> Pakistan" in lines[0]
    assert any("Pakistan -> Iran" in line for line in lines)
    assert "2024-01-18" in lines[-1]


def test_show_accepts_cow_codes(project: Path) -> None:
    runner.invoke(app, ["data", "ingest"])
    result = runner.invoke(app, ["data", "show", "630", "770"], terminal_width=200)
    assert "Iran - Pakistan" in result.output


def test_loaders_say_which_command_makes_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ForecastError, match="run `forecast data ingest`"):
        load.load_incidents(tmp_path)
    with pytest.raises(ForecastError, match="run `forecast episodes build`"):
        load.load_episodes(tmp_path)


def test_loaders_read_what_ingest_wrote(project: Path) -> None:
    runner.invoke(app, ["data", "ingest"])
    incidents = load.load_incidents()
    assert str(incidents["date"].dtype) == "datetime64[ns]"
    assert load.load_coverage()["handcoded"].isoformat() == "2024-12-31"
    assert list(load.load_quarantine().columns) == [
        "source",
        "file",
        "row",
        "column",
        "value",
        "reason",
    ]


def test_check_file_reports_kept_and_quarantined_rows(project: Path) -> None:
    result = runner.invoke(
        app,
        [
            "data",
            "check-file",
            str(FIXTURES / "team_export.csv"),
            "--mapping",
            str(FIXTURES / "team_export.yaml"),
        ],
        terminal_width=200,
    )
    assert "6 rows read, 3 kept, 3 quarantined" in result.output
    assert "Wakanda" in result.output


def test_empty_source_file_is_one_line_and_exit_code_1(project: Path) -> None:
    empty = project / "empty.csv"
    empty.write_text("")
    (project / "params.yaml").write_text(yaml.safe_dump({"data": {"paths": {"mie": str(empty)}}}))
    result = _forecast(["data", "ingest"], project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "empty.csv: file is empty" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreadable_source_file_is_one_line_and_exit_code_1(project: Path) -> None:
    broken = project / "broken.csv"
    broken.write_bytes(b"micnum,eventnum\n\xff\xfe\x00garbage\n")
    (project / "params.yaml").write_text(yaml.safe_dump({"data": {"paths": {"mie": str(broken)}}}))
    result = _forecast(["data", "ingest"], project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "broken.csv" in result.stderr


@pytest.mark.real_data
def test_ingest_on_the_real_data_accounts_for_every_mie_row(
    real_data_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(REPO_ROOT / "data" / "incidents", tmp_path / "data" / "incidents")
    result = _forecast(
        ["data", "ingest"], tmp_path, FORECAST_DATA_DIR=str(real_data_dir), COLUMNS="200"
    )
    assert result.returncode == 0, result.stderr
    assert "DATA: REAL" in result.stdout
    mie_line = next(line for line in result.stdout.splitlines() if "│ mie" in line)
    assert [cell.strip() for cell in mie_line.split("│")[2:5]] == ["28,011", "28,011", "0"]
    sources = json.loads((tmp_path / "data/interim/sources.json").read_text())
    assert set(sources["sources"]) == {"mie", "cow_mid", "icb", "handcoded"}
    incidents = pd.read_parquet(tmp_path / "data/interim/incidents.parquet")
    assert (incidents["source"] == "mie").sum() == 28_011


def test_check_file_takes_the_mapping_as_command_line_flags(project: Path) -> None:
    incidents = project / "mine.csv"
    incidents.write_text("when,who,whom\n2020-01-01,Iran,Pakistan\n2020-01-02,Iran,Narnia\n")
    flags = ["-c", "date=when", "-c", "initiator=who", "-c", "target=whom", "-c", "action:=attack"]
    result = runner.invoke(app, ["data", "check-file", str(incidents), *flags], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 kept, 1 quarantined" in result.output
    assert "Narnia" in result.output


TEAM_MAPPING = "source: team\ncolumns: {date: day, initiator: by, target: against, action: what}\n"


def add_import(project: Path, rows: str, mapping: str = TEAM_MAPPING) -> dict:
    """team.csv (columns day, by, against, what) listed under data.csv_imports; the params."""
    (project / "team.csv").write_text("day,by,against,what\n" + rows)
    (project / "team.yaml").write_text(mapping)
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["data"]["csv_imports"] = [{"path": "team.csv", "mapping": "team.yaml"}]
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    return params


def test_an_import_no_model_reads_is_warned_about_at_ingest_and_episodes(project: Path) -> None:
    params = add_import(project, "2024-02-01,IND,PAK,attack\n2024-02-03,PAK,IND,attack\n")
    warning = "source 'team' is ingested but not in data.model_sources"
    ingested = runner.invoke(app, ["data", "ingest"], terminal_width=250)
    assert ingested.exit_code == 0, ingested.output
    assert warning in ingested.output
    built = runner.invoke(app, ["episodes", "build"], terminal_width=250)
    assert built.exit_code == 0, built.output
    assert warning in built.output

    params["data"]["model_sources"] = ["mie", "handcoded", "team"]
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    assert warning not in runner.invoke(app, ["data", "ingest"], terminal_width=250).output


def test_ingest_warns_in_one_line_about_an_import_without_declared_coverage(
    project: Path,
) -> None:
    add_import(project, "2024-02-01,IND,PAK,attack\n")
    ingested = runner.invoke(app, ["data", "ingest"], terminal_width=250)
    assert ingested.exit_code == 0, ingested.output
    [line] = [text for text in ingested.output.splitlines() if "declares no coverage" in text]
    assert line.startswith("warning: team.yaml declares no coverage") and "team.csv" in line


def test_rich_markup_in_user_values_prints_as_written(project: Path) -> None:
    add_import(
        project,
        "2024-02-01,IND,[/x],attack\n2024-02-03,PAK,IND,[bold]attack\n",
        "source: '[/x]'\nid_prefix: team\n"
        "columns: {date: day, initiator: by, target: against, action: what}\n",
    )
    checked = runner.invoke(app, ["data", "check-file", "team.csv", "-m", "team.yaml"])
    assert checked.exit_code == 0, checked.output
    assert "[/x]" in checked.output and "[bold]attack" in checked.output
    ingested = runner.invoke(app, ["data", "ingest"], terminal_width=250)
    assert ingested.exit_code == 0, ingested.output
    assert "source '[/x]' is ingested" in ingested.output


def test_an_interrupted_ingest_leaves_the_previous_tables_readable(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(app, ["data", "ingest"]).exit_code == 0
    before = load.load_incidents()

    def cut_short(frame: pd.DataFrame, path: object, *args: object, **kwargs: object) -> None:
        Path(str(path)).write_bytes(b"PAR1 cut short")
        raise KeyboardInterrupt

    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(pd.DataFrame, "to_parquet", cut_short)
        ingest.run_ingest(load_params("params.yaml"))
    pd.testing.assert_frame_equal(load.load_incidents(), before)


def test_a_cut_table_stops_the_next_command_with_one_line(project: Path) -> None:
    (project / "data/interim").mkdir(parents=True)
    (project / "data/interim/incidents.parquet").write_bytes(b"PAR1 cut short")
    result = _forecast(["episodes", "build"], project)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "incidents.parquet: cannot be read" in result.stderr
    assert "re-run `forecast data ingest`" in result.stderr


def test_quarantine_csv_is_safe_in_a_spreadsheet_and_reads_back_as_written(
    project: Path,
) -> None:
    add_import(
        project,
        '2024-02-01,IND,"=HYPERLINK(""http://x"",""y"")",attack\n2024-02-03,PAK,IND,@SUM(A1)\n',
    )
    assert runner.invoke(app, ["data", "ingest"]).exit_code == 0
    raw = (project / "data/interim/quarantine.csv").read_text()
    assert "'=HYPERLINK" in raw and "'@SUM(A1)" in raw
    values = set(load.load_quarantine()["value"].dropna())
    assert '=HYPERLINK("http://x","y")' in values and "@SUM(A1)" in values
