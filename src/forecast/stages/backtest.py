"""Score every model at every rolling origin: predictions, metrics, plots and the champion rule.

The scoring is `forecast.evaluation.backtest`'s; this module reads its inputs, writes what it
found and logs the run to MLflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forecast.core import tables
from forecast.core.atomic import JSON_DIGITS
from forecast.core.config import Params
from forecast.evaluation import backtest as rolling_origin
from forecast.evaluation.backtest import BacktestResult
from forecast.evaluation.summary import headline_summary
from forecast.stages.tracked import tracked

# The key of likelihood.json's block of paired comparisons, beside the subsets.
COMPARISONS_KEY = "comparisons"


@dataclass(frozen=True)
class BacktestRun:
    """The scores, the files written and the MLflow run that records them (None: not tracked)."""

    result: BacktestResult
    written: list[Path]
    run_id: str | None


def run_backtest(params: Params, n_jobs: int = 2, track: bool = True) -> BacktestRun:
    """Backtest every model on the episodes and features, write metrics/, plots/ and the
    predictions, and log them to MLflow when `track` (`n_jobs` fits side by side)."""
    episodes, features = tables.read("episodes"), tables.read("features")
    result = rolling_origin.run_backtest(episodes, features, params, progress=True, n_jobs=n_jobs)
    written = write_outputs(result, params)
    run_id = tracked(track, lambda runs: runs.log_backtest(result, params, written))
    return BacktestRun(result, written, run_id)


def write_outputs(result: BacktestResult, params: Params, root: Path = Path(".")) -> list[Path]:
    """Write metric files, the headline summary, predictions, plot data and figures."""
    comparisons = {COMPARISONS_KEY: result.comparisons} if result.comparisons else {}
    likelihood = result.likelihood | comparisons
    tables.write("likelihood", likelihood, root)
    tables.write("timing", result.timing, root)
    settings = {"synthetic_settings": result.settings} if result.settings else {}
    tables.write(
        "backtest_data",
        {"data": result.provenance.as_dict(), "models": result.models, "choices": result.choices}
        | settings,
        root,
    )
    tables.write("summary", headline_summary(likelihood, result.timing), root)

    predictions = result.predictions.copy()
    predictions.attrs["provenance"] = result.provenance.banner()
    tables.write("backtest_predictions", predictions, root)
    if result.survival is not None:
        survival = result.survival.copy()
        survival.attrs["provenance"] = result.provenance.banner()
        tables.write("backtest_survival", survival, root)

    horizon = params.train.champion_horizon
    subset = params.train.champion_subset
    for table, name in ((result.reliability, "reliability_plot"), (result.roc, "roc_plot")):
        chosen = table[(table["subset"] == subset) & (table["horizon"] == horizon)]
        tables.write(name, chosen.drop(columns=["subset"]).round(JSON_DIGITS), root)

    from forecast.evaluation.figures import reliability_figure, roc_figure

    reliability_figure(
        result.reliability, subset, result.provenance, tables.path("reliability_figure", root)
    )
    roc_figure(result.roc, subset, result.provenance, tables.path("roc_figure", root))
    names = ("likelihood", "timing", "backtest_data", "summary", "backtest_predictions")
    names += ("backtest_survival",) if result.survival is not None else ()
    names += ("reliability_plot", "roc_plot", "reliability_figure", "roc_figure")
    return [tables.path(name, root) for name in names]
