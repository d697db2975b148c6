"""Hand-coded incidents committed under data/incidents/, read like any user's CSV file.

Recent exchanges that no published dataset holds yet (the January 2024 Iran-Pakistan strikes)
are coded by hand, one CSV per exchange, with the outlet or statement behind each row. They go
through the same mapping adapter as a team's own files, so they are validated and quarantined
the same way; the folder's `handcoded.yaml` is the mapping and declares the coverage.
"""

from __future__ import annotations

from pathlib import Path

from forecast.errors import DataFileError
from forecast.sources.base import SourceResult, combine
from forecast.sources.tabular import load_mapping, read_tabular

SOURCE = "handcoded"
MAPPING_FILE = "handcoded.yaml"


def handcoded_files(folder: Path) -> list[Path]:
    """The CSV files of the folder, in name order so every run reads them alike."""
    return sorted(Path(folder).glob("*.csv"))


def read_handcoded(folder: Path) -> SourceResult:
    """Every hand-coded CSV in `folder`, through the folder's mapping."""
    folder = Path(folder)
    mapping_path = folder / MAPPING_FILE
    if not mapping_path.exists():
        raise DataFileError(
            mapping_path, "hand-coded mapping not found", "each incidents folder needs one"
        )
    mapping = load_mapping(mapping_path)
    results = [read_tabular(path, mapping) for path in handcoded_files(folder)]
    combined = combine(results, SOURCE)
    if not results:
        combined.coverage_start, combined.coverage_end = (
            mapping.coverage_start,
            mapping.coverage_end,
        )
    return combined
