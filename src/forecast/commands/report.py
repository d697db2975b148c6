"""`forecast report`: the policy brief (reports/brief.html and reports/brief.pdf) and its
numbers (reports/forecasts.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from forecast.commands.terminal import echo, make_console

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

    from forecast.core.config import load_params
    from forecast.stages.report import run_report

    console = make_console(stderr=True)
    run = run_report(
        load_params(params_file), incidents, output_dir, pdf=pdf, status=console.status
    )
    if not run.has_track_record:
        console.print(
            "[yellow]no backtest results found (metrics/likelihood.json, "
            "backtest_predictions.parquet): the track-record section will say so[/]"
        )
    banner = run.provenance.banner()
    style = "bold red" if run.provenance.is_synthetic else "dim"
    console.print(f"[{style}]{escape(banner)}[/]", highlight=False)
    files = run.files
    written = f"{files.html}" + (f" and {files.pdf}" if files.pdf else "")
    echo(f"brief: {len(run.forecasts)} incident(s) written to {written} in {files.seconds:.1f} s")
    echo(f"numbers: every forecast in the brief written to {run.numbers}")
