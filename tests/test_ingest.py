"""run_ingest: real files when found, else the synthetic world, hand-coded incidents always."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.core import atomic, tables
from forecast.core.config import Params
from forecast.core.contracts import QUARANTINE_COLUMNS
from forecast.core.coverage import actual_record_end, modelled_coverage, read_source_coverage
from forecast.core.errors import ForecastError
from forecast.core.provenance import content_hash
from forecast.core.schemas import validate_incidents
from forecast.stages import fetch, ingest

from .conftest import REPO_ROOT, run_forecast

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_real_data: None) -> Path:
    """A project folder holding the repository's hand-coded incidents and nothing else."""
    shutil.copytree(REPO_ROOT / "data" / "incidents", tmp_path / "data" / "incidents")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def stub_covariates(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """Record the dyads ingest asks covariates for, without reading the real covariate files."""
    requests: list[pd.DataFrame] = []

    def build(incidents: pd.DataFrame) -> pd.DataFrame:
        dyads = ingest.incident_dyads(incidents)
        requests.append(dyads)
        return dyads.assign(year=2000)

    monkeypatch.setattr(ingest, "_real_covariates", build)
    return requests


def _fixture_params(**data: object) -> Params:
    paths = {
        "mie": str(FIXTURES / "made_mie.csv"),
        "cow_mid_midi": str(FIXTURES / "made_midi.csv"),
        "cow_mid_midip": str(FIXTURES / "made_midip.csv"),
    }
    return Params.model_validate({"data": {"paths": paths, **data}})


def _small_synthetic(**data: object) -> Params:
    world = {"start_year": 2010, "end_year": 2014, "scale": 0.3}
    return Params.model_validate({"data": {"synthetic": world, **data}})


def test_real_mode_writes_a_valid_table_in_date_and_id_order(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    incidents = pd.read_parquet(project / "data/interim/incidents.parquet")
    validate_incidents(incidents)
    ordered = incidents.sort_values(["date", "incident_id"], kind="stable")
    assert incidents["incident_id"].tolist() == ordered["incident_id"].tolist()
    assert set(incidents["source"]) == {"mie", "cow_mid", "handcoded"}


def test_every_source_row_is_counted_in_sources_json(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    record = json.loads((project / "data/interim/sources.json").read_text())
    for source in ("mie", "cow_mid", "handcoded"):
        counts = record["sources"][source]
        assert counts["rows_kept"] + counts["rows_quarantined"] == counts["rows_read"]
    assert record["sources"]["mie"]["rows_read"] == 7
    assert record["sources"]["mie"]["files"][0]["md5"]


def test_each_source_declares_its_own_coverage_end(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    coverage = json.loads((project / "data/interim/sources.json").read_text())["coverage"]
    assert coverage["mie"]["end"] == "2014-12-31"
    assert coverage["cow_mid"] == {"start": "1992-01-01", "end": "2014-12-31", "systematic": True}
    assert coverage["handcoded"]["end"] == "2024-12-31"


def test_hand_coded_files_are_declared_selective(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    """They code chosen exchanges: their events are known, their silences are not."""
    ingest.run_ingest(_fixture_params())
    coverage = json.loads((project / "data/interim/sources.json").read_text())["coverage"]
    assert coverage["handcoded"]["systematic"] is False
    assert coverage["mie"]["systematic"] is True


def test_quarantine_file_has_the_contract_columns_and_every_rejected_row(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    report = ingest.run_ingest(_fixture_params())
    quarantine = pd.read_csv(project / "data/interim/quarantine.csv")
    assert list(quarantine.columns) == QUARANTINE_COLUMNS
    assert len(quarantine) == len(report.quarantine)
    assert set(quarantine["source"]) == {"mie", "cow_mid"}


def test_covariates_are_asked_for_both_directions_of_every_dyad(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    dyads = set(stub_covariates[0].itertuples(index=False, name=None))
    assert {(630, 770), (770, 630), (2, 645), (645, 2)} <= dyads


def test_the_banner_is_stored_with_the_provenance(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    record = json.loads((project / "data/interim/sources.json").read_text())
    assert record["banner"].startswith("DATA: REAL")
    assert record["provenance"]["kind"] == "real"


def test_same_params_and_files_give_the_same_table(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    first = ingest.run_ingest(_fixture_params()).incidents
    second = ingest.run_ingest(_fixture_params()).incidents
    assert content_hash(first) == content_hash(second)


def test_auto_mode_without_real_files_uses_the_synthetic_world_and_says_so(
    project: Path,
) -> None:
    report = ingest.run_ingest(_small_synthetic())
    assert report.plan.mode == "synthetic"
    assert set(report.incidents["source"]) == {"synthetic", "handcoded"}
    assert "SYNTHETIC" in report.provenance.banner()
    record = json.loads((project / "data/interim/sources.json").read_text())
    assert record["mode"] == "synthetic"
    assert record["coverage"]["synthetic"]["end"] == "2014-12-31"
    assert (project / "data/interim/covariates.parquet").exists()


def test_real_mode_without_the_files_says_where_it_looked(project: Path) -> None:
    with pytest.raises(ForecastError, match=r"data\.mode is real.*mie \(looked in data/external"):
        ingest.run_ingest(_small_synthetic(mode="real"))


def test_csv_imports_are_added_with_their_own_source_name(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    imports = [
        {"path": str(FIXTURES / "team_export.csv"), "mapping": str(FIXTURES / "team_export.yaml")}
    ]
    report = ingest.run_ingest(_fixture_params(csv_imports=imports))
    assert (report.incidents["source"] == "team").sum() == 3
    assert report.coverage["team"]["end"] == "2020-12-31"


def test_synthetic_fetch_manifest_is_deterministic(project: Path) -> None:
    params = _small_synthetic()
    first = fetch.plan_sources(params).manifest(params)
    assert first == fetch.plan_sources(params).manifest(params)
    assert first["mode"] == "synthetic"


@pytest.mark.real_data
def test_real_ingest_accounts_for_every_mie_row(
    real_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stub_covariates: list[pd.DataFrame],
) -> None:
    shutil.copytree(REPO_ROOT / "data" / "incidents", tmp_path / "data" / "incidents")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_DATA_DIR", str(real_data_dir))
    report = ingest.run_ingest(Params())
    mie = next(r for r in report.results if r.source == "mie")
    assert mie.rows_read == 28_011
    assert mie.rows_kept + mie.rows_quarantined == 28_011
    assert report.plan.mode == "real"
    assert {"mie", "cow_mid", "icb", "handcoded"} == set(report.incidents["source"])


# --- the four files are one set, written by one ingest at a time --------------------------------

TEAM_IMPORT = [
    {"path": str(FIXTURES / "team_export.csv"), "mapping": str(FIXTURES / "team_export.yaml")}
]
INGEST_FILES = ("incidents.parquet", "quarantine.csv", "covariates.parquet", "sources.json")


def _stop(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def _ingest_stopped_in(writer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole ingest, then another (with the team's import) stopped in `atomic.<writer>`."""
    ingest.run_ingest(_fixture_params())
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(atomic, writer, _stop)
        ingest.run_ingest(_fixture_params(csv_imports=TEAM_IMPORT))


# quarantine.csv is written after incidents.parquet, sources.json last of all.
@pytest.mark.parametrize("stopped_in", ["write_csv", "write_text"])
def test_episodes_build_refuses_the_files_of_an_ingest_stopped_part_way(
    project: Path,
    stub_covariates: list[pd.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stopped_in: str,
) -> None:
    _ingest_stopped_in(stopped_in, monkeypatch)
    code, _, err = run_forecast(["episodes", "build"], capsys, monkeypatch)
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1, err
    assert "data/interim/incidents.parquet" in err and "data/interim/sources.json" in err
    assert "re-run `forecast data ingest`" in err
    assert not (project / "data/processed/episodes.parquet").exists()


def test_every_reader_of_the_set_names_the_files_that_disagree(
    project: Path, stub_covariates: list[pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest_stopped_in("write_text", monkeypatch)
    for name in ("incidents", "quarantine", "covariates", "sources"):
        with pytest.raises(ForecastError, match="forecast data ingest") as error:
            tables.read(name)
        assert "sources.json" in str(error.value) and "\n" not in str(error.value)
    # quarantine.csv cannot carry the set's token: its bytes are checked instead.
    quarantine = project / "data/interim/quarantine.csv"
    ingest.run_ingest(_fixture_params())
    quarantine.write_text(quarantine.read_text() + "mie,made_mie.csv,99,,,added by hand\n")
    with pytest.raises(ForecastError, match=r"quarantine\.csv and .*sources\.json"):
        tables.read("quarantine")
    tables.read("incidents")


def test_a_set_whose_sources_json_is_missing_is_refused(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    ingest.run_ingest(_fixture_params())
    (project / "data/interim/sources.json").unlink()
    with pytest.raises(ForecastError, match=r"sources\.json.*missing.*forecast data ingest"):
        tables.read("incidents")


def test_a_second_ingest_while_one_is_writing_stops_with_one_line(
    project: Path, stub_covariates: list[pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    writing, finish = threading.Event(), threading.Event()
    write_csv = atomic.write_csv

    def held_open(*args: object, **kwargs: object) -> object:
        if threading.current_thread() is not threading.main_thread():
            writing.set()
            finish.wait(timeout=60)
        return write_csv(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic, "write_csv", held_open)
    first = threading.Thread(target=ingest.run_ingest, args=(_fixture_params(),))
    first.start()
    try:
        assert writing.wait(timeout=60)
        with pytest.raises(ForecastError, match="another `forecast data ingest`") as error:
            ingest.run_ingest(_fixture_params(csv_imports=TEAM_IMPORT))
    finally:
        finish.set()
        first.join()
    assert "\n" not in str(error.value)
    assert "team" not in set(tables.read("incidents")["source"])
    ingest.run_ingest(_fixture_params(csv_imports=TEAM_IMPORT))  # free again once it is done


def test_the_same_ingest_twice_writes_the_same_bytes(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    folder = project / "data/interim"
    ingest.run_ingest(_fixture_params())
    first = {name: (folder / name).read_bytes() for name in INGEST_FILES}
    ingest.run_ingest(_fixture_params())
    assert {name: (folder / name).read_bytes() for name in INGEST_FILES} == first


@pytest.mark.spark
def test_the_spark_engine_refuses_a_mix_too(
    project: Path, stub_covariates: list[pd.DataFrame], monkeypatch: pytest.MonkeyPatch, spark
) -> None:
    from forecast.spark.stages import read_pipeline_table

    _ingest_stopped_in("write_text", monkeypatch)
    with pytest.raises(ForecastError, match="forecast data ingest"):
        read_pipeline_table(spark, "incidents")


# --- a systematic import declares its coverage -------------------------------------------------

TEAM_COLUMNS = "source: team\ncolumns: {date: day, initiator: by, target: against, action: what}\n"
# A 2020 strike, and a typo the date rules let through (they allow 1800-2100).
TEAM_ROWS = "day,by,against,what\n2020-03-05,PAK,IND,attack\n2100-12-31,IND,PAK,attack\n"


def _team_import(project: Path, mapping: str) -> Params:
    (project / "team.csv").write_text(TEAM_ROWS)
    (project / "team.yaml").write_text(mapping)
    imports = [{"path": "team.csv", "mapping": "team.yaml"}]
    return _fixture_params(csv_imports=imports, model_sources=["mie", "handcoded", "team"])


def _record_end(day: str) -> pd.Timestamp:
    """The record's end for a forecast on `day`, from the modelled sources ingest declared."""
    covered = modelled_coverage(read_source_coverage(), ["mie", "handcoded", "team"])
    days = np.array([np.datetime64(day, "D").astype(np.int64)])
    return pd.Timestamp(np.datetime64(int(actual_record_end(days, covered)[0]), "D"))


def test_an_import_without_declared_coverage_never_extends_the_record(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    report = ingest.run_ingest(_team_import(project, TEAM_COLUMNS))
    assert (report.incidents["source"] == "team").sum() == 2  # known events, both kept
    assert report.coverage["team"]["systematic"] is False
    # MIE's record still ends with 2014: the 2100 typo does not make 2024 a covered year.
    assert _record_end("2024-01-16") == pd.Timestamp("2015-01-01")
    [warning] = report.warnings
    assert "team.yaml" in warning and "coverage" in warning and "\n" not in warning


def test_a_systematic_import_quarantines_rows_outside_its_declared_coverage(
    project: Path, stub_covariates: list[pd.DataFrame]
) -> None:
    mapping = TEAM_COLUMNS + "coverage: {start: 2020-01-01, end: 2020-12-31}\n"
    report = ingest.run_ingest(_team_import(project, mapping))
    counts = json.loads((project / "data/interim/sources.json").read_text())["sources"]["team"]
    assert (counts["rows_read"], counts["rows_kept"], counts["rows_quarantined"]) == (2, 1, 1)
    assert counts["coverage"] == {"start": "2020-01-01", "end": "2020-12-31", "systematic": True}
    quarantine = tables.read("quarantine").set_index("source").loc["team"]
    assert (quarantine["row"], quarantine["value"]) == (2, "2100-12-31")
    assert "outside the coverage declared" in quarantine["reason"]
    assert _record_end("2024-01-16") == pd.Timestamp("2021-01-01")
    assert report.warnings == ()
