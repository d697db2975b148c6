"""The `record_age` stage: every forecaster scored with the record cut 0 to 10 years before
each test trigger (`forecast.record_age.backtest`)."""

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


@dataclass(frozen=True)
class RecordAgeRun:
    """The scores, the data they came from and the files written."""

    result: RecordAgeResult
    provenance: DataProvenance
    written: list[Path]


def run_record_age(params: Params, n_jobs: int = 2) -> RecordAgeRun:
    """Run the backtest by record age and write metrics/record_age*.json and its plot.

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
    return RecordAgeRun(result, provenance, write_record_age(result, provenance))
