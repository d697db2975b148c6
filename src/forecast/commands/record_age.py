"""`forecast record-age`: the backtest by record age, and its table.

The backtest shows what forecasts across a gap are worth: every forecaster is scored with the
record cut 0, 1, 2, 5 and 10 years (params `record_age.ages`) before each test trigger.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from forecast.commands.terminal import PARAMS, ParamsFile, Track, make_console, print_scored_run
from forecast.core.config import load_params

app = typer.Typer(
    help="Forecasting across a gap: the backtest by record age.", no_args_is_help=True
)
console = make_console()


@app.command("backtest")
def backtest(
    params_file: ParamsFile = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="origins in parallel")] = 2,
    track: Track = True,
) -> None:
    """Score every forecaster at every simulated record age: metrics/record_age.json."""
    from forecast.record_age.outputs import headline_table
    from forecast.stages.record_age import run_record_age

    params = load_params(params_file)
    run = run_record_age(params, n_jobs=jobs, track=track)
    print_scored_run(
        console,
        run.provenance.banner(),
        run.run_id,
        params.tracking.uri,
        headline_table(run.result.scores, "limited_force", 30),
        f"record-age backtest in {run.result.seconds:.0f} s",
    )


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
