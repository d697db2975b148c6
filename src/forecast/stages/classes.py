"""Score served forecasts by class beside the outside view; learn how far they lean on it.

The scoring is `forecast.classes.backtest`'s; this module reads the backtest's and the backtest
by record age's forecasts, writes metrics/classes*.json and the plot, and logs the run to MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.classes.backtest import ClassResult, run_class_backtest
from forecast.classes.outputs import write_classes
from forecast.core import tables
from forecast.core.config import Params
from forecast.core.errors import DataFileError
from forecast.core.provenance import DataProvenance, data_provenance
from forecast.stages.tracked import tracked


@dataclass(frozen=True)
class ClassRun:
    """The scores, the data they came from, the files written and the MLflow run (None: not
    tracked)."""

    result: ClassResult
    provenance: DataProvenance
    written: list[Path]
    run_id: str | None


def run_classes(params: Params, track: bool = True) -> ClassRun:
    """Run the backtest by class, write its files and log them to MLflow when `track`."""
    episodes = tables.read("episodes")
    features = tables.read("features")
    provenance = data_provenance(episodes, features)
    subset = params.train.champion_subset
    champion = tables.read("summary").get(subset, {}).get("likelihood_champion")
    if not champion:
        raise DataFileError(
            tables.path("summary"),
            f"names no likelihood champion for {subset}",
            "re-run `forecast backtest`",
        )
    result = run_class_backtest(
        episodes,
        features,
        tables.read("backtest_predictions"),
        tables.read("record_age_predictions"),
        champion,
        params.for_data(provenance.kind),
    )
    written = write_classes(result, provenance)
    run_id = tracked(track, lambda runs: runs.log_classes(result, provenance, params, written))
    return ClassRun(result, provenance, written, run_id)


def read_class_scores(subset: str) -> dict:
    """metrics/classes.json, which `forecast classes show` prints part of: an unknown subset is
    named with the file, as a missing file is."""
    return tables.read_subsets("classes", subset)
