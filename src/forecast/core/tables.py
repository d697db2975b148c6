"""The pipeline's tables by name: where each lives, which command makes it, and its contract.

Stages, the forecaster and notebooks read and write pipeline files only through `read` and
`write`, so a path, the command a user must run when a file is missing, and the check a table
must pass are each written once (here and in `forecast.core.contracts`). Reading validates: a
table cut short, missing or in the wrong shape is one error naming the file and the command that
makes it, never a pyarrow or pandera traceback. Writing validates too, then writes atomically
(`forecast.core.atomic`), so no stage leaves a half-written or off-contract table for the next one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forecast.core import atomic, contracts
from forecast.core.errors import DataFileError

Format = Literal["parquet", "csv", "json", "png", "pickle"]


@dataclass(frozen=True)
class Table:
    """One pipeline file: its path under the project root, its maker and its contract."""

    name: str
    path: Path
    stage: str
    made_by: str
    format: Format
    schema: contracts.pa.DataFrameSchema | None = None
    # JSON written with sorted keys, floats rounded and NaN as null (metric files).
    rounded: bool = False


def _table(name: str, path: str, stage: str, made_by: str, fmt: Format, **kw: Any) -> Table:
    return Table(name, Path(path), stage, made_by, fmt, **kw)


_INGEST = ("ingest", "forecast data ingest")
_BACKTEST = ("backtest", "forecast backtest")
_RECORD_AGE = ("record_age", "forecast record-age backtest")
_CLASSES = ("classes", "forecast classes backtest")
_TRAIN = ("train", "forecast train")

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        _table("manifest", "data/raw/manifest.json", "fetch", "forecast data fetch", "json"),
        _table(
            "incidents",
            "data/interim/incidents.parquet",
            *_INGEST,
            "parquet",
            schema=contracts.INCIDENT_SCHEMA,
        ),
        _table(
            "quarantine",
            "data/interim/quarantine.csv",
            *_INGEST,
            "csv",
            schema=contracts.QUARANTINE_SCHEMA,
        ),
        _table(
            "covariates",
            "data/interim/covariates.parquet",
            *_INGEST,
            "parquet",
            schema=contracts.COVARIATES_SCHEMA,
        ),
        # Per source: files with md5, row counts, coverage; and the provenance banner.
        _table("sources", "data/interim/sources.json", *_INGEST, "json"),
        _table(
            "episodes",
            "data/processed/episodes.parquet",
            "episodes",
            "forecast episodes build",
            "parquet",
            schema=contracts.EPISODES_SCHEMA,
        ),
        _table(
            "features",
            "data/processed/features.parquet",
            "features",
            "forecast features build",
            "parquet",
            schema=contracts.FEATURES_SCHEMA,
        ),
        _table(
            "backtest_predictions",
            "data/processed/backtest_predictions.parquet",
            *_BACKTEST,
            "parquet",
            schema=contracts.BACKTEST_PREDICTIONS_SCHEMA,
        ),
        _table("likelihood", "metrics/likelihood.json", *_BACKTEST, "json", rounded=True),
        _table("timing", "metrics/timing.json", *_BACKTEST, "json", rounded=True),
        _table("backtest_data", "metrics/backtest_data.json", *_BACKTEST, "json", rounded=True),
        _table("summary", "metrics/summary.json", *_BACKTEST, "json", rounded=True),
        _table("reliability_plot", "plots/reliability.csv", *_BACKTEST, "csv"),
        _table("roc_plot", "plots/roc.csv", *_BACKTEST, "csv"),
        _table("reliability_figure", "plots/reliability.png", *_BACKTEST, "png"),
        _table("roc_figure", "plots/roc.png", *_BACKTEST, "png"),
        _table("record_age", "metrics/record_age.json", *_RECORD_AGE, "json", rounded=True),
        _table(
            "record_age_data", "metrics/record_age_data.json", *_RECORD_AGE, "json", rounded=True
        ),
        _table(
            "record_age_predictions",
            "data/processed/record_age_predictions.parquet",
            *_RECORD_AGE,
            "parquet",
            schema=contracts.RECORD_AGE_PREDICTIONS_SCHEMA,
        ),
        _table("record_age_plot", "plots/record_age.csv", *_RECORD_AGE, "csv"),
        _table("record_age_figure", "plots/record_age.png", *_RECORD_AGE, "png"),
        _table("classes", "metrics/classes.json", *_CLASSES, "json", rounded=True),
        _table("classes_data", "metrics/classes_data.json", *_CLASSES, "json", rounded=True),
        _table("classes_plot", "plots/classes.csv", *_CLASSES, "csv"),
        _table("classes_figure", "plots/classes.png", *_CLASSES, "png"),
        _table("train", "metrics/train.json", *_TRAIN, "json", rounded=True),
        # Scoring copies of the registered champions (forecast.tracking.bundle reads them, checked).
        _table("champions", "data/processed/champions.pkl", *_TRAIN, "pickle"),
    )
}

# Hand-coded incidents: input, not output; the folder the brief and ingest read.
INCIDENTS_DIR = Path("data/incidents")


def table(name: str) -> Table:
    """The registry entry for `name` (a KeyError names the unknown table)."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no pipeline table {name!r}; known: {', '.join(TABLES)}") from None


