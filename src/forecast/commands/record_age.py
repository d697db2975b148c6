"""`forecast record-age`: the backtest by record age, and its table.

The backtest shows what forecasts across a gap are worth: every forecaster is scored with the
record cut 0, 1, 2, 5 and 10 years (params `record_age.ages`) before each test trigger.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from forecast.commands.terminal import make_console
from forecast.core.config import load_params

app = typer.Typer(
    help="Forecasting across a gap: the backtest by record age.", no_args_is_help=True
)
console = make_console()
PARAMS = Path("params.yaml")


@app.command("backtest")
def backtest(
    params_file: Annotated[Path, typer.Option("--params", help="params file")] = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="origins in parallel")] = 2,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log to MLflow")] = True,
) -> None:
    """Score every forecaster at every simulated record age: metrics/record_age.json."""
    from forecast.record_age.outputs import headline_table
    from forecast.stages.record_age import run_record_age

    params = load_params(params_file)
    run = run_record_age(params, n_jobs=jobs, track=track)
    console.print(run.provenance.banner(), style="bold yellow", highlight=False, markup=False)
    if run.run_id is not None:
        console.print(f"MLflow run {run.run_id} ({params.tracking.uri})", highlight=False)
    console.print(headline_table(run.result.scores, "limited_force", 30), highlight=False)
    console.print(f"record-age backtest in {run.result.seconds:.0f} s", highlight=False)


@app.command("show")
def show(
    subset: Annotated[str, typer.Option(help="all or limited_force")] = "limited_force",
    horizon: Annotated[int, typer.Option(help="horizon in days")] = 30,
) -> None:
    """Print metrics/record_age.json as a table: ROC AUC / Brier skill / mean forecast."""
    from forecast.record_age.outputs import headline_table
    from forecast.stages.record_age import read_scores

    table = headline_table(read_scores(subset), subset, horizon)
    if isinstance(table, Table):
        console.print(table)
    else:
        console.print(table, highlight=False)
