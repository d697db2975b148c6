"""`forecast backtest`: the rolling-origin backtest of every model, written and tracked."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.commands.terminal import PARAMS, ParamsFile, Track, make_console, print_scored_run
from forecast.core.config import load_params

app = typer.Typer(help="Rolling-origin backtest of every model (writes metrics/ and plots/).")
console = make_console()


@app.callback(invoke_without_command=True)
def backtest(
    params_file: ParamsFile = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="origins in parallel")] = 2,
    track: Track = True,
) -> None:
    """Fit every model at every yearly origin, score the next year, write metrics and plots."""
    from forecast.evaluation.backtest import headline
    from forecast.stages.backtest import run_backtest

    params = load_params(params_file)
    run = run_backtest(params, n_jobs=jobs, track=track)
    print_scored_run(
        console,
        run.result.provenance.banner(),
        run.run_id,
        params.tracking.uri,
        headline(run.result, params),
    )
