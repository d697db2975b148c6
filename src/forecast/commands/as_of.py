"""`forecast as-of`: forecasts made some days after the trigger, scored out of sample.

`backtest` scores the day-0 forecast as it stands, renormalised to "no answer yet", and the
as-of logit that reads the target's threats and displays since the trigger; it writes
metrics/as_of.json and the model `forecast predict --as-of` serves. `show` prints one table.
"""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.commands.terminal import PARAMS, ParamsFile, Track, make_console, print_scored_run
from forecast.core.config import load_params

app = typer.Typer(
    help="Forecasts as of a later day with no answer yet: the as-of backtest.",
    no_args_is_help=True,
)
console = make_console()


@app.command("backtest")
def backtest(
    params_file: ParamsFile = PARAMS,
    track: Track = True,
) -> None:
    """Score as-of forecasts at every origin: metrics/as_of.json and the served as-of model."""
    from forecast.as_of.outputs import as_of_table
    from forecast.stages.as_of import run_as_of

    params = load_params(params_file)
    run = run_as_of(params, track=track)
    served = ", ".join(f"{h} days: {name}" for h, name in run.result.model.served.items())
    print_scored_run(
        console,
        run.provenance.banner(),
        run.run_id,
        params.tracking.uri,
        as_of_table(run.result.scores, "limited_force"),
        f"served as of a later day: {served}; as-of backtest in {run.result.seconds:.0f} s",
    )


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
