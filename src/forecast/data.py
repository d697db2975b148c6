"""Notebook API: the pipeline's tables, typed, with a clear message when one is not built yet.

Notebooks import these instead of reading files themselves, so a notebook never holds its own
copy of a path or a dtype, and a missing file says which command makes it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from forecast import files
from forecast.errors import ForecastError
from forecast.paths import (
    COVARIATES_FILE,
    EPISODES_FILE,
    FEATURES_FILE,
    INCIDENTS_FILE,
    QUARANTINE_FILE,
    SOURCES_FILE,
)
from forecast.schema import QUARANTINE_COLUMNS

_MADE_BY: dict[Path, str] = {
    INCIDENTS_FILE: "forecast data ingest",
    QUARANTINE_FILE: "forecast data ingest",
    COVARIATES_FILE: "forecast data ingest",
    SOURCES_FILE: "forecast data ingest",
    EPISODES_FILE: "forecast episodes build",
    FEATURES_FILE: "forecast features build",
}


def _existing(path: Path, root: Path | None) -> Path:
    full = (root or Path()) / path
    if not full.exists():
        raise ForecastError(
            f"{path} not found: run `{_MADE_BY[path]}` (or `dvc repro`) from the project root"
        )
    return full


def _parquet(path: Path, root: Path | None) -> pd.DataFrame:
    """A pipeline table; missing or cut short, an error naming the command that makes it."""
    return files.read_parquet((root or Path()) / path, _MADE_BY[path])


def load_incidents(root: Path | None = None) -> pd.DataFrame:
    """The canonical incident table (data/interim/incidents.parquet)."""
    return _parquet(INCIDENTS_FILE, root)


def load_quarantine(root: Path | None = None) -> pd.DataFrame:
    """Rows every source rejected, with file, row, column, value and reason, as written.

    The file neutralises formula-like cells for spreadsheets; the values come back unchanged.
    """
    table = pd.read_csv(
        _existing(QUARANTINE_FILE, root),
        dtype={name: "string" for name in QUARANTINE_COLUMNS if name != "row"} | {"row": "Int64"},
        keep_default_na=False,
        na_values=[""],
    )
    text = [name for name in QUARANTINE_COLUMNS if name != "row"]
    return table.assign(**{name: files.spreadsheet_unsafe(table[name]) for name in text})


def load_covariates(root: Path | None = None) -> pd.DataFrame:
    """The directed dyad-year covariate table."""
    return _parquet(COVARIATES_FILE, root)


def load_sources(root: Path | None = None) -> dict[str, object]:
    """sources.json: per source files with md5, row counts, coverage and the provenance banner."""
    return json.loads(_existing(SOURCES_FILE, root).read_text())


def load_coverage(root: Path | None = None) -> dict[str, date | None]:
    """Each source's coverage end, the date its triggers are censored at (ADR 0003)."""
    coverage = load_sources(root)["coverage"]
    return {
        source: date.fromisoformat(span["end"]) if span.get("end") else None
        for source, span in coverage.items()  # type: ignore[union-attr]
    }


def load_episodes(root: Path | None = None) -> pd.DataFrame:
    """One row per trigger with its retaliation labels and durations."""
    return _parquet(EPISODES_FILE, root)


def load_features(root: Path | None = None) -> pd.DataFrame:
    """Leak-free features, one row per episode."""
    return _parquet(FEATURES_FILE, root)
