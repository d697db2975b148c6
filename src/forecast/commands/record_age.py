"""`forecast record-age`: the backtest by record age, and its table.

The backtest shows what forecasts across a gap are worth: every forecaster is scored with the
record cut 0, 1, 2, 5 and 10 years (params `record_age.ages`) before each test trigger.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from forecast import paths
from forecast.commands.episodes import history_incidents, read_table
from forecast.errors import DataFileError
from forecast.files import read_parquet

app = typer.Typer(
    help="Forecasting across a gap: the backtest by record age.", no_args_is_help=True
)
console = Console()
PARAMS = Path("params.yaml")


@app.command("backtest")
def backtest(
    params_file: Annotated[Path, typer.Option("--params", help="params file")] = PARAMS,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="origins in parallel")] = 2,
    track: Annotated[bool, typer.Option("--track/--no-track", help="log to MLflow")] = True,
) -> None:
    """Score every forecaster at every simulated record age: metrics/record_age.json."""

    from forecast.evaluation.record_age import run_record_age_backtest
    from forecast.evaluation.record_age_outputs import headline_table, write_record_age
    from forecast.provenance import provenance_of
    from forecast.record import read_source_coverage

    incidents, params = history_incidents(params_file)
    episodes = read_table(paths.EPISODES_FILE, "forecast episodes build")
    covariates = (
        read_parquet(paths.COVARIATES_FILE, "forecast data ingest")
        if paths.COVARIATES_FILE.exists()
        else None
    )
    provenance = provenance_of(incidents)
    console.print(provenance.banner(), style="bold yellow", highlight=False, markup=False)
    result = run_record_age_backtest(
        incidents,
        episodes,
        covariates,
        read_source_coverage(paths.SOURCES_FILE),
        params,
        n_jobs=jobs,
    )
    files = write_record_age(result, provenance)
    if track:
        from forecast import tracking

        run_id = tracking.log_record_age(result, provenance, params, files)
        console.print(f"MLflow run {run_id} ({params.tracking.uri})", highlight=False)
    console.print(headline_table(result.scores, "limited_force", 30), highlight=False)
    console.print(f"record-age backtest in {result.seconds:.0f} s", highlight=False)


@app.command("show")
def show(
    subset: Annotated[str, typer.Option(help="all or limited_force")] = "limited_force",
    horizon: Annotated[int, typer.Option(help="horizon in days")] = 30,
) -> None:
    """Print metrics/record_age.json as a table: ROC AUC / Brier skill / mean forecast."""
    from forecast.evaluation.record_age_outputs import RECORD_AGE_FILE, headline_table

    if not RECORD_AGE_FILE.exists():
        raise DataFileError(RECORD_AGE_FILE, "not found", "run `forecast record-age backtest`")
    scores = json.loads(RECORD_AGE_FILE.read_text())
    if subset not in scores:
        raise DataFileError(
            RECORD_AGE_FILE, f"has no subset {subset!r}", "use all or limited_force"
        )
    table = headline_table(scores, subset, horizon)
    if isinstance(table, Table):
        console.print(table)
    else:
        console.print(table, highlight=False)
