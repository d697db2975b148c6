"""The canonical incident table: columns, types, validation and quarantine.

Every source adapter produces this table (design.md, "Contracts"). Validation never drops a row
silently: `split_valid` returns the rows that pass and, for the rest, one quarantine record per
failed check naming the file, row, column and reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.tables import (  # noqa: F401  (the incident contract, re-exported)
    ACTIONS_BY_MID_CODE,
    CANONICAL_ACTIONS,
    DATE_PRECISIONS,
    DATE_RANGE_TEXT,
    FIRST_YEAR,
    FORCE_ATTRIBUTES,
    INCIDENT_COLUMNS,
    INCIDENT_SCHEMA,
    LAST_YEAR,
    MAX_FATALITIES,
    QUARANTINE_COLUMNS,
    TARGET_KINDS,
    UNDIRECTED_ACTIONS,
    USE_OF_FORCE_MIN_HOSTILITY,
)


def empty_incidents() -> pd.DataFrame:
    """A zero-row incident table with the canonical columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in INCIDENT_COLUMNS.items()})


def empty_quarantine() -> pd.DataFrame:
    """A zero-row quarantine table."""
    return pd.DataFrame({name: pd.Series(dtype="string") for name in QUARANTINE_COLUMNS}).astype(
        {"row": "Int64"}
    )


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Order the canonical columns and cast them to their contract dtypes (missing ones as NA)."""
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    for name, dtype in INCIDENT_COLUMNS.items():
        column = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index)
        if dtype.startswith("datetime"):
            out[name] = pd.to_datetime(column).astype(dtype)
        else:
            out[name] = column.astype(dtype)
    return out


@dataclass
class ValidationOutcome:
    """Rows that passed, and one quarantine record per (row, failed rule)."""

    valid: pd.DataFrame
    quarantine: pd.DataFrame = field(default_factory=empty_quarantine)

    @property
    def n_quarantined_rows(self) -> int:
        return int(self.quarantine["row"].nunique()) if len(self.quarantine) else 0


# (column, reason, predicate that is True where the row FAILS) over a conformed frame.
_ROW_RULES: tuple[tuple[str, str, Callable[[pd.DataFrame], pd.Series]], ...] = (
    ("incident_id", "missing incident id", lambda f: f["incident_id"].isna()),
    ("date", "missing or impossible date", lambda f: f["date"].isna()),
    # COW codes are positive; a -9 "missing" code must not reach the table as a country.
    (
        "initiator",
        "unknown or missing initiator country",
        lambda f: ~f["initiator"].gt(0).fillna(False),
    ),
    ("target", "unknown or missing target country", lambda f: ~f["target"].gt(0).fillna(False)),
    ("target", "initiator equals target", lambda f: f["initiator"].eq(f["target"]).fillna(False)),
    (
        "hostility",
        "hostility missing or outside 1-5",
        lambda f: ~f["hostility"].between(1, 5).fillna(False),
    ),
    (
        "action",
        "unknown action",
        lambda f: ~f["action"].isin(sorted(CANONICAL_ACTIONS)).fillna(False),
    ),
    (
        "date_precision",
        "date_precision must be day or month",
        lambda f: ~f["date_precision"].isin(DATE_PRECISIONS).fillna(False),
    ),
    (
        "target_kind",
        "target_kind must be state, non_state or unknown",
        lambda f: ~f["target_kind"].isin(TARGET_KINDS).fillna(False),
    ),
    ("date_end", "date_end before date", lambda f: (f["date_end"] < f["date"]).fillna(False)),
    (
        "outcome_checked_until",
        "outcome_checked_until before date",
        lambda f: (f["outcome_checked_until"] < f["date"]).fillna(False),
    ),
    (
        "fatalities_initiator",
        "negative fatalities",
        lambda f: (f["fatalities_initiator"] < 0).fillna(False),
    ),
    (
        "fatalities_target",
        "negative fatalities",
        lambda f: (f["fatalities_target"] < 0).fillna(False),
    ),
    (
        "fatalities_initiator",
        f"fatalities above {MAX_FATALITIES:,} or not a finite number",
        lambda f: _implausible_count(f["fatalities_initiator"]),
    ),
    (
        "fatalities_target",
        f"fatalities above {MAX_FATALITIES:,} or not a finite number",
        lambda f: _implausible_count(f["fatalities_target"]),
    ),
    (
        "incident_id",
        "duplicate incident id (first occurrence kept)",
        lambda f: f["incident_id"].duplicated(keep="first") & f["incident_id"].notna(),
    ),
)


def _implausible_count(counts: pd.Series) -> pd.Series:
    """True where a count is given but infinite, not a number, or above MAX_FATALITIES."""
    values = pd.to_numeric(counts, errors="coerce").astype("float64")
    given = counts.notna().to_numpy(dtype=bool)
    bad = given & ~(np.isfinite(values.to_numpy()) & (values.to_numpy() <= MAX_FATALITIES))
    return pd.Series(bad, index=counts.index)


def split_valid(
    frame: pd.DataFrame, *, source: str, file: str, row_numbers: pd.Series | None = None
) -> ValidationOutcome:
    """Split a canonical-shaped table into valid rows and quarantine records.

    `frame` may hold nullable versions of the contract columns (e.g. `initiator` as Int64 with NA
    where a country was unknown); valid rows are cast to the contract dtypes. `row_numbers` maps
    the frame's index to the row number in the source file (1-based, header excluded, so row 1 is
    the first data line); by default the index itself is used.
    """
    frame = _with_all_columns(frame.reset_index(drop=True))
    rows = (
        pd.Series(row_numbers).reset_index(drop=True)
        if row_numbers is not None
        else pd.Series(frame.index)
    )
    failures = []
    for column, reason, fails in _ROW_RULES:
        mask = fails(frame).to_numpy(dtype=bool)
        if mask.any():
            failures.append(
                pd.DataFrame(
                    {
                        "row": rows[mask].to_numpy(),
                        "column": column,
                        "value": frame.loc[mask, column].astype("string").to_numpy(),
                        "reason": reason,
                        "_position": np.flatnonzero(mask),
                    }
                )
            )
    if not failures:
        return ValidationOutcome(valid=conform(frame))
    records = pd.concat(failures, ignore_index=True)
    bad = np.zeros(len(frame), dtype=bool)
    bad[records["_position"].to_numpy()] = True
    records = (
        records.drop(columns="_position")
        .assign(source=source, file=file)
        .sort_values(["row", "column"], kind="stable")[QUARANTINE_COLUMNS]
        .reset_index(drop=True)
        .astype(
            {
                "row": "Int64",
                "source": "string",
                "file": "string",
                "column": "string",
                "reason": "string",
            }
        )
    )
    return ValidationOutcome(valid=conform(frame[~bad]), quarantine=records)


def _with_all_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add any missing contract column as all-NA so the rules can read every column."""
    missing = {name: pd.NA for name in INCIDENT_COLUMNS if name not in frame}
    for name in ("date_end", "outcome_checked_until"):
        if name in missing:
            missing[name] = pd.NaT
    return frame.assign(**missing) if missing else frame


def validate_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a finished table against the contract (raises pandera's SchemaErrors if broken)."""
    return INCIDENT_SCHEMA.validate(frame, lazy=True)
