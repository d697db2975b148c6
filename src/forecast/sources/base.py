"""What every source adapter returns, and the bookkeeping they share.

Adapters differ in how they read a producer's file, but they must agree on one promise: every
row read ends up in the incident table or in quarantine with a reason. `finish` keeps that
promise in one place, so no adapter can drop a row by forgetting to record it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.core.contracts import QUARANTINE_COLUMNS, empty_incidents, empty_quarantine
from forecast.core.countries import cow_to_iso3
from forecast.core.coverage import Coverage
from forecast.core.errors import DataFileError

if TYPE_CHECKING:
    from forecast.sources.dates import CodedDate

# Internal columns a candidate table may carry: the source-file row that produced a candidate
# incident, and (for sources that pair rows, such as MID participants) the other row used.
ROW = "_row"
OTHER_ROW = "_other_row"
# `_raw_<field>` columns hold a field as the source wrote it (a date "2012--9--9", an action
# code "99"): quarantine shows that value, which the user can find in the file.
RAW = "_raw_"
DATE_TEXT = RAW + "date"
ACTION_CODE = RAW + "action"


@dataclass(frozen=True)
class SourceFile:
    """A file a source was read from, with its md5 so a run can say exactly what it used."""

    path: Path
    md5: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path.as_posix(), "md5": self.md5}


@dataclass
class SourceResult:
    """One source's incidents, its rejected rows and what it covers.

    `rows_read` counts the rows of the source's main file; `rows_kept` those that reached the
    incident table (a row may yield more than one incident, or none when it is only a target);
    `rows_quarantined` those that did not. `rows_kept + rows_quarantined == rows_read` always.
    `quarantine` may also hold notes on kept rows (e.g. an ICB actor whose trigger was kept but
    whose response was not).
    """

    source: str
    incidents: pd.DataFrame = field(default_factory=empty_incidents)
    quarantine: pd.DataFrame = field(default_factory=empty_quarantine)
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    # What the source observed (forecast.core.coverage): its span, the windows an event feed
    # declares, and whether its silences say anything (not for hand-coded files).
    coverage: Coverage = field(default_factory=Coverage)
    files: list[SourceFile] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """The JSON-ready record that ingest writes to sources.json."""
        return {
            "files": [f.as_dict() for f in self.files],
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_quarantined": self.rows_quarantined,
            "incidents": len(self.incidents),
            "coverage": self.coverage.record(),
        }


def md5_of(path: Path) -> str:
    """md5 of a file, read in chunks so a large download does not sit in memory."""
    digest = hashlib.md5(usedforsecurity=False)
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_utf8(path: Path) -> str:
    """A text file's content under one rule for CSV and JSON: UTF-8, a leading BOM allowed.

    A byte that is not UTF-8 (a Latin-1 'é') is a DataFileError naming the line, rather than
    text that is silently kept mangled or a decoder traceback.
    """
    content = Path(path).read_bytes()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            path,
            f"line {line} holds byte 0x{content[exc.start]:02x}, which is not UTF-8",
            "save the file as UTF-8",
        ) from exc


def read_table_file(path: Path, required: Iterable[str], **read_csv: object) -> pd.DataFrame:
    """Read a CSV or Parquet file, turning every way it can be unusable into a DataFileError.

    A missing, empty or unreadable file and a missing column are the user's to fix, so they get
    one line naming the file and what was expected rather than a pandas traceback.
    """
    path = Path(path)
    required = list(required)
    if not path.exists():
        raise DataFileError(path, "file not found")
    if path.is_dir():
        raise DataFileError(path, "is a folder, expected a CSV or Parquet file")
    if path.stat().st_size == 0:
        raise DataFileError(path, "file is empty", "expected a header row and data rows")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
        else:
            frame = read_csv_text(path, read_utf8(path), required, **read_csv)
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(path, "file is empty", "expected a header row and data rows") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(
            path, f"cannot be read as a table ({first_line})", "expected UTF-8 CSV or Parquet"
        ) from exc
    require_columns(path, frame.columns, required)
    if frame.empty:
        raise DataFileError(path, "has a header but no data rows")
    return _bytes_as_text(path, frame, required)


def _bytes_as_text(path: Path, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Binary columns (Parquet writes text so from some tools) as UTF-8 text, the rule CSV
    files follow; a value that is not UTF-8 is a DataFileError naming its column and row."""
    for name in columns:
        values = frame[name]
        if values.dtype != object or not values.map(type).eq(bytes).any():
            continue
        text = []
        for row, value in enumerate(values, start=1):
            try:
                text.append(value.decode("utf-8") if isinstance(value, bytes) else value)
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    path,
                    f"column {name!r} row {row} holds byte 0x{value[exc.start]:02x}, "
                    "which is not UTF-8",
                    "write the column as UTF-8 text",
                ) from exc
        frame[name] = pd.Series(text, index=frame.index, dtype=object)
    return frame


