"""`forecast features`: build the leak-free feature table, and list the feature registry."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from forecast.commands.episodes import EngineOption, ParamsOption, print_outcome
from forecast.commands.terminal import echo, make_console
from forecast.core.config import load_params

app = typer.Typer(help="Leak-free features and their registry.", no_args_is_help=True)
console = make_console()


@app.command("build")
def build(params_path: Path = ParamsOption, engine: str | None = EngineOption) -> None:
    """Write data/processed/features.parquet: one row per episode, one column per feature."""
    # Imported here, not with the module: every `forecast` run imports it to list its commands.
    from tqdm import tqdm

    from forecast.core import tables
    from forecast.stages.features import run_features

    started = time.perf_counter()
    outcome = run_features(
        load_params(params_path),
        engine,
        progress=lambda stages: tqdm(stages, desc="features", unit="stage"),
    )
    print_outcome(outcome, str(tables.path("features")), started)


@app.command("list")
def list_features(
    params_path: Path = ParamsOption,
    markdown: bool = typer.Option(False, "--markdown", help="print a Markdown table instead"),
) -> None:
    """Print every feature's name, meaning, window and source."""
    from forecast.features.registry import feature_markdown, feature_table

    params = load_params(params_path)
    if markdown:
        echo(feature_markdown(params.features, params.episodes.horizons), nl=False)
        return
    registry = feature_table(params.features, params.episodes.horizons)
    table = Table(title=f"{len(registry)} features")
    for column in registry.columns:
        table.add_column(column, overflow="fold")
    for row in registry.itertuples(index=False):
        table.add_row(*map(str, row))
    console.print(table)
