"""Score forecasts made some days after the trigger, and write the as-of model served today.

The scoring is `forecast.as_of.backtest`'s; this module reads its inputs (the episodes, the
model sources' incidents, the backtest's out-of-sample forecasts), writes metrics/as_of.json
and data/processed/as_of_model.json and logs the run to MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.as_of.backtest import AsOfResult, run_as_of_backtest
from forecast.as_of.evidence import AsOfEvidence
from forecast.core import tables
from forecast.core.config import Params
from forecast.core.errors import DataFileError
from forecast.core.provenance import DataProvenance, data_provenance, provenance_of
from forecast.episodes import force_events, history_incidents
from forecast.stages.tracked import tracked


@dataclass(frozen=True)
class AsOfRun:
    """The scores, the data they came from, the files written and the MLflow run (None: not
    tracked)."""

    result: AsOfResult
    provenance: DataProvenance
    written: list[Path]
    run_id: str | None


def scored_models(params: Params) -> tuple[str, str | None]:
    """The likelihood champion the backtest chose (metrics/summary.json), whose day-0
    forecasts the as-of forecasts start from, and the best timing model, whose curves give
    each trigger its own timing shape (None: no timing model was scored)."""
    summary = tables.read("summary")
    subset = params.train.champion_subset
    block = summary.get(subset, {})
    champion = block.get("likelihood_champion")
    if not isinstance(champion, str):
        raise DataFileError(
            tables.path("summary"),
            f"names no likelihood champion for {subset}",
            "re-run `forecast backtest`",
        )
    timing = block.get("timing_best")
    return champion, timing if isinstance(timing, str) else None


def run_as_of(params: Params, track: bool = True) -> AsOfRun:
    """Run the as-of backtest, write its metrics and the served model, log them to MLflow."""
    incidents = history_incidents(tables.read("incidents"), params.data)
    provenance = provenance_of(incidents)
    scoring = params.for_data(provenance.kind)
    episodes = tables.read("episodes")
    features = tables.read("features")
    evidence = AsOfEvidence(incidents, force_events(incidents, params.episodes.min_hostility))
    champion, timing_model = scored_models(params)
    result = run_as_of_backtest(
        episodes,
        tables.read("backtest_predictions"),
        champion,
        evidence,
        scoring,
        tables.read_optional("record_age_predictions"),
        data_hash=data_provenance(episodes, features).content_hash,
        survival=tables.read_optional("backtest_survival"),
        timing_model=timing_model,
    )
    result.settings = params.applied_settings(provenance.kind)
    written = [
        tables.write(
            "as_of",
            {
                "data": provenance.as_dict(),
                "champion": champion,
                "timing_model": timing_model,
                "served": result.model.to_dict()["served"],
                "rule": result.model.basis.get("rule"),
                "scores": result.scores,
                "record_age": result.record_age,
                "evidence_rates": result.evidence_rates,
                "settings": result.settings,
            },
        ),
        tables.write("as_of_model", result.model.to_dict()),
    ]
    run_id = tracked(track, lambda runs: runs.log_as_of(result, provenance, params, written))
    return AsOfRun(result, provenance, written, run_id)
