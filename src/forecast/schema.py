"""The canonical incident table: columns, types, validation and quarantine.

Every source adapter produces this table (docs/design.md, section "Tables"). Validation never
drops a row silently: `split_valid` returns the rows that pass and, for the rest, one quarantine
record per failed check naming the file, row, column and reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

ACTIONS_BY_MID_CODE: dict[int, str] = {
    0: "no_militarized_action",
    1: "threat_to_use_force",
    2: "threat_to_blockade",
    3: "threat_to_occupy_territory",
    4: "threat_to_declare_war",
    5: "threat_to_use_cbr_weapons",
    6: "threat_to_join_war",
    7: "show_of_force",
    8: "alert",
    9: "nuclear_alert",
    10: "mobilization",
    11: "fortify_border",
    12: "border_violation",
    13: "blockade",
    14: "occupation_of_territory",
    15: "seizure",
    16: "attack",
    17: "clash",
    18: "declaration_of_war",
    19: "use_of_cbr_weapons",
    20: "begin_interstate_war",
    21: "join_interstate_war",
    22: "war_battle",
}
CANONICAL_ACTIONS: frozenset[str] = frozenset(ACTIONS_BY_MID_CODE.values()) | {"strike", "other"}
# Actions with no direction in the data: force by both sides (docs/design.md, section
# "Definitions").
UNDIRECTED_ACTIONS: frozenset[str] = frozenset({"clash", "war_battle"})
USE_OF_FORCE_MIN_HOSTILITY = 4

DATE_PRECISIONS = ("day", "month")
# Dates outside these years are typos (1024 for 2024, 0001, 9999), not events; they also lie
# outside what a nanosecond timestamp can hold, so they are refused before any date arithmetic.
FIRST_YEAR, LAST_YEAR = 1800, 2100
DATE_RANGE_TEXT = f"{FIRST_YEAR}-{LAST_YEAR}"
# Deaths on one side of one incident: above the largest single coded event (650,000 in MIE 1.0),
# below any typo with extra digits; infinite and not-a-number counts are refused too.
MAX_FATALITIES = 1_000_000
TARGET_KINDS = ("state", "non_state", "unknown")

# Column -> pandas dtype of the canonical incident table, in contract order.
INCIDENT_COLUMNS: dict[str, str] = {
    "incident_id": "string",
    "source": "string",
    "date": "datetime64[ns]",
    "date_precision": "string",
    "date_end": "datetime64[ns]",
    "initiator": "int64",
    "target": "int64",
    "initiator_iso3": "string",
    "target_iso3": "string",
    "action": "string",
    "hostility": "int64",
    "directed": "bool",
    "fatalities_initiator": "Float64",
    "fatalities_target": "Float64",
    "dispute_id": "string",
    "location": "string",
    "target_kind": "string",
    "notes": "string",
    # A selective source's statement that the answer was looked for: no use of force by the
    # target against the initiator up to this day beyond what the source lists (NA: not stated).
    "outcome_checked_until": "datetime64[ns]",
}
# Who used force on whom and how, as coded at the time: the incident's own attributes, which a
# feature may use for its trigger and which a dyad's history shows for every incident.
FORCE_ATTRIBUTES = (
    "initiator",
    "target",
    "action",
    "hostility",
    "directed",
    "fatalities_initiator",
    "fatalities_target",
)

QUARANTINE_COLUMNS = ["source", "file", "row", "column", "value", "reason"]

INCIDENT_SCHEMA = pa.DataFrameSchema(
    {
        "incident_id": pa.Column("string", unique=True),
        "source": pa.Column("string"),
        "date": pa.Column("datetime64[ns]"),
        "date_precision": pa.Column("string", pa.Check.isin(DATE_PRECISIONS)),
        "date_end": pa.Column("datetime64[ns]", nullable=True),
        "initiator": pa.Column("int64", pa.Check.gt(0)),
        "target": pa.Column("int64", pa.Check.gt(0)),
        "initiator_iso3": pa.Column("string", nullable=True),
        "target_iso3": pa.Column("string", nullable=True),
        "action": pa.Column("string", pa.Check.isin(sorted(CANONICAL_ACTIONS))),
        "hostility": pa.Column("int64", pa.Check.in_range(1, 5)),
        "directed": pa.Column("bool"),
        "fatalities_initiator": pa.Column("Float64", pa.Check.ge(0), nullable=True),
        "fatalities_target": pa.Column("Float64", pa.Check.ge(0), nullable=True),
        "dispute_id": pa.Column("string", nullable=True),
        "location": pa.Column("string", nullable=True),
        "target_kind": pa.Column("string", pa.Check.isin(TARGET_KINDS)),
        "notes": pa.Column("string", nullable=True),
        "outcome_checked_until": pa.Column("datetime64[ns]", nullable=True),
    },
    checks=[
        pa.Check(
            lambda df: df["initiator"] != df["target"],
            error="initiator equals target",
        ),
        pa.Check(
            lambda df: df["date_end"].isna() | (df["date_end"] >= df["date"]),
            error="date_end before date",
        ),
        pa.Check(
            lambda df: (
                df["outcome_checked_until"].isna() | (df["outcome_checked_until"] >= df["date"])
            ),
            error="outcome_checked_until before date",
        ),
    ],
    strict=True,
    ordered=True,
    name="incidents",
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
