"""Notebook API: the pipeline's tables, typed, with a clear message when one is not built yet.

Notebooks import these instead of reading files themselves, so a notebook never holds its own
copy of a path or a dtype, and a missing file says which command makes it (`forecast.core.tables`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from forecast.core import tables
from forecast.core.coverage import coverage_ends, source_coverage


def load_incidents(root: Path | None = None) -> pd.DataFrame:
    """The canonical incident table (data/interim/incidents.parquet)."""
    return tables.read("incidents", root)


def load_quarantine(root: Path | None = None) -> pd.DataFrame:
    """Rows every source rejected, with file, row, column, value and reason, as written.

    The file neutralises formula-like cells for spreadsheets; the values come back unchanged.
    """
    return tables.read("quarantine", root)


def load_covariates(root: Path | None = None) -> pd.DataFrame:
    """The directed dyad-year covariate table."""
    return tables.read("covariates", root)


def load_sources(root: Path | None = None) -> dict[str, object]:
    """sources.json: per source files with md5, row counts, coverage and the provenance banner."""
    return tables.read("sources", root)


def load_coverage(root: Path | None = None) -> dict[str, date | None]:
    """Each source's coverage end, the date its triggers are censored at (ADR 0003)."""
    return coverage_ends(source_coverage(load_sources(root)))


def load_episodes(root: Path | None = None) -> pd.DataFrame:
    """One row per trigger with its retaliation labels and durations."""
    return tables.read("episodes", root)


def load_features(root: Path | None = None) -> pd.DataFrame:
    """Leak-free features, one row per episode."""
    return tables.read("features", root)
