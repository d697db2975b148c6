"""`forecast train`: final models on all labelled data, registered, champions chosen by rule
(the stage itself: `forecast.stages.train`)."""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.commands.terminal import PARAMS, ParamsFile, make_console
from forecast.core.config import load_params

app = typer.Typer(help="Fit final models, register them in MLflow and set the champions.")
console = make_console()


@app.callback(invoke_without_command=True)
def train(
    params_file: ParamsFile = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="models fitted in parallel")] = 2,
) -> None:
    """Fit, log and register every model; alias the rule's winners as `champion`."""
    from forecast.stages.train import run_training

    result = run_training(load_params(params_file), n_jobs=jobs)
    console.print(result.provenance.banner(), style="bold yellow", highlight=False, markup=False)
    console.print(result.headline(), highlight=False)
