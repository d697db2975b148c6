"""Hand-coded incidents committed under data/incidents/, read like any user's CSV file.

Recent exchanges that no published dataset holds yet (the January 2024 Iran-Pakistan strikes)
are coded by hand, one CSV per exchange, with the outlet or statement behind each row. They go
through the same mapping adapter as a team's own files, so they are validated and quarantined
the same way; the folder's `handcoded.yaml` is the mapping and declares the coverage.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from forecast.core.errors import DataFileError
from forecast.sources.base import SourceResult, combine
from forecast.sources.tabular import ColumnMapping, load_mapping, read_tabular

SOURCE = "handcoded"
MAPPING_FILE = "handcoded.yaml"


def handcoded_files(folder: Path) -> list[Path]:
    """The CSV files of the folder, in name order so every run reads them alike."""
    return sorted(Path(folder).glob("*.csv"))


def has_handcoded_mapping(path: Path) -> bool:
    """Whether `path` is a CSV file in a folder of hand-coded incidents (one with the mapping)."""
    path = Path(path)
    return path.suffix.lower() == ".csv" and (path.parent / MAPPING_FILE).is_file()


def handcoded_mapping(folder: Path) -> ColumnMapping:
    """The folder's mapping; a folder of hand-coded files without one is an error."""
    mapping_path = Path(folder) / MAPPING_FILE
    if not mapping_path.exists():
        raise DataFileError(
            mapping_path, "hand-coded mapping not found", "each incidents folder needs one"
        )
    return load_mapping(mapping_path)


def read_handcoded_file(path: Path) -> SourceResult:
    """One hand-coded CSV through the mapping beside it: what ingest makes of that file, so
    the brief and `forecast predict --input` read the same ids and notes as the pipeline."""
    path = Path(path)
    return read_tabular(path, handcoded_mapping(path.parent))


def read_handcoded(folder: Path) -> SourceResult:
    """Every hand-coded CSV in `folder`, through the folder's mapping."""
    folder = Path(folder)
    mapping = handcoded_mapping(folder)
    results = [read_tabular(path, mapping) for path in handcoded_files(folder)]
    combined = combine(results, SOURCE)
    if not results:
        declared = mapping.coverage
        combined.coverage = replace(combined.coverage, start=declared.start, end=declared.end)
    return combined