def read_csv_text(path: Path, text: str, needed: Iterable[str], **read_csv: object) -> pd.DataFrame:
    """A CSV file's text as a table whose every value sits under its header's name.

    Two ways a header and its rows disagree are never resolved silently. A delimiter ending
    every row (an export's trailing comma) gives rows one field more than the header, which
    pandas reads as an index, shifting every value one column: that field is dropped when it
    is empty in every row, and a row that holds a value there is an error. Two header names
    that are one name once case and spaces are ignored (`hostility`, `Hostility `), where
    that name is one of the `needed` columns, are an error naming both, because a reader that
    matches either spelling would pick one of their values unseen. Parser errors are left to
    the caller, which knows what the file should have been.
    """
    _refuse_twin_columns(path, _header_of(text), needed)
    frame = pd.read_csv(io.StringIO(text), **read_csv)  # type: ignore[call-overload]
    if isinstance(frame.index, pd.RangeIndex):
        return frame
    extra = frame.iloc[:, -1].astype("string").str.strip()  # each row's field past the header
    filled = (extra.notna() & extra.ne("")).to_numpy()
    if filled.any():
        raise DataFileError(
            path,
            f"row {int(filled.argmax()) + 1} has more values than the header has columns",
            "name the extra column in the header, or remove the value",
        )
    with warnings.catch_warnings():
        # pandas warns that the empty last field is dropped: that is the point.
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(io.StringIO(text), index_col=False, **read_csv)  # type: ignore[call-overload]


def _header_of(text: str) -> list[str]:
    """A CSV text's header names as written (pandas renames a repeated one `name.1`)."""
    try:
        return next((row for row in csv.reader(io.StringIO(text)) if row), [])
    except csv.Error:
        return []  # not CSV enough for the header: pandas says what is wrong


def _refuse_twin_columns(path: Path, header: list[str], needed: Iterable[str]) -> None:
    """A DataFileError when two header names are one of the `needed` names once case and
    spaces are ignored."""
    needed_keys = {name.strip().casefold() for name in needed}
    first: dict[str, str] = {}
    for name in header:
        key = name.strip().casefold()
        if key in first and key in needed_keys:
            raise DataFileError(
                path,
                f"columns {first[key]!r} and {name!r} are one column once case and spaces "
                "are ignored",
                "rename or remove one: which to read is never guessed",
            )
        first.setdefault(key, name)


def require_columns(
    path: Path, columns: Iterable[str], required: Iterable[str], expected: Iterable[str] = ()
) -> None:
    """Name every required column a file lacks, and what it should hold, in one error.

    `expected` lists all the columns the file may hold (required first); by default the
    required ones, so the user sees the whole header to write.
    """
    present = set(columns)
    required = list(required)
    missing = [name for name in required if name not in present]
    if missing:
        raise DataFileError(
            path,
            f"missing column(s) {', '.join(missing)}",
            f"expected columns: {', '.join(list(expected) or required)}",
        )


