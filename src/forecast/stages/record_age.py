"""Score every forecaster with the record cut 0 to 10 years before each test trigger.

The scoring is `forecast.record_age.backtest`'s; this module reads its inputs, writes what it
found and logs the run to MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.coverage import read_source_coverage
from forecast.core.provenance import DataProvenance, provenance_of
from forecast.episodes import history_incidents
from forecast.record_age.backtest import RecordAgeResult, run_record_age_backtest
from forecast.record_age.outputs import write_record_age
from forecast.stages.tracked import tracked


@dataclass(frozen=True)
class RecordAgeRun:
    """The scores, the data they came from, the files written and the MLflow run that records
    them (None: not tracked)."""

    result: RecordAgeResult
    provenance: DataProvenance
    written: list[Path]
    run_id: str | None


def run_record_age(params: Params, n_jobs: int = 2, track: bool = True) -> RecordAgeRun:
    """Run the backtest by record age, write metrics/record_age*.json and its plot, and log
    them to MLflow when `track`.

    When the data include the synthetic world, params' `synthetic_settings` are laid over params, as
    in the backtest, and metrics/record_age_data.json records them.
    """
    incidents = history_incidents(tables.read("incidents"), params.data)
    provenance = provenance_of(incidents)
    result = run_record_age_backtest(
        incidents,
        tables.read("episodes"),
        tables.read_optional("covariates"),
        read_source_coverage(),
        params.for_data(provenance.kind),
        n_jobs=n_jobs,
    )
    result.settings = params.applied_settings(provenance.kind)
    written = write_record_age(result, provenance)
    run_id = tracked(track, lambda runs: runs.log_record_age(result, provenance, params, written))
    return RecordAgeRun(result, provenance, written, run_id)


def read_scores(subset: str) -> dict:
    """metrics/record_age.json, which `forecast record-age show` prints one subset of: an
    unknown subset is named with the file, as a missing file is."""
    return tables.read_subsets("record_age", subset)
