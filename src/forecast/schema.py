"""The canonical incident table: columns, types, validation and quarantine.

Every source adapter produces this table (docs/design.md, section "Tables"). Validation never
drops a row silently: `split_valid` returns the rows that pass and, for the rest, one quarantine
record per failed check naming the file, row, column and reason.
"""

from __future__ import annotations

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
    incident_failures,
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
    failures = incident_failures(frame)
    if failures.empty:
        return ValidationOutcome(valid=conform(frame))
    # Values are written as the rule saw them, formatted per rule as a column of their own.
    records = pd.concat(
        [
            pd.DataFrame(
                {
                    "row": rows.to_numpy()[positions],
                    "column": column,
                    "value": frame[column].iloc[positions].astype("string").to_numpy(),
                    "reason": reason,
                    "_position": positions,
                }
            )
            for (column, reason), group in failures.groupby(["column", "reason"], sort=False)
            for positions in [group["position"].to_numpy()]
        ],
        ignore_index=True,
    )
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