def path(name: str, root: str | Path | None = None) -> Path:
    """Where table `name` lives, under `root` (the working directory by default)."""
    entry = table(name)
    return entry.path if root is None else Path(root) / entry.path


def exists(name: str, root: str | Path | None = None) -> bool:
    """Whether table `name` has been written under `root`."""
    return path(name, root).exists()


def read(name: str, root: str | Path | None = None) -> Any:
    """Table `name` as written, validated: a DataFrame, or a dict for JSON documents.

    Missing, cut short or off its contract, it raises one `DataFileError` naming the file and
    the command that makes it.
    """
    entry = table(name)
    where = path(name, root)
    if not where.exists():
        raise DataFileError(where, "not found", f"run `{entry.made_by}` or `dvc repro` first")
    if entry.format == "parquet":
        frame = atomic.read_parquet(where, entry.made_by)
    elif entry.format == "csv":
        frame = _read_csv(entry, where)
    elif entry.format == "json":
        return _read_json(entry, where)
    else:
        raise ValueError(f"{where}: read {entry.format} files with their own reader")
    _validate(entry, frame, where, "re-run")
    return frame


def read_optional(name: str, root: str | Path | None = None) -> Any:
    """Like `read`, but None when the file was never written (an optional input)."""
    return read(name, root) if exists(name, root) else None


def read_record(name: str, root: str | Path | None = None) -> dict[str, Any]:
    """A JSON document that only informs (a record of the last run): {} when it is missing or
    unreadable, so a reader falls back to its default instead of stopping."""
    try:
        record = read_optional(name, root)
    except DataFileError:
        return {}
    return record if isinstance(record, dict) else {}


def write(name: str, content: Any, root: str | Path | None = None) -> Path:
    """Validate `content` against table `name`'s contract and write it whole or not at all."""
    entry = table(name)
    where = path(name, root)
    if entry.format == "parquet":
        _validate(entry, content, where, "fix the stage that wrote it:")
        return atomic.write_parquet(content, where)
    if entry.format == "csv":
        _validate(entry, content, where, "fix the stage that wrote it:")
        return atomic.write_csv(content, where, for_spreadsheets=entry.name == "quarantine")
    if entry.format == "json":
        return atomic.write_text(where, json_text(content, rounded=entry.rounded))
    raise ValueError(f"{where}: write {entry.format} files with their own writer")


def json_text(payload: Any, *, rounded: bool) -> str:
    """A JSON document's text: sorted keys, two-space indent, final newline; metric files
    also have floats rounded and NaN written as null, so reruns diff cleanly."""
    if rounded:
        return atomic.metric_json(payload)
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _read_json(entry: Table, where: Path) -> dict[str, Any]:
    try:
        return json.loads(where.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(
            where, f"is not valid JSON ({exc})", f"re-run `{entry.made_by}`"
        ) from exc


def _read_csv(entry: Table, where: Path) -> pd.DataFrame:
    """A CSV table; quarantine.csv's spreadsheet-safe cells come back as they were."""
    if entry.name != "quarantine":
        return pd.read_csv(where)
    names = list(entry.schema.columns) if entry.schema is not None else []
    text = [column for column in names if column != "row"]
    frame = pd.read_csv(
        where,
        dtype={column: "string" for column in text} | {"row": "Int64"},
        keep_default_na=False,
        na_values=[""],
    )
    return frame.assign(**{column: atomic.spreadsheet_unsafe(frame[column]) for column in text})


def _validate(entry: Table, frame: pd.DataFrame, where: Path, remedy: str) -> None:
    if entry.schema is None:
        return
    try:
        entry.schema.validate(frame, lazy=True)
    except contracts.pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        detail = "does not match its contract"
        if len(cases):
            first = cases.iloc[0]
            detail = f"{first['check']} failed in {first['column']}: {first['failure_case']!r}"
        raise DataFileError(
            where,
            f"breaks the {entry.name} contract ({len(cases)} failure(s); first: {detail})",
            f"{remedy} `{entry.made_by}`",
        ) from exc
