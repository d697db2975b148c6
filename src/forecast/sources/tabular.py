"""Any CSV or Parquet file of coded incidents, read through a small column mapping.

A team's own coding, or a UCDP- or ACLED-style export, names its columns its own way and writes
countries as names, ISO3 or COW codes. The mapping (a YAML file or `name=column` pairs from the
command line) says which file column holds each canonical field, with constants for the rest.
Values that cannot be parsed (an unknown country, a date that is no date, a non-number) are
quarantined with the value as written, so a user sees exactly what to fix.

Mapping file (every key but `columns` optional):

    source: my_team            # written to the `source` column (default: csv)
    id_prefix: team            # incident ids become "<prefix>-<id or row>" (default: csv)
    columns: {date: event_date, initiator: actor1, target: actor2, action: event_type, ...}
    notes_columns: [notes, reported_by]   # joined into `notes` as "column: value" parts
    defaults: {hostility: 4, target_kind: state}
    actions: {airstrike: attack, shelling: attack}   # file value -> canonical action
    coverage: {start: 2019-01-01, end: 2024-12-31}   # what the coding covers, for censoring
    # add `systematic: false` to coverage when the file codes selected events, not every one
    # in its span: its silences then never count as "no event" (forecast.record)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from forecast.countries import cow_to_iso3, resolve_countries
from forecast.errors import DataFileError, ForecastError
from forecast.schema import ACTIONS_BY_MID_CODE, INCIDENT_COLUMNS, UNDIRECTED_ACTIONS
from forecast.sources.base import (
    ROW,
    SourceFile,
    SourceResult,
    finish,
    md5_of,
    quarantine_records,
    read_table_file,
)

# Hostility implied by an action when a file gives none (the MID scale, as MIE codes it).
HOSTILITY_BY_ACTION: dict[str, int] = {
    name: (1 if code == 0 else 2 if code <= 6 else 3 if code <= 12 else 5 if code >= 20 else 4)
    for code, name in ACTIONS_BY_MID_CODE.items()
} | {"strike": 4}
MAPPABLE = tuple(
    c for c in INCIDENT_COLUMNS if c not in {"source", "initiator_iso3", "target_iso3"}
)
REQUIRED = ("date", "initiator", "target")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_MONTH_ONLY = re.compile(r"^\d{4}-\d{1,2}$")


@dataclass(frozen=True)
class ColumnMapping:
    """How one file's columns become canonical incident fields."""

    columns: dict[str, str]
    source: str = "csv"
    id_prefix: str = "csv"
    notes_columns: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    coverage_start: date | None = None
    coverage_end: date | None = None
    # Whether the file codes every use of force in its coverage or only selected ones.
    systematic: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(MAPPABLE)) + sorted(
            set(self.defaults) - set(MAPPABLE)
        )
        if unknown:
            raise ForecastError(
                f"column mapping names unknown field(s) {', '.join(unknown)}; "
                f"mappable fields: {', '.join(MAPPABLE)}"
            )
        missing = [f for f in REQUIRED if f not in self.columns]
        if missing:
            raise ForecastError(
                f"column mapping lacks {', '.join(missing)}: map them to file columns, "
                "e.g. date=event_date initiator=actor1 target=actor2"
            )
        if "action" not in self.columns and "action" not in self.defaults:
            raise ForecastError("column mapping needs an action column or a default action")

    @property
    def file_columns(self) -> list[str]:
        """The file columns the mapping reads, in a stable order."""
        return list(dict.fromkeys([*self.columns.values(), *self.notes_columns]))


