"""Pipeline files: written whole or not at all, read back with an error naming their maker.

An interrupted stage must not leave half a Parquet file that the next command trusts, so every
output is written to a temporary file in the same folder and renamed into place (a rename on
one file system is atomic: readers see the old file or the new one, never a part). A table that
is missing or cut gets one line naming it and the command that makes it, not a pyarrow
traceback. CSVs meant for spreadsheets can be written with formula-looking cells neutralised.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from forecast.core.errors import DataFileError

# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV
# injection"); a leading apostrophe makes it text. The apostrophe itself is in the set so that
# the escape can be undone exactly.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
# Decimal places metric files keep: enough for any score, few enough that reruns diff cleanly.
JSON_DIGITS = 6


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` only if no error escapes.

    The temporary name keeps the suffix, so writers that infer the format from it (matplotlib)
    still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as partial:
        partial.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | Path, content: bytes) -> Path:
    """Write bytes atomically."""
    with atomic_path(path) as partial:
        partial.write_bytes(content)
    return Path(path)


def write_figure(figure: Any, title: str, banner: str, path: str | Path) -> Path:
    """A matplotlib figure titled with the data it came from, saved as PNG and closed.

    No creation date or software tag is written, so identical runs give identical bytes.
    """
    import matplotlib.pyplot as plt  # only the stages that draw pay for it

    figure.suptitle(f"{title}\n{banner}", fontsize=9)
    figure.tight_layout()
    with atomic_path(path) as partial:
        figure.savefig(partial, dpi=110, metadata={"Software": None})
    plt.close(figure)
    return Path(path)


def write_parquet(
    frame: pd.DataFrame, path: str | Path, metadata: Mapping[bytes, bytes] | None = None
) -> Path:
    """Write a table to Parquet atomically (no index), with `metadata` added to its schema's
    (the token of the set it belongs to: forecast.core.filesets)."""
    options: dict[str, Any] = {}
    if metadata:
        schema = pa.Schema.from_pandas(frame, preserve_index=False)
        options["schema"] = schema.with_metadata({**(schema.metadata or {}), **metadata})
    with atomic_path(path) as partial:
        frame.to_parquet(partial, index=False, **options)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, for_spreadsheets: bool = False) -> Path:
    """Write a table to CSV atomically; `for_spreadsheets` neutralises formula-like text cells."""
    if for_spreadsheets:
        frame = frame.apply(lambda column: spreadsheet_safe(column) if _texty(column) else column)
    with atomic_path(path) as partial:
        frame.to_csv(partial, index=False)
    return Path(path)


def spreadsheet_safe(values: pd.Series) -> pd.Series:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe."""
    text = values.astype("string")
    risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    return text.where(~risky, "'" + text)


def spreadsheet_unsafe(values: pd.Series) -> pd.Series:
    """Undo `spreadsheet_safe`: the values as they were before they were written."""
    text = values.astype("string")
    escaped = text.str.startswith("'").fillna(False).astype(bool) & text.str.slice(1, 2).isin(
        FORMULA_STARTS
    ).fillna(False).astype(bool)
    return text.where(~escaped, text.str.slice(1))


def read_parquet(path: str | Path, made_by: str) -> pd.DataFrame:
    """Read a pipeline table; missing or unreadable (cut short, not Parquet) is one clear line."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "not found", f"run `{made_by}` or `dvc repro` first")
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise unreadable_parquet(path, made_by) from exc


def unreadable_parquet(path: Path, made_by: str) -> DataFileError:
    """The one line for a Parquet file that cannot be read, naming the command that makes it."""
    return DataFileError(
        path,
        "cannot be read: the file is cut short or is not Parquet",
        f"re-run `{made_by}` to write it again",
    )


def _texty(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column)


def metric_json(payload: object) -> str:
    """Deterministic JSON text: sorted keys, rounded floats, NaN as null, trailing newline."""
    return json.dumps(json_safe(payload), sort_keys=True, indent=2) + "\n"


def json_safe(value: object) -> object:
    """JSON-safe and rounded, so the same numbers always print the same bytes."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else round(float(value), JSON_DIGITS)
    return value
