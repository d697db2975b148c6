"""Where the project reads and writes files, relative to the working directory (the repo root).

DVC stages, the CLI and notebooks all run from the repository root, so paths are kept relative
to it; notebooks call `project_root()` to find it from their own folder.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "FORECAST_DATA_DIR"

INCIDENTS_DIR = Path("data/incidents")
RAW_DIR = Path("data/raw")
INTERIM_DIR = Path("data/interim")
PROCESSED_DIR = Path("data/processed")
METRICS_DIR = Path("metrics")
PLOTS_DIR = Path("plots")

INCIDENTS_FILE = INTERIM_DIR / "incidents.parquet"
QUARANTINE_FILE = INTERIM_DIR / "quarantine.csv"
COVARIATES_FILE = INTERIM_DIR / "covariates.parquet"
SOURCES_FILE = INTERIM_DIR / "sources.json"
MANIFEST_FILE = RAW_DIR / "manifest.json"
EPISODES_FILE = PROCESSED_DIR / "episodes.parquet"
FEATURES_FILE = PROCESSED_DIR / "features.parquet"
BACKTEST_PREDICTIONS_FILE = PROCESSED_DIR / "backtest_predictions.parquet"
TRAIN_FILE = METRICS_DIR / "train.json"
# The backtest by record age (forecast.evaluation.record_age).
RECORD_AGE_FILE = METRICS_DIR / "record_age.json"
# Scoring copies of the registered champions, written by `forecast train` (forecast.champions).
CHAMPIONS_FILE = PROCESSED_DIR / "champions.pkl"


def shared_data_dir() -> Path | None:
    """The directory named by $FORECAST_DATA_DIR, or None when unset or empty."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding params.yaml (the repository root)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "params.yaml").exists():
            return folder
    return here
