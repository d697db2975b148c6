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
import time
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
# When this process loaded the module, about when it started: a temporary file older than this
# whose writer is gone was abandoned by an earlier run.
_STARTED = time.time()
_PART = ".part"


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` only if no error escapes.

    The temporary name keeps the suffix, so writers that infer the format from it (matplotlib)
    still work. A writer killed outright (SIGKILL, a power cut) cannot remove its temporary
    file, so each write first removes those of earlier writers of the same file that died.
    """
    path = writable(Path(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFileError(path, f"cannot be written ({exc.strerror or exc})") from exc
    _remove_abandoned_parts(path)
    partial = _part_name(path, os.getpid())
    try:
        yield partial
        try:
            partial.replace(path)
        except OSError as exc:  # a folder put there since `writable` looked
            raise DataFileError(path, f"cannot be written ({exc.strerror or exc})") from exc
    finally:
        partial.unlink(missing_ok=True)


def writable(path: Path) -> Path:
    """`path`, when a file can be written there; else a DataFileError saying why in one line.

    Commands call it before the work whose result they write, so `--output` naming a folder,
    or a path under a file, is refused before minutes of work rather than after.
    """
    path = Path(path)
    if path.is_dir():
        raise DataFileError(path, "is a folder", "give the name of a file to write")
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                raise DataFileError(path, f"cannot be written: {folder} is a file, not a folder")
            break
    return path


def _part_name(path: Path, pid: int) -> Path:
    return path.with_name(f".{path.stem}.{pid}{_PART}{path.suffix}")


def _remove_abandoned_parts(path: Path) -> None:
    """Remove temporary files of `path` whose writer is gone and that predate this process.

    Both conditions, so a part another live writer is filling (its process runs) or one
    written by a process elsewhere that shares the folder since this one started is left.
    """
    prefix, suffix = f".{path.stem}.", f"{_PART}{path.suffix}"
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return  # a folder that cannot be listed: the write itself will say what is wrong
    for part in siblings:
        name = part.name
        writer = name[len(prefix) : len(name) - len(suffix)]
        if not (name.startswith(prefix) and name.endswith(suffix) and _gone(writer)):
            continue
        try:
            if part.stat().st_mtime < _STARTED:
                part.unlink()
        except OSError:
            continue  # removed by another writer meanwhile, or not ours to remove


def _gone(writer: str) -> bool:
    """Whether a part's writer id (the digits in its name) is a process that no longer runs."""
    if not (writer.isascii() and writer.isdigit() and len(writer) <= 10):
        return False
    return int(writer) != os.getpid() and not _running(int(writer))


def _running(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none, or an id no process can have
        return False
    except OSError:
        return True
    return True


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
