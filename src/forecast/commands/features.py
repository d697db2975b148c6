"""`forecast features`: build the leak-free feature table, and list the feature registry."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from forecast import files, paths
from forecast.commands.episodes import (
    EngineOption,
    ParamsOption,
    chosen_engine,
    history_incidents,
    read_coverage,
    read_table,
    run_spark_stage,
)
from forecast.config import load_params
from forecast.episodes import day_numbers, force_events
from forecast.features import TRIGGER_COLUMNS, build_features, feature_markdown, feature_table
from forecast.provenance import provenance_of
from forecast.record import read_source_coverage, selective_sources
from forecast.record_age import actual_record_end, modelled_coverage

app = typer.Typer(help="Leak-free features and their registry.", no_args_is_help=True)
console = Console()


@app.command("build")
def build(params_path: Path = ParamsOption, engine: str | None = EngineOption) -> None:
    """Write data/processed/features.parquet: one row per episode, one column per feature."""
    started = time.perf_counter()
    if chosen_engine(load_params(params_path), engine) == "spark":
        from forecast.spark.stages import features_stage

        run_spark_stage(features_stage, load_params(params_path), paths.FEATURES_FILE)
        return
    incidents, params = history_incidents(params_path)
    triggers = read_table(paths.EPISODES_FILE, "forecast episodes build")[
        [*TRIGGER_COLUMNS, "target_kind"]
    ]
    console.print(
        provenance_of(incidents).banner(), style="bold yellow", highlight=False, markup=False
    )
    covariates = None
    if paths.COVARIATES_FILE.exists():
        covariates = files.read_parquet(paths.COVARIATES_FILE, "forecast data ingest")
    else:
        console.print(
            f"{paths.COVARIATES_FILE} not found: covariate features are flagged missing "
            "(run `forecast data ingest` to build it)",
            style="yellow",
            highlight=False,
        )
    covered = modelled_coverage(
        read_source_coverage(paths.SOURCES_FILE), incidents["source"].astype(str).unique()
    )
    features = build_features(
        triggers,
        force_events(incidents, params.episodes.min_hostility),
        covariates,
        params.features,
        params.episodes.horizons,
        include_same_day=params.episodes.include_same_day,
        coverage=read_coverage(),
        selective_sources=selective_sources(covered),
        record_end=actual_record_end(day_numbers(triggers["date"]), covered),
        progress=lambda stages: tqdm(stages, desc="features", unit="stage"),
    )
    files.write_parquet(features, paths.FEATURES_FILE)
    console.print(
        f"{len(features):,} episodes x {features.shape[1] - 1} features; wrote "
        f"{paths.FEATURES_FILE} in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


@app.command("list")
def list_features(
    params_path: Path = ParamsOption,
    markdown: bool = typer.Option(False, "--markdown", help="print a Markdown table instead"),
) -> None:
    """Print every feature's name, meaning, window and source."""
    params = load_params(params_path)
    if markdown:
        typer.echo(feature_markdown(params.features, params.episodes.horizons), nl=False)
        return
    registry = feature_table(params.features, params.episodes.horizons)
    table = Table(title=f"{len(registry)} features")
    for column in registry.columns:
        table.add_column(column, overflow="fold")
    for row in registry.itertuples(index=False):
        table.add_row(*map(str, row))
    console.print(table)
