"""Notebook API: the pipeline's tables, typed, with a clear message when one is not built yet.

Notebooks import these instead of reading files themselves, so a notebook never holds its own
copy of a path or a dtype, and a missing file says which command makes it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

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


def load_incidents(root: Path | None = None) -> pd.DataFrame:
    """The canonical incident table (data/interim/incidents.parquet)."""
    return pd.read_parquet(_existing(INCIDENTS_FILE, root))


def load_quarantine(root: Path | None = None) -> pd.DataFrame:
    """Rows every source rejected, with file, row, column, value and reason."""
    return pd.read_csv(
        _existing(QUARANTINE_FILE, root),
        dtype={name: "string" for name in QUARANTINE_COLUMNS if name != "row"} | {"row": "Int64"},
        keep_default_na=False,
        na_values=[""],
    )


def load_covariates(root: Path | None = None) -> pd.DataFrame:
    """The directed dyad-year covariate table."""
    return pd.read_parquet(_existing(COVARIATES_FILE, root))


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
    return pd.read_parquet(_existing(EPISODES_FILE, root))


def load_features(root: Path | None = None) -> pd.DataFrame:
    """Leak-free features, one row per episode."""
    return pd.read_parquet(_existing(FEATURES_FILE, root))
