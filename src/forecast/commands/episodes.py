"""`forecast episodes`: build the trigger table with labels, and summarise it per source."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecast import files, paths
from forecast.config import DEFAULT_PARAMS_PATH, Params, load_params
from forecast.episodes import (
    build_episodes,
    label_column,
    select_model_sources,
    summarise_episodes,
    undated_force_by_source,
)
from forecast.errors import ForecastError
from forecast.ingest import unmodelled_sources, unmodelled_warning
from forecast.provenance import provenance_of
from forecast.record import read_source_coverage, selective_sources

app = typer.Typer(
    help="Triggers, retaliation labels, durations and censoring.", no_args_is_help=True
)
console = Console()

ParamsOption = typer.Option(DEFAULT_PARAMS_PATH, "--params", help="params.yaml to read")
EngineOption = typer.Option(
    None, "--engine", help="local or spark (default: `engine` in params.yaml; docs/spark.md)"
)


def chosen_engine(params: Params, engine: str | None) -> str:
    """The engine a stage runs on: --engine, else params.yaml's `engine`."""
    chosen = engine or params.engine
    if chosen not in ("local", "spark"):
        raise ForecastError(f"--engine must be local or spark, not {chosen!r}")
    return chosen


def run_spark_stage(
    stage: Callable[[Params, dict[str, date | None]], tuple[str, str]],
    params: Params,
    written: Path,
) -> None:
    """Run a stage on the Spark engine and print its data banner and summary line."""
    started = time.perf_counter()
    banner, line = stage(params, read_coverage())
    console.print(banner, style="bold yellow", highlight=False, markup=False)
    console.print(
        f"{line}; wrote {written} on Spark in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


def read_table(path: Path, made_by: str) -> pd.DataFrame:
    """Read a pipeline Parquet file, saying which command makes it when it is missing or cut."""
    return files.read_parquet(path, made_by)


def read_coverage(path: Path = paths.SOURCES_FILE) -> dict[str, date | None]:
    """{source: coverage end} from ingest's sources.json; empty when the file is absent."""
    return {name: span.end for name, span in read_source_coverage(path).items()}


def modelled_incidents(params_path: Path) -> tuple[pd.DataFrame, object]:
    """The incident table restricted to params' model sources, with the params."""
    params = load_params(params_path)
    incidents = read_table(paths.INCIDENTS_FILE, "forecast data ingest")
    return select_model_sources(incidents, params.data.trigger_sources), params


def history_incidents(params_path: Path) -> tuple[pd.DataFrame, object]:
    """The incidents history features read (trigger sources plus feeds used as history)."""
    params = load_params(params_path)
    incidents = read_table(paths.INCIDENTS_FILE, "forecast data ingest")
    return select_model_sources(incidents, params.data.history_sources), params


@app.command("build")
def build(params_path: Path = ParamsOption, engine: str | None = EngineOption) -> None:
    """Write data/processed/episodes.parquet: one row per day-dated use of force."""
    started = time.perf_counter()
    if chosen_engine(load_params(params_path), engine) == "spark":
        from forecast.spark.stages import episodes_stage

        run_spark_stage(episodes_stage, load_params(params_path), paths.EPISODES_FILE)
        return
    incidents, params = modelled_incidents(params_path)
    console.print(
        provenance_of(incidents).banner(), style="bold yellow", highlight=False, markup=False
    )
    coverage = read_coverage()
    for source in unmodelled_sources(coverage, params):
        console.print(f"warning: {unmodelled_warning(source)}", style="yellow", markup=False)
    selective = selective_sources(read_source_coverage(paths.SOURCES_FILE))
    with console.status("finding triggers and answers"):
        episodes = build_episodes(incidents, params.episodes, coverage, selective)
    files.write_parquet(episodes, paths.EPISODES_FILE)
    headline = (
        label_column(30)
        if 30 in params.episodes.horizons
        else label_column(params.episodes.horizons[0])
    )
    console.print(
        f"{len(episodes):,} triggers from {len(incidents):,} incidents "
        f"({escape(', '.join(sorted(incidents['source'].unique())))}); {headline} rate "
        f"{episodes[headline].mean():.3f}; wrote {paths.EPISODES_FILE} "
        f"in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


@app.command("summary")
def summary(params_path: Path = ParamsOption) -> None:
    """Per source: triggers, retaliation rate and share censored per horizon, days quartiles."""
    incidents, params = modelled_incidents(params_path)
    episodes = read_table(paths.EPISODES_FILE, "forecast episodes build")
    horizons = params.episodes.horizons
    table_rows = summarise_episodes(episodes, horizons)
    undated = undated_force_by_source(incidents, params.episodes.min_hostility)
    console.print(
        provenance_of(incidents).banner(), style="bold yellow", highlight=False, markup=False
    )
    table = Table(title="Retaliation episodes by source")
    table.add_column("source")
    table.add_column("triggers", justify="right")
    table.add_column("undated force", justify="right")
    for horizon in horizons:
        table.add_column(f"rate {horizon}d", justify="right")
        table.add_column(f"censored {horizon}d", justify="right")
    table.add_column("days q1 / median / q3", justify="right")
    for row in table_rows.itertuples(index=False):
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
        f"trigger; {len(episodes):,} triggers in all",
        highlight=False,
    )
