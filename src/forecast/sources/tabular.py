"""Any CSV or Parquet file of coded incidents, read through a small column mapping.

A team's own coding, or a UCDP- or ACLED-style export, names its columns its own way and writes
countries as names, ISO3 or COW codes. The mapping (forecast.sources.mapping: a YAML file or
`name=column` pairs from the command line) says which file column holds each canonical field,
with constants for the rest. Values that cannot be parsed (an unknown country, a date that is no
date, a non-number) are quarantined with the value as written, so a user sees exactly what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.core.contracts import (
    ACTIONS_BY_MID_CODE,
    DATE_RANGE_TEXT,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_FATALITIES,
    UNDIRECTED_ACTIONS,
)
from forecast.core.countries import cow_to_iso3, resolve_countries
from forecast.sources.base import (
    ACTION_CODE,
    ROW,
    SourceFile,
    SourceResult,
    finish,
    md5_of,
    quarantine_records,
    read_table_file,
)
from forecast.sources.mapping import ColumnMapping, load_mapping, mapping_from_pairs

__all__ = ["ColumnMapping", "load_mapping", "mapping_from_pairs", "read_tabular"]

# Hostility implied by an action when a file gives none (the MID scale, as MIE codes it).
HOSTILITY_BY_ACTION: dict[str, int] = {
    name: (1 if code == 0 else 2 if code <= 6 else 3 if code <= 12 else 5 if code >= 20 else 4)
    for code, name in ACTIONS_BY_MID_CODE.items()
} | {"strike": 4}
# Optional whole-day columns: the end of a multi-day incident, and the day up to which a
# selective source looked for an answer (docs/data-sources.md).
_OPTIONAL_DAYS = ("date_end", "outcome_checked_until")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_MONTH_ONLY = re.compile(r"^\d{4}-\d{1,2}$")


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
        coverage=mapping.read_coverage,
        files=[SourceFile(path, md5_of(path))],
    )
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
    when, inferred_precision, outside = _parse_dates(date_raw)
    fail(outside, "date", date_raw, f"date outside {DATE_RANGE_TEXT}")
    fail(
        when.isna() & ~outside,
        "date",
        date_raw,
        "not a date: write YYYY-MM-DD (or YYYY-MM if the day is unknown)",
    )
    end, checked = (_optional_day(name, column(name), fail) for name in _OPTIONAL_DAYS)
    precision = column("date_precision").str.lower().fillna(inferred_precision)
    coverage = mapping.read_coverage
    if coverage.systematic and coverage.start and coverage.end:
        fail(
            _outside(when, precision, coverage.start, coverage.end),
            "date",
            date_raw,
            f"outside the coverage declared for this file ({coverage.start} to {coverage.end})",
        )

    action_raw = column("action")
    action = _canonical_actions(action_raw, mapping.actions)

    hostility_raw = column("hostility")
    hostility = pd.to_numeric(hostility_raw, errors="coerce")
    # Range and wholeness are checked on the number as read, so quarantine shows the text the
    # user wrote ("-5", a 23-digit number) rather than what a cast made of it.
    whole = hostility.notna() & (hostility == hostility.round()) & hostility.between(1, 5)
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
        number = pd.to_numeric(raw, errors="coerce").astype("float64")
        plausible = np.isfinite(number) & number.between(0, MAX_FATALITIES)
        fail(
            raw.notna() & ~plausible,
            name,
            raw,
            f"fatalities must be a number from 0 to {MAX_FATALITIES:,} or empty",
        )
        fatalities[name] = number.where(plausible).astype("Float64")

    ids = column("incident_id")
    fail(
        ids.isna() & pd.Series("incident_id" in mapping.columns, index=text.index),
        "incident_id",
        ids,
        "missing incident id",
    )
    if "incident_id" not in mapping.columns:
        first = _first_copy(text, rows)
        fail(
            first.notna(),
            "",
            "same as row " + first.astype("string"),
            "exact duplicate of an earlier row without an id (the first is kept)",
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
            "outcome_checked_until": checked,
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
            # An unknown action is quarantined as written, not as lower-cased for matching.
            ACTION_CODE: action_raw,
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


def _optional_day(
    name: str, raw: pd.Series, fail: Callable[[pd.Series, str, pd.Series, str], None]
) -> pd.Series:
    """An optional YYYY-MM-DD column as dates; a text that is not one is a failure."""
    when, _, outside = _parse_dates(raw)
    fail(outside, name, raw, f"date outside {DATE_RANGE_TEXT}")
    fail(when.isna() & raw.notna() & ~outside, name, raw, "not a date: write YYYY-MM-DD")
    return when


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates written YYYY-MM-DD (day precision) or YYYY-MM (month precision); NaT otherwise.

    Also returns where a date-shaped text has a year outside FIRST_YEAR-LAST_YEAR: such a
    year is a typo, and parsing it would overflow a nanosecond timestamp.
    """
    raw = raw.astype("string")
    year = pd.to_numeric(raw.str.extract(r"^(\d{4})-\d{1,2}", expand=False), errors="coerce")
    outside = (year.notna() & ~year.between(FIRST_YEAR, LAST_YEAR)).fillna(False).astype(bool)
    raw = raw.where(~outside)
    month_only = raw.str.fullmatch(_MONTH_ONLY.pattern).fillna(False).astype(bool)
    by_day = pd.to_datetime(raw.where(~month_only), format="%Y-%m-%d", errors="coerce")
    by_month = pd.to_datetime(raw.where(month_only), format="%Y-%m", errors="coerce")
    when = by_day.fillna(by_month).astype("datetime64[ns]")
    precision = pd.Series(np.where(month_only, "month", "day"), index=raw.index, dtype="string")
    return when, precision, outside


def _outside(when: pd.Series, precision: pd.Series, start: date, end: date) -> pd.Series:
    """Dates that fall wholly outside start-end: a month-dated row counts while any day of its
    month is inside."""
    last_day = when.where(precision != "month", when + pd.offsets.MonthEnd(0))
    return (last_day < pd.Timestamp(start)) | (when > pd.Timestamp(end))


def _first_copy(text: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """For a row identical in every mapped column to an earlier one, that earlier row; else NA."""
    key = pd.util.hash_pandas_object(text.fillna("\x00"), index=False)
    first = rows.groupby(key.to_numpy()).transform("min")
    return first.where(key.duplicated(keep="first")).astype("Int64")


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