def quarantine_records(
    rows: pd.Series | np.ndarray,
    *,
    source: str,
    file: str,
    column: str,
    values: pd.Series | np.ndarray | str | None,
    reason: str,
) -> pd.DataFrame:
    """Quarantine records for the given source rows, all failing one rule."""
    rows = np.asarray(rows)
    if isinstance(values, str) or values is None:
        values = np.full(len(rows), values, dtype=object)
    return pd.DataFrame(
        {
            "source": source,
            "file": file,
            "row": pd.array(rows, dtype="Int64"),
            "column": column,
            "value": pd.array(np.asarray(values, dtype=object), dtype="string"),
            "reason": reason,
        },
        columns=QUARANTINE_COLUMNS,
    ).astype({"source": "string", "file": "string", "column": "string", "reason": "string"})


def concat_quarantine(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack quarantine tables in row order, keeping the contract dtypes when empty."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_quarantine()
    return (
        pd.concat(parts, ignore_index=True)
        .sort_values(["file", "row", "column"], kind="stable")
        .reset_index(drop=True)
        .astype({"row": "Int64"})
    )


def finish(
    candidates: pd.DataFrame,
    *,
    source: str,
    file: str,
    rows_read: int,
    pre_quarantine: pd.DataFrame | None = None,
    unaccounted_reason: str = "row produced no incident",
    coverage: Coverage | None = None,
    files: list[SourceFile] | None = None,
) -> SourceResult:
    """Validate candidate incidents and account for every source row.

    `candidates` holds canonical columns plus `_row` (1-based row of the source file) and, where
    a candidate pairs two rows, `_other_row`. `pre_quarantine` holds rows an adapter already
    rejected while parsing (with the raw value shown). Any row that ends up neither kept nor
    quarantined is quarantined with `unaccounted_reason`, so nothing is ever dropped silently.
    """
    candidates = candidates.reset_index(drop=True)
    row_of = candidates[ROW].to_numpy(dtype=np.int64) if len(candidates) else np.array([], int)
    positions = pd.Series(np.arange(len(candidates)))
    internal = [c for c in candidates if c in (ROW, OTHER_ROW) or c.startswith(RAW)]
    canonical = candidates.drop(columns=internal)
    # Imported here: `forecast predict` uses this module's file readers, and a cold forecast
    # has no use for pandera.
    from forecast.core.schemas import split_valid

    outcome = split_valid(canonical, source=source, file=file, row_numbers=positions)
    rejected = outcome.quarantine
    bad_positions = rejected["row"].to_numpy(dtype=np.int64)
    rejected = rejected.assign(row=pd.array(row_of[bad_positions], dtype="Int64"))
    for raw_column in (c for c in internal if c.startswith(RAW)):
        written = candidates[raw_column].astype("string").to_numpy()[bad_positions]
        of_field = (rejected["column"] == raw_column.removeprefix(RAW)).to_numpy()
        rejected.loc[of_field, "value"] = written[of_field]
    kept_mask = np.ones(len(candidates), dtype=bool)
    kept_mask[bad_positions] = False

    kept_rows = set(row_of[kept_mask].tolist())
    if OTHER_ROW in candidates:
        others = candidates.loc[kept_mask, OTHER_ROW].dropna().astype(np.int64)
        kept_rows |= set(others.tolist())
    quarantine = concat_quarantine(
        [pre_quarantine if pre_quarantine is not None else empty_quarantine(), rejected]
    )
    quarantined_rows = set(quarantine["row"].dropna().astype(int).tolist()) - kept_rows
    unaccounted = sorted(set(range(1, rows_read + 1)) - kept_rows - quarantined_rows)
    if unaccounted:
        quarantine = concat_quarantine(
            [
                quarantine,
                quarantine_records(
                    unaccounted,
                    source=source,
                    file=file,
                    column="",
                    values=None,
                    reason=unaccounted_reason,
                ),
            ]
        )
        quarantined_rows |= set(unaccounted)
    return SourceResult(
        source=source,
        incidents=outcome.valid,
        quarantine=quarantine,
        rows_read=rows_read,
        rows_kept=len(kept_rows),
        rows_quarantined=len(quarantined_rows),
        coverage=coverage or Coverage(),
        files=files or [],
    )


def finish_file(
    candidates: pd.DataFrame,
    *,
    source: str,
    path: Path,
    rows_read: int,
    coverage: Coverage,
    pre_quarantine: pd.DataFrame | None = None,
) -> SourceResult:
    """`finish` for a source read from one file, which is named in quarantine and provenance."""
    return finish(
        candidates,
        source=source,
        file=path.name,
        rows_read=rows_read,
        pre_quarantine=pre_quarantine,
        coverage=coverage,
        files=[SourceFile(path, md5_of(path))],
    )


def numeric_rows(raw: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The named columns as nullable integers (unreadable values NA), plus the 1-based `_row`.

    Codes that do not read as numbers become NA rather than errors, so validation can
    quarantine the row and name the column.
    """
    numeric = raw[list(columns)].apply(pd.to_numeric, errors="coerce").astype("Int64")
    return numeric.assign(**{ROW: np.arange(1, len(raw) + 1)})


def joined_id(prefix: str, *parts: pd.Series) -> pd.Series:
    """An incident id: the source prefix and the codes that make a row unique, joined by '-'."""
    ids = prefix + parts[0].astype("string")
    for part in parts[1:]:
        ids = ids + "-" + part.astype("string")
    return ids


def state_incidents(
    *,
    incident_id: pd.Series,
    source: str,
    start: CodedDate,
    date_end: object,
    initiator: pd.Series,
    target: pd.Series,
    action: pd.Series,
    hostility: pd.Series,
    directed: object,
    fatalities_initiator: object,
    fatalities_target: object,
    dispute_id: pd.Series,
    row: pd.Series,
    notes: object = pd.NA,
    internal: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Candidate incidents between states: canonical columns plus `_row` and the raw date.

    The sources that code only states (MIE, COW MID, ICB) fill ISO3 codes, location and
    target kind the same way, so those rules live here once.
    """
    return pd.DataFrame(
        {
            "incident_id": incident_id,
            "source": source,
            "date": start.when,
            "date_precision": start.precision,
            "date_end": date_end,
            "initiator": initiator,
            "target": target,
            "initiator_iso3": cow_to_iso3(initiator),
            "target_iso3": cow_to_iso3(target),
            "action": action,
            "hostility": hostility,
            "directed": directed,
            "fatalities_initiator": fatalities_initiator,
            "fatalities_target": fatalities_target,
            "dispute_id": dispute_id,
            "location": pd.NA,
            "target_kind": "state",
            "notes": notes,
            DATE_TEXT: start.written,
            ROW: row,
            **(internal or {}),
        }
    )


def combine(results: list[SourceResult], source: str) -> SourceResult:
    """One result from several files of one source (e.g. a folder of hand-coded files)."""
    starts = [r.coverage.start for r in results if r.coverage.start]
    ends = [r.coverage.end for r in results if r.coverage.end]
    incidents = [r.incidents for r in results if len(r.incidents)]
    return SourceResult(
        source=source,
        incidents=pd.concat(incidents, ignore_index=True) if incidents else empty_incidents(),
        quarantine=concat_quarantine(r.quarantine for r in results),
        rows_read=sum(r.rows_read for r in results),
        rows_kept=sum(r.rows_kept for r in results),
        rows_quarantined=sum(r.rows_quarantined for r in results),
        coverage=Coverage(
            min(starts) if starts else None,
            max(ends) if ends else None,
            systematic=all(r.coverage.systematic for r in results),
        ),
        files=[f for r in results for f in r.files],
    )
