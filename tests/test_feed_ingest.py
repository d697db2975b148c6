"""Ingest with an event feed: its incidents, quarantine and coverage windows reach the outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from forecast.cli import app
from forecast.core.config import load_params
from forecast.stages import fetch, ingest

from .conftest import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_real_data: None) -> Path:
    """MIE from the tiny fixture plus the ICEWS fixture as an opt-in feed."""
    shutil.copytree(REPO_ROOT / "data" / "incidents", tmp_path / "data" / "incidents")
    params = {
        "data": {
            "sources": ["mie", "handcoded"],
            "paths": {"mie": str(FIXTURES / "made_mie.csv")},
            "feeds": [
                {
                    "name": "icews_fixture",
                    "format": "icews",
                    "file": str(FIXTURES / "feeds" / "made_icews_events.tab"),
                    "coverage": {"start": "2018-01-01", "end": "2018-06-30"},
                    "gap_days": 35,
                }
            ],
        }
    }
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        ingest,
        "_real_covariates",
        lambda incidents: ingest.incident_dyads(incidents).assign(year=2000),
    )
    return tmp_path


def test_feed_incidents_are_written_with_their_source_name(project: Path) -> None:
    report = ingest.run_ingest(load_params("params.yaml"))
    table = pd.read_parquet(project / "data/interim/incidents.parquet")
    feed = table[table["source"] == "icews_fixture"]
    assert len(feed) == 7
    assert feed["incident_id"].str.startswith("icews_fixture-").all()
    result = next(r for r in report.results if r.source == "icews_fixture")
    assert result.rows_kept + result.rows_quarantined == result.rows_read == 20
    quarantine = pd.read_csv(project / "data/interim/quarantine.csv")
    assert (quarantine["source"] == "icews_fixture").sum() == 10


def test_sources_json_declares_the_feed_windows_and_switches(project: Path) -> None:
    ingest.run_ingest(load_params("params.yaml"))
    record = json.loads((project / "data/interim/sources.json").read_text())
    coverage = record["coverage"]["icews_fixture"]
    # Records on 24 Feb, 2-7 Apr, 10 May, 1-2 Jun. With 35 silent days taken as an outage,
    # January is unknown (54 days to the first record) and so are 25 Feb-1 Apr (36 days).
    assert coverage == {
        "start": "2018-01-01",
        "end": "2018-06-30",
        "windows": [["2018-02-24", "2018-02-24"], ["2018-04-02", "2018-06-30"]],
        "systematic": True,
    }
    assert record["sources"]["icews_fixture"]["coverage"] == coverage
    assert record["feeds"]["icews_fixture"] == {
        "format": "icews",
        "history": True,
        "triggers": False,
    }
    assert "windows" not in record["coverage"]["mie"]  # other sources are unchanged


def test_a_feed_whose_file_is_missing_names_where_it_looked(project: Path) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["data"]["feeds"][0]["file"] = "event_feeds/nowhere.tab"
    (project / "params.yaml").write_text(yaml.safe_dump(params))
    with pytest.raises(Exception, match=r"feed icews_fixture: event_feeds/nowhere\.tab not found"):
        ingest.run_ingest(load_params("params.yaml"))


def test_fetch_manifest_records_each_feed_file(project: Path) -> None:
    params = load_params("params.yaml")
    manifest = fetch.plan_sources(params).manifest(params)
    entry = manifest["feeds"]["icews_fixture"]
    assert entry["path"].endswith("made_icews_events.tab")
    assert len(entry["md5"]) == 32


def test_sources_command_lists_each_feed_and_where_it_was_found(project: Path) -> None:
    result = CliRunner().invoke(app, ["data", "sources"], terminal_width=200)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("│ icews_fixture"))
    assert " icews " in row and "params.yaml" in row and " yes " in row
    assert "icews_fixture:" in result.output and "made_icews_events.tab" in result.output
