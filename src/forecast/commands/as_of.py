"""`forecast as-of`: forecasts made some days after the trigger, scored out of sample.

`backtest` scores the day-0 forecast as it stands, renormalised to "no answer yet", and the
as-of logit that reads the target's threats and displays since the trigger; it writes
metrics/as_of.json and the model `forecast predict --as-of` serves. `show` prints one table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from forecast.commands.terminal import make_console
from forecast.core.config import load_params

app = typer.Typer(
    help="Forecasts as of a later day with no answer yet: the as-of backtest.",
    no_args_is_help=True,
)
console = make_console()
PARAMS = Path("params.yaml")


@app.command("backtest")
def backtest(
    params_file: Annotated[Path, typer.Option("--params", help="params file")] = PARAMS,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log to MLflow")] = True,
) -> None:
    """Score as-of forecasts at every origin: metrics/as_of.json and the served as-of model."""
    from forecast.as_of.outputs import as_of_table
    from forecast.stages.as_of import run_as_of

    params = load_params(params_file)
    run = run_as_of(params, track=track)
    console.print(run.provenance.banner(), style="bold yellow", highlight=False, markup=False)
    if run.run_id is not None:
        console.print(f"MLflow run {run.run_id} ({params.tracking.uri})", highlight=False)
    console.print(as_of_table(run.result.scores, "limited_force"))
    served = ", ".join(f"{h} days: {name}" for h, name in run.result.model.served.items())
    console.print(f"served as of a later day: {served}", highlight=False, markup=False)
    console.print(f"as-of backtest in {run.result.seconds:.0f} s", highlight=False)


@app.command("show")
def show(
    subset: Annotated[str, typer.Option(help="all or limited_force")] = "limited_force",
    day: Annotated[
        int | None, typer.Option(min=0, help="only this as-of day (days after the trigger)")
    ] = None,
) -> None:
    """Print metrics/as_of.json as a table: Brier and ROC AUC by as-of day and horizon."""
    from forecast.as_of.outputs import as_of_table, read_as_of_scores

    console.print(as_of_table(read_as_of_scores(subset), subset, day))
