"""`forecast episodes`: build the trigger table with labels, and summarise it per source."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from forecast.commands.terminal import make_console
from forecast.core.config import DEFAULT_PARAMS_PATH, load_params

# The stage and its tables load when a command runs: every `forecast` run imports this module
# to list its commands, `forecast predict` included.
if TYPE_CHECKING:
    from forecast.stages.engine import StageOutcome

app = typer.Typer(
    help="Triggers, retaliation labels, durations and censoring.", no_args_is_help=True
)
console = make_console()

ParamsOption = typer.Option(DEFAULT_PARAMS_PATH, "--params", help="params.yaml to read")
EngineOption = typer.Option(
    None, "--engine", help="local or spark (default: `engine` in params.yaml; docs/spark.md)"
)


def print_outcome(outcome: StageOutcome, written: str, started: float) -> None:
    """A stage's data banner, warnings and summary line, as every table-building command ends."""
    console.print(outcome.banner, style="bold yellow", highlight=False, markup=False)
    for warning in outcome.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False)
    console.print(
        f"{escape(outcome.summary)}; wrote {written}"
        f"{' on Spark' if outcome.engine == 'spark' else ''} "
        f"in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


@app.command("build")
def build(params_path: Path = ParamsOption, engine: str | None = EngineOption) -> None:
    """Write data/processed/episodes.parquet: one row per day-dated use of force."""
    from forecast.core import tables
    from forecast.stages.episodes import run_episodes

    started = time.perf_counter()
    with console.status("finding triggers and answers"):
        outcome = run_episodes(load_params(params_path), engine)
    print_outcome(outcome, str(tables.path("episodes")), started)


@app.command("summary")
def summary(params_path: Path = ParamsOption) -> None:
    """Per source: triggers, retaliation rate and share censored per horizon, days quartiles."""
    from forecast.stages.episodes import episode_summary

    params = load_params(params_path)
    horizons = params.episodes.horizons
    summarised = episode_summary(params)
    undated = summarised.undated_force
    console.print(summarised.banner, style="bold yellow", highlight=False, markup=False)
    table = Table(title="Retaliation episodes by source")
    table.add_column("source")
    table.add_column("triggers", justify="right")
    table.add_column("undated force", justify="right")
    for horizon in horizons:
        table.add_column(f"rate {horizon}d", justify="right")
        table.add_column(f"censored {horizon}d", justify="right")
    table.add_column("days q1 / median / q3", justify="right")
    for row in summarised.by_source.itertuples(index=False):
        values = row._asdict()
        cells = [
            str(values["source"]),
            f"{values['triggers']:,}",
            f"{undated.get(values['source'], 0):,}",
        ]
        for horizon in horizons:
            cells += [f"{values[f'rate_{horizon}d']:.3f}", f"{values[f'censored_{horizon}d']:.1%}"]
        cells.append(
            f"{values['days_q1']:.0f} / {values['days_median']:.0f} / {values['days_q3']:.0f}"
        )
        table.add_row(*cells)
    console.print(table)
    console.print(
        "rates over triggers whose window was observed; undated force (day unknown) cannot be a "
        f"trigger; {summarised.triggers:,} triggers in all",
        highlight=False,
    )
