"""The incident contract, in one place, as data: each column's dtype and the rules its values
must pass, the vocabulary (actions, the years an incident may have), and casting to it.

A table is checked where it is written and where it is read (`forecast.core.tables`), so a
stage never trusts a file another stage, an older version or a hand edit left in a different shape.
The incident contract is declared once, column by column (`INCIDENT_CONTRACT`): its dtypes
(`INCIDENT_COLUMNS`, what `conform` casts to) and its pandera schema (`forecast.core.schemas`)
are both read off that declaration. The rules are plain data (`Rule`), so a reader that only
needs the vocabulary or `conform` (a cold forecast) does not import pandera.

Every source adapter casts its rows with `conform` and splits them with
`forecast.core.schemas.split_valid`: validation never drops a row silently, each failed check
becomes one quarantine record naming the file, row, column and reason (docs/design.md, "Tables").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class Rule:
    """One check a value (or a row) must pass, as data: `kind` names a pandera check (`isin`,
    `gt`, `ge`, `in_range`) taking `args`, or is `custom` with the function in `args[0]`;
    `error` is the quarantine reason. `forecast.core.schemas` turns rules into pandera checks,
    so reading the contract does not import pandera."""

    kind: str
    args: tuple[Any, ...]
    error: str


@dataclass(frozen=True)
class _Column:
    """One incident column: its pandas dtype, what a valid value is, and the quarantine reason
    when a row lacks it (`missing`; None where a source may leave it empty).

    Each check's `error` is the reason a rejected row gets in quarantine.csv.
    """

    dtype: str
    checks: tuple[Rule, ...] = ()
    missing: str | None = None
    nullable: bool = False
    unique: bool = False


def _required(dtype: str, reason: str, kind: str | None = None, *args: Any) -> _Column:
    """A column every row must have: missing, or failing the `kind` check on `args`, the row
    is quarantined with the same `reason`."""
    checks = () if kind is None else (Rule(kind, args, reason),)
    return _Column(dtype, checks, missing=reason)


def _plausible_count(counts: pd.Series) -> pd.Series:
    """False where a count is infinite, not a number, or above MAX_FATALITIES."""
    values = pd.to_numeric(counts, errors="coerce").astype("float64").to_numpy()
    return pd.Series(np.isfinite(values) & (values <= MAX_FATALITIES), index=counts.index)


_FATALITIES_CHECKS = (
    Rule("ge", (0,), "negative fatalities"),
    Rule(
        "custom", (_plausible_count,), f"fatalities above {MAX_FATALITIES:,} or not a finite number"
    ),
)
DUPLICATE_ID_REASON = "duplicate incident id (first occurrence kept)"

# The canonical incident table, in contract order (docs/design.md, "Contracts").
INCIDENT_CONTRACT: dict[str, _Column] = {
    "incident_id": _Column("string", missing="missing incident id", unique=True),
    "source": _Column("string"),
    "date": _required("datetime64[ns]", "missing or impossible date"),
    "date_precision": _required(
        "string", "date_precision must be day or month", "isin", DATE_PRECISIONS
    ),
    "date_end": _Column("datetime64[ns]", nullable=True),
    # COW codes are positive; a -9 "missing" code must not reach the table as a country.
    "initiator": _required("int64", "unknown or missing initiator country", "gt", 0),
    "target": _required("int64", "unknown or missing target country", "gt", 0),
    "initiator_iso3": _Column("string", nullable=True),
    "target_iso3": _Column("string", nullable=True),
    "action": _required("string", "unknown action", "isin", sorted(CANONICAL_ACTIONS)),
    "hostility": _required("int64", "hostility missing or outside 1-5", "in_range", 1, 5),
    "directed": _Column("bool"),
    "fatalities_initiator": _Column("Float64", _FATALITIES_CHECKS, nullable=True),
    "fatalities_target": _Column("Float64", _FATALITIES_CHECKS, nullable=True),
    "dispute_id": _Column("string", nullable=True),
    "location": _Column("string", nullable=True),
    "target_kind": _required(
        "string", "target_kind must be state, non_state or unknown", "isin", TARGET_KINDS
    ),
    "notes": _Column("string", nullable=True),
    # A selective source's statement that the answer was looked for: no use of force by the
    # target against the initiator up to this day beyond what the source lists (NA: not stated).
    "outcome_checked_until": _Column("datetime64[ns]", nullable=True),
}

# Checks across columns: (the column a failing row is quarantined under, the check). Missing
# values pass here; the columns' own checks catch them.
INCIDENT_ROW_RULES: tuple[tuple[str, Rule], ...] = (
    (
        "target",
        Rule(
            "custom",
            (lambda df: ~df["initiator"].eq(df["target"]).fillna(False).astype(bool),),
            "initiator equals target",
        ),
    ),
    (
        "date_end",
        Rule(
            "custom",
            (lambda df: ~(df["date_end"] < df["date"]).fillna(False).astype(bool),),
            "date_end before date",
        ),
    ),
    (
        "outcome_checked_until",
        Rule(
            "custom",
            (lambda df: ~(df["outcome_checked_until"] < df["date"]).fillna(False).astype(bool),),
            "outcome_checked_until before date",
        ),
    ),
)

# Column -> pandas dtype of the canonical incident table, in contract order.
INCIDENT_COLUMNS: dict[str, str] = {
    name: column.dtype for name, column in INCIDENT_CONTRACT.items()
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


# Casting to the incident contract and splitting valid rows from quarantine records.
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
