"""`forecast classes`: the backtest by class, and its tables.

Scores what a user would have been served, class by class (crisis or not, opening or answer),
beside the outside view, and learns how far a forecast for a crisis leans on it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from forecast.commands.terminal import PARAMS, ParamsFile, Track, make_console, print_scored_run
from forecast.core.config import load_params

app = typer.Typer(
    help="The strikes people ask about: the backtest by class and the outside-view blend.",
    no_args_is_help=True,
)
console = make_console()


@app.command("backtest")
def backtest(
    params_file: ParamsFile = PARAMS,
    track: Track = True,
) -> None:
    """Score the served forecasts by class beside the outside view: metrics/classes.json."""
    from forecast.classes.outputs import class_headline
    from forecast.stages.classes import run_classes

    params = load_params(params_file)
    run = run_classes(params, track=track)
    print_scored_run(
        console,
        run.provenance.banner(),
        run.run_id,
        params.tracking.uri,
        class_headline(run.result.scores, "limited_force", 30, "salient"),
        f"backtest by class in {run.result.seconds:.0f} s",
    )


@app.command("show")
def show(
    name: Annotated[
        str, typer.Option("--class", help="class, e.g. salient or opening")
    ] = "salient",
    subset: Annotated[str, typer.Option(help="all or limited_force")] = "limited_force",
    horizon: Annotated[int, typer.Option(help="horizon in days")] = 30,
) -> None:
    """Print one class of metrics/classes.json: mean forecast / observed / skill / AUC by age."""
    from forecast.classes.membership import CLASSES
    from forecast.classes.outputs import class_headline
    from forecast.core.errors import ForecastError
    from forecast.stages.classes import read_class_scores

    if name not in CLASSES:
        raise ForecastError(f"no class {name!r}; known: {', '.join(CLASSES)}")
    console.print(class_headline(read_class_scores(subset), subset, horizon, name))
