"""`forecast report`: the policy brief (reports/brief.html and reports/brief.pdf) and its
numbers (reports/forecasts.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(help="Build the policy brief in HTML and PDF.")


@app.callback(invoke_without_command=True)
def report(
    incidents: Annotated[
        Path | None,
        typer.Option(help="Incident file or folder (default: params report.incidents)"),
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option(help="Where to write (default: params report.output_dir)")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print the PDF")] = True,
    params_file: Annotated[Path, typer.Option("--params", help="params.yaml to use")] = Path(
        "params.yaml"
    ),
) -> None:
    """Forecast the brief's incidents with the champion models and write the brief."""

    from forecast import paths
    from forecast.config import load_params
    from forecast.files import read_parquet
    from forecast.predict import Forecaster, read_incidents
    from forecast.report.numbers import write_forecasts_json
    from forecast.report.render import build_brief

    console = Console(stderr=True)
    params = load_params(params_file)
    with console.status("loading the champion models and the data"):
        forecaster = Forecaster.load(params)
    with console.status("forecasting the brief's incidents"):
        forecasts = forecaster.predict_many(read_incidents(incidents or params.report.incidents))
    metrics_file = paths.METRICS_DIR / "likelihood.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else None
    backtest = (
        read_parquet(paths.BACKTEST_PREDICTIONS_FILE, "forecast backtest")
        if paths.BACKTEST_PREDICTIONS_FILE.exists()
        else None
    )
    if metrics is None or backtest is None:
        console.print(
            "[yellow]no backtest results found (metrics/likelihood.json, "
            "backtest_predictions.parquet): the track-record section will say so[/]"
        )
    with console.status("drawing the figures and writing the brief"):
        files = build_brief(
            forecasts,
            output_dir or params.report.output_dir,
            metrics=metrics,
            backtest=backtest,
            champion=getattr(forecaster.likelihood_model, "name", None),
            calibration_bins=params.backtest.calibration_bins,
            pdf=pdf,
        )
    numbers = write_forecasts_json(forecasts, forecaster, output_dir or params.report.output_dir)
    banner = forecaster.provenance.banner()
    style = "bold red" if forecaster.provenance.is_synthetic else "dim"
    console.print(f"[{style}]{escape(banner)}[/]", highlight=False)
    written = f"{files.html}" + (f" and {files.pdf}" if files.pdf else "")
    typer.echo(f"brief: {len(forecasts)} incident(s) written to {written} in {files.seconds:.1f} s")
    typer.echo(f"numbers: every forecast in the brief written to {numbers}")
