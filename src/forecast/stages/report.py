"""Forecast the brief's incidents with the champions; write the brief and its numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.provenance import DataProvenance
from forecast.predict import Forecast, Forecaster, read_incidents
from forecast.report.numbers import write_forecasts_json
from forecast.report.render import BriefFiles, build_brief


@dataclass(frozen=True)
class ReportRun:
    """The brief's forecasts, the files written and the data they came from."""

    forecasts: list[Forecast]
    files: BriefFiles
    # reports/forecasts.json: every number of the brief, for `git diff` and `dvc diff`.
    numbers: Path
    provenance: DataProvenance
    # False when the backtest's results were missing: the track-record section says so.
    has_track_record: bool


def run_report(
    params: Params,
    incidents: Path | None = None,
    output_dir: Path | None = None,
    pdf: bool = True,
    status: Any = None,
) -> ReportRun:
    """Forecast the brief's incidents (params report.incidents by default) and write the brief.

    `status(text)` (a context manager, e.g. rich's console.status) shows what is running.
    """
    from contextlib import nullcontext

    step = status or (lambda _text: nullcontext())
    with step("loading the champion models and the data"):
        forecaster = Forecaster.load(params)
    with step("forecasting the brief's incidents"):
        forecasts = forecaster.predict_many(read_incidents(incidents or params.report.incidents))
    metrics = tables.read_optional("likelihood")
    backtest = tables.read_optional("backtest_predictions")
    with step("drawing the figures and writing the brief"):
        written = build_brief(
            forecasts,
            output_dir or params.report.output_dir,
            metrics=metrics,
            backtest=backtest,
            champion=getattr(forecaster.likelihood_model, "name", None),
            calibration_bins=params.backtest.calibration_bins,
            pdf=pdf,
        )
    numbers = write_forecasts_json(forecasts, forecaster, output_dir or params.report.output_dir)
    return ReportRun(
        forecasts,
        written,
        numbers,
        forecaster.provenance,
        metrics is not None and backtest is not None,
    )
