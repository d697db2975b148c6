"""`forecast backtest`: the rolling-origin backtest of every model, written and tracked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.commands.terminal import make_console
from forecast.core.config import load_params

app = typer.Typer(help="Rolling-origin backtest of every model (writes metrics/ and plots/).")
console = make_console()
PARAMS = Path("params.yaml")


@app.callback(invoke_without_command=True)
def backtest(
    params_file: Annotated[Path, typer.Option("--params", help="params file")] = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="origins in parallel")] = 2,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log to MLflow")] = True,
) -> None:
    """Fit every model at every yearly origin, score the next year, write metrics and plots."""
    from forecast.evaluation.backtest import headline
    from forecast.stages.backtest import run_backtest

    params = load_params(params_file)
    run = run_backtest(params, n_jobs=jobs, track=track)
    console.print(
        run.result.provenance.banner(), style="bold yellow", highlight=False, markup=False
    )
    if run.run_id is not None:
        console.print(f"MLflow run {run.run_id} ({params.tracking.uri})", highlight=False)
    console.print(headline(run.result, params), highlight=False)
