"""Where the project is: its root, and the shared folder of real source files.

DVC stages, the CLI and notebooks all run from the repository root, so pipeline paths are kept
relative to it (each table's path is in `forecast.core.tables`); notebooks call
`project_root()` to find it from their own folder.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "FORECAST_DATA_DIR"


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