def load_mapping(path: Path) -> ColumnMapping:
    """Read a YAML column mapping, with errors that name the file."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "column mapping file not found")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise DataFileError(path, f"not valid YAML ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        raise DataFileError(path, "needs a `columns:` section mapping fields to file columns")
    coverage = raw.get("coverage") or {}
    try:
        return ColumnMapping(
            columns={str(k): str(v) for k, v in raw["columns"].items()},
            source=str(raw.get("source", "csv")),
            id_prefix=str(raw.get("id_prefix", raw.get("source", "csv"))),
            notes_columns=tuple(str(c) for c in raw.get("notes_columns", [])),
            defaults=dict(raw.get("defaults") or {}),
            actions={str(k).strip().lower(): str(v) for k, v in (raw.get("actions") or {}).items()},
            coverage_start=_as_date(coverage.get("start"), path),
            coverage_end=_as_date(coverage.get("end"), path),
            systematic=_as_bool(coverage.get("systematic", True), path),
        )
    except ForecastError as exc:
        raise DataFileError(path, str(exc)) from exc


def mapping_from_pairs(pairs: Iterable[str], **options: object) -> ColumnMapping:
    """A mapping from command-line `field=column` pairs (constants as `field:=value`)."""
    columns: dict[str, str] = {}
    defaults: dict[str, object] = {}
    for pair in pairs:
        if ":=" in pair:
            name, value = pair.split(":=", 1)
            defaults[name.strip()] = value.strip()
        elif "=" in pair:
            name, column = pair.split("=", 1)
            columns[name.strip()] = column.strip()
        else:
            raise ForecastError(f"column mapping {pair!r}: write field=column or field:=constant")
    return ColumnMapping(columns=columns, defaults=defaults, **options)  # type: ignore[arg-type]


def read_tabular(path: Path, mapping: ColumnMapping) -> SourceResult:
    """Read a CSV or Parquet file of incidents; every row is kept or quarantined."""
    path = Path(path)
    raw = read_table_file(
        path, mapping.file_columns, dtype=str, keep_default_na=False, na_values=[""]
    )
    text = raw[mapping.file_columns].astype("string").apply(lambda c: c.str.strip())
    candidates, problems = _to_candidates(text, mapping, file=path.name)
    result = finish(
        candidates,
        source=mapping.source,
        file=path.name,
        rows_read=len(raw),
        pre_quarantine=problems,
        coverage=(mapping.coverage_start, mapping.coverage_end),
        files=[SourceFile(path, md5_of(path))],
    )
    result.systematic = mapping.systematic
    # Users fix their own file, so quarantine names its columns, not the canonical fields.
    result.quarantine["column"] = result.quarantine["column"].replace(mapping.columns)
    return result


def _to_candidates(
    text: pd.DataFrame, mapping: ColumnMapping, *, file: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse mapped text columns; rows with unparsable values go to the returned quarantine."""
    rows = pd.Series(np.arange(1, len(text) + 1), index=text.index)

    def column(name: str) -> pd.Series:
        if name in mapping.columns:
            return text[mapping.columns[name]]
        default = mapping.defaults.get(name)
        return pd.Series(pd.NA if default is None else str(default), index=text.index).astype(
            "string"
        )

    def where(name: str) -> str:
        return mapping.columns.get(name, name)

    failures: list[tuple[pd.Series, str, pd.Series, str]] = []

    def fail(mask: pd.Series, name: str, raw: pd.Series, reason: str) -> None:
        failures.append((mask.fillna(False).astype(bool), where(name), raw, reason))

    initiator_raw, target_raw = column("initiator"), column("target")
    initiator, target = resolve_countries(initiator_raw), resolve_countries(target_raw)
    country_hint = "unknown country: give a COW code (630), an ISO3 code (IRN) or a name (Iran)"
    fail(initiator.isna(), "initiator", initiator_raw, country_hint)
    fail(target.isna(), "target", target_raw, country_hint)

    date_raw = column("date")
    when, inferred_precision = _parse_dates(date_raw)
    fail(
        when.isna(),
        "date",
        date_raw,
        "not a date: write YYYY-MM-DD (or YYYY-MM if the day is unknown)",
    )
    end_raw = column("date_end")
    end, _ = _parse_dates(end_raw)
    fail(end.isna() & end_raw.notna(), "date_end", end_raw, "not a date: write YYYY-MM-DD")
    precision = column("date_precision").str.lower().fillna(inferred_precision)

    action_raw = column("action")
    action = _canonical_actions(action_raw, mapping.actions)

    hostility_raw = column("hostility")
    hostility = pd.to_numeric(hostility_raw, errors="coerce")
    whole = hostility.notna() & (hostility == hostility.round())
    fail(
        hostility_raw.notna() & ~whole,
        "hostility",
        hostility_raw,
        "hostility is not a whole number 1-5",
    )
    hostility = hostility.where(whole).astype("Int64")
    hostility = hostility.fillna(action.map(HOSTILITY_BY_ACTION).astype("Int64"))

    directed_raw = column("directed")
    lowered = directed_raw.str.lower()
    directed = pd.Series(
        np.where(lowered.isin(_TRUE), True, np.where(lowered.isin(_FALSE), False, pd.NA)),
        index=text.index,
        dtype="boolean",
    )
    fail(
        directed_raw.notna() & directed.isna(),
        "directed",
        directed_raw,
        "directed must be true or false",
    )
    directed = directed.fillna(~action.isin(sorted(UNDIRECTED_ACTIONS)).fillna(False))

    fatalities = {}
    for name in ("fatalities_initiator", "fatalities_target"):
        raw = column(name)
        number = pd.to_numeric(raw, errors="coerce")
        fail(raw.notna() & number.isna(), name, raw, "fatalities must be a number or empty")
        fatalities[name] = number.astype("Float64")

    ids = column("incident_id")
    fail(
        ids.isna() & pd.Series("incident_id" in mapping.columns, index=text.index),
        "incident_id",
        ids,
        "missing incident id",
    )
    default_ids = mapping.id_prefix + "-row-" + rows.astype("string")
    incident_id = (mapping.id_prefix + "-" + ids).fillna(default_ids)

    candidates = pd.DataFrame(
        {
            "incident_id": incident_id,
            "source": mapping.source,
            "date": when,
            "date_precision": precision,
            "date_end": end,
            "initiator": initiator,
            "target": target,
            "action": action,
            "hostility": hostility,
            "directed": directed,
            "fatalities_initiator": fatalities["fatalities_initiator"],
            "fatalities_target": fatalities["fatalities_target"],
            "dispute_id": column("dispute_id"),
            "location": column("location"),
            "target_kind": column("target_kind").str.lower().fillna("state"),
            "notes": _notes(text, mapping.notes_columns, column("notes")),
            ROW: rows,
        }
    )
    candidates = _lower_code_first_when_undirected(candidates)
    candidates["initiator_iso3"] = cow_to_iso3(candidates["initiator"])
    candidates["target_iso3"] = cow_to_iso3(candidates["target"])

    rejected = np.zeros(len(text), dtype=bool)
    records = []
    for mask, column_name, raw, reason in failures:
        if mask.any():
            rejected |= mask.to_numpy()
            records.append(
                quarantine_records(
                    rows[mask],
                    source=mapping.source,
                    file=file,
                    column=column_name,
                    values=raw[mask].astype("string").to_numpy(),
                    reason=reason,
                )
            )
    problems = pd.concat(records, ignore_index=True) if records else None
    return candidates[~rejected], problems  # type: ignore[return-value]


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates written YYYY-MM-DD (day precision) or YYYY-MM (month precision); NaT otherwise."""
    month_only = raw.str.fullmatch(_MONTH_ONLY.pattern).fillna(False)
    by_day = pd.to_datetime(raw.where(~month_only), format="%Y-%m-%d", errors="coerce")
    by_month = pd.to_datetime(raw.where(month_only), format="%Y-%m", errors="coerce")
    when = by_day.fillna(by_month).astype("datetime64[ns]")
    precision = pd.Series(np.where(month_only, "month", "day"), index=raw.index, dtype="string")
    return when, precision


def _canonical_actions(raw: pd.Series, translations: dict[str, str]) -> pd.Series:
    """Lower-case action names, translated by the mapping; MID action codes are accepted too."""
    lowered = _action_key(raw)
    by_code = {str(code): name for code, name in ACTIONS_BY_MID_CODE.items()}
    by_key = {_action_key(pd.Series([k])).iloc[0]: v for k, v in translations.items()}
    translated = lowered.map(by_key | by_code).astype("string")
    return translated.fillna(lowered)


def _action_key(raw: pd.Series) -> pd.Series:
    """Action text compared without case or the difference between spaces and underscores."""
    return raw.astype("string").str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)


def _lower_code_first_when_undirected(candidates: pd.DataFrame) -> pd.DataFrame:
    """Undirected rows name the lower COW code as initiator, as MIE does (architecture.md)."""
    flip = (~candidates["directed"] & (candidates["initiator"] > candidates["target"])).fillna(
        False
    )
    if not flip.any():
        return candidates
    swapped = candidates.copy()
    pairs = [("initiator", "target"), ("fatalities_initiator", "fatalities_target")]
    for left, right in pairs:
        swapped.loc[flip, left] = candidates.loc[flip, right]
        swapped.loc[flip, right] = candidates.loc[flip, left]
    return swapped


def _notes(text: pd.DataFrame, columns: tuple[str, ...], base: pd.Series) -> pd.Series:
    """Join the notes columns as 'column: value' parts, skipping empty cells."""
    if not columns:
        return base
    parts = [(name + ": " + text[name]).fillna("") for name in columns]
    joined = parts[0].str.cat(parts[1:], sep="; ") if len(parts) > 1 else parts[0]
    joined = joined.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")
    return joined.where(joined.str.len() > 0).astype("string")


def _as_bool(value: object, path: Path) -> bool:
    if isinstance(value, bool):
        return value
    raise DataFileError(path, f"coverage systematic {value!r} is not true or false")


def _as_date(value: object, path: Path) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(path, f"coverage date {value!r} is not YYYY-MM-DD") from exc
