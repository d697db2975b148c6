"""Every pipeline table's contract, in one place: a pandera schema per table, and the casting
and splitting that hold incidents to theirs.

A table is checked where it is written and where it is read (`forecast.core.tables`), so a
stage never trusts a file another stage, an older version or a hand edit left in a different shape.
The incident contract is declared once, column by column (`_INCIDENT_CONTRACT`): its dtypes
(`INCIDENT_COLUMNS`, what `conform` casts to) and its pandera schema are both
read off that declaration. The other tables state what their readers rely on: the key columns
and their dtypes, and, for features, that every column but the id is a finite float.
Every check is vectorised, so validation stays a small part of a stage on 10^7 rows.

Every source adapter casts its rows with `conform` and splits them with `split_valid`: validation
never drops a row silently, each failed check becomes one quarantine record naming the file,
row, column and reason (docs/design.md, "Tables").
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd


def _pandera_pandas() -> ModuleType:
    """pandera's pandas API, imported without its probe of pyspark.pandas.

    On import pandera tries `import pyspark.pandas` whenever pyspark is installed (the `spark`
    extra) to prepare a Spark backend this project does not use: a fifth of a second and a
    pandas 3 warning on every command that reads a table, `forecast predict` included. The
    module is marked absent for the length of that one import, so the probe fails as it does
    without pyspark; pyspark itself is not loaded, and importing pyspark.pandas later works.
    """
    probe = "pyspark.pandas"
    blocked = probe not in sys.modules
    if blocked:
        sys.modules[probe] = None  # type: ignore[assignment]
    try:
        import pandera.pandas
    finally:
        if blocked and sys.modules.get(probe, 0) is None:
            del sys.modules[probe]
    return pandera.pandas


pa = _pandera_pandas()

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
class _Column:
    """One incident column: its pandas dtype, what a valid value is, and the quarantine reason
    when a row lacks it (`missing`; None where a source may leave it empty).

    Each check's `error` is the reason a rejected row gets in quarantine.csv.
    """

    dtype: str
    checks: tuple[pa.Check, ...] = ()
    missing: str | None = None
    nullable: bool = False
    unique: bool = False


def _required(
    dtype: str, reason: str, check: Callable[..., pa.Check] | None = None, *args: Any
) -> _Column:
    """A column every row must have: missing, or failing `check(*args)`, the row is
    quarantined with the same `reason`."""
    checks = () if check is None else (check(*args, error=reason),)
    return _Column(dtype, checks, missing=reason)


def _plausible_count(counts: pd.Series) -> pd.Series:
    """False where a count is infinite, not a number, or above MAX_FATALITIES."""
    values = pd.to_numeric(counts, errors="coerce").astype("float64").to_numpy()
    return pd.Series(np.isfinite(values) & (values <= MAX_FATALITIES), index=counts.index)


_FATALITIES_CHECKS = (
    pa.Check.ge(0, error="negative fatalities"),
    pa.Check(_plausible_count, error=f"fatalities above {MAX_FATALITIES:,} or not a finite number"),
)
DUPLICATE_ID_REASON = "duplicate incident id (first occurrence kept)"

# The canonical incident table, in contract order (docs/design.md, "Contracts").
_INCIDENT_CONTRACT: dict[str, _Column] = {
    "incident_id": _Column("string", missing="missing incident id", unique=True),
    "source": _Column("string"),
    "date": _required("datetime64[ns]", "missing or impossible date"),
    "date_precision": _required(
        "string", "date_precision must be day or month", pa.Check.isin, DATE_PRECISIONS
    ),
    "date_end": _Column("datetime64[ns]", nullable=True),
    # COW codes are positive; a -9 "missing" code must not reach the table as a country.
    "initiator": _required("int64", "unknown or missing initiator country", pa.Check.gt, 0),
    "target": _required("int64", "unknown or missing target country", pa.Check.gt, 0),
    "initiator_iso3": _Column("string", nullable=True),
    "target_iso3": _Column("string", nullable=True),
    "action": _required("string", "unknown action", pa.Check.isin, sorted(CANONICAL_ACTIONS)),
    "hostility": _required("int64", "hostility missing or outside 1-5", pa.Check.in_range, 1, 5),
    "directed": _Column("bool"),
    "fatalities_initiator": _Column("Float64", _FATALITIES_CHECKS, nullable=True),
    "fatalities_target": _Column("Float64", _FATALITIES_CHECKS, nullable=True),
    "dispute_id": _Column("string", nullable=True),
    "location": _Column("string", nullable=True),
    "target_kind": _required(
        "string", "target_kind must be state, non_state or unknown", pa.Check.isin, TARGET_KINDS
    ),
    "notes": _Column("string", nullable=True),
    # A selective source's statement that the answer was looked for: no use of force by the
    # target against the initiator up to this day beyond what the source lists (NA: not stated).
    "outcome_checked_until": _Column("datetime64[ns]", nullable=True),
}

# Checks across columns: (the column a failing row is quarantined under, the check). Missing
# values pass here; the columns' own checks catch them.
_INCIDENT_ROW_CHECKS: tuple[tuple[str, pa.Check], ...] = (
    (
        "target",
        pa.Check(
            lambda df: ~df["initiator"].eq(df["target"]).fillna(False).astype(bool),
            error="initiator equals target",
        ),
    ),
    (
        "date_end",
        pa.Check(
            lambda df: ~(df["date_end"] < df["date"]).fillna(False).astype(bool),
            error="date_end before date",
        ),
    ),
    (
        "outcome_checked_until",
        pa.Check(
            lambda df: ~(df["outcome_checked_until"] < df["date"]).fillna(False).astype(bool),
            error="outcome_checked_until before date",
        ),
    ),
)

# Column -> pandas dtype of the canonical incident table, in contract order.
INCIDENT_COLUMNS: dict[str, str] = {
    name: column.dtype for name, column in _INCIDENT_CONTRACT.items()
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
        name: pa.Column(
            column.dtype, list(column.checks), nullable=column.nullable, unique=column.unique
        )
        for name, column in _INCIDENT_CONTRACT.items()
    },
    checks=[check for _, check in _INCIDENT_ROW_CHECKS],
    strict=True,
    ordered=True,
    name="incidents",
)

# A repeated value, reported from its second occurrence on (pandera's own uniqueness check
# counts distinct values first, several times slower on text).
_FIRST_OCCURRENCE = pa.Check(lambda s: ~s.duplicated(keep="first"), error=DUPLICATE_ID_REASON)

# The same contract row by row, for tables a source has just read: no dtype (columns may still
# be nullable versions of the contract's), a column without a `missing` reason may be empty,
# and a repeated id is reported from its second occurrence on. `incident_failures` turns what
# it finds into quarantine records.
INCIDENT_ROW_SCHEMA = pa.DataFrameSchema(
    {
        name: pa.Column(
            None,
            [*column.checks, *([_FIRST_OCCURRENCE] if column.unique else [])],
            nullable=column.nullable or column.missing is None,
        )
        for name, column in _INCIDENT_CONTRACT.items()
    },
    checks=[check for _, check in _INCIDENT_ROW_CHECKS],
    strict=False,
    name="incident rows",
)

# Per (column, pandera check name): the quarantine reason, and its rank among the column's
# reasons (the order a row's records are listed in).
_REASONS: dict[tuple[str, str], str] = {}
for _name, _column in _INCIDENT_CONTRACT.items():
    if _column.missing is not None:
        _REASONS[(_name, "not_nullable")] = _column.missing
    for _check in _column.checks:
        _REASONS[(_name, str(_check.error))] = str(_check.error)
    if _column.unique:
        _REASONS[(_name, DUPLICATE_ID_REASON)] = DUPLICATE_ID_REASON
_ROW_CHECK_COLUMN = {str(check.error): column for column, check in _INCIDENT_ROW_CHECKS}
_REASON_RANK = {
    reason: rank
    for rank, reason in enumerate(dict.fromkeys([*_REASONS.values(), *_ROW_CHECK_COLUMN]))
}


def incident_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Every (row, broken rule) of an incident-shaped frame: `position` (0-based), `column`,
    `reason`, in the order the quarantine lists them; empty when every row passes.

    pandera finds the failures (lazy, so all of them at once, each check vectorised); this maps
    its failure cases to the contract's reasons.
    """
    try:
        INCIDENT_ROW_SCHEMA.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pd.DataFrame({"position": [], "column": [], "reason": []})
    unexpected = cases["index"].isna()
    if unexpected.any():
        first = cases[unexpected].iloc[0]
        raise ValueError(
            f"incident rows cannot be checked: {first['check']}: {first['failure_case']}"
        )
    checks = cases["check"].astype(str)
    columns = [
        _ROW_CHECK_COLUMN.get(check, column)
        for column, check in zip(cases["column"], checks, strict=True)
    ]
    reasons = [
        _REASONS.get((column, check), check) for column, check in zip(columns, checks, strict=True)
    ]
    positions = frame.index.get_indexer(cases["index"])
    return (
        pd.DataFrame({"position": positions, "column": columns, "reason": reasons})
        # pandera reports a failing row of a check across columns once per column.
        .drop_duplicates(["position", "column", "reason"])
        .assign(rank=lambda f: f["reason"].map(_REASON_RANK))
        .sort_values(["rank", "position"], kind="stable")
        .drop(columns="rank")
        .reset_index(drop=True)
    )


# Rows a source rejected: one record per (row, failed rule), as quarantine.csv holds them.
QUARANTINE_SCHEMA = pa.DataFrameSchema(
    {
        "source": pa.Column("string", nullable=True),
        "file": pa.Column("string", nullable=True),
        "row": pa.Column("Int64", nullable=True),
        "column": pa.Column("string", nullable=True),
        "value": pa.Column("string", nullable=True),
        "reason": pa.Column("string", nullable=True),
    },
    strict=True,
    ordered=True,
    coerce=False,
    name="quarantine",
)

# Directed dyad-years: ccode1 acting on ccode2 in `year`; the covariates themselves may be
# missing (a feature flags that), the key columns may not.
COVARIATES_SCHEMA = pa.DataFrameSchema(
    {
        "ccode1": pa.Column("int64", pa.Check.gt(0)),
        "ccode2": pa.Column("int64", pa.Check.gt(0)),
        "year": pa.Column("int64"),
    },
    strict=False,
    name="covariates",
)

# One row per trigger; `retaliated_<h>d` is NA where the window was not observed (censored).
EPISODES_SCHEMA = pa.DataFrameSchema(
    {
        "episode_id": pa.Column("string", unique=True),
        "incident_id": pa.Column("string"),
        "date": pa.Column("datetime64[ns]"),
        "initiator": pa.Column("int64", pa.Check.gt(0)),
        "target": pa.Column("int64", pa.Check.gt(0)),
        r"^retaliated_\d+d$": pa.Column("boolean", nullable=True, regex=True),
        "days_to_retaliation": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "event_observed": pa.Column("bool"),
        "duration": pa.Column("int64", pa.Check.ge(0)),
        "source": pa.Column("string"),
        "action": pa.Column("string"),
        "hostility": pa.Column("int64", pa.Check.in_range(1, 5)),
        # bool on one engine, Arrow bool on the other: what readers need is the values.
        "limited_force": pa.Column(checks=pa.Check(lambda s: s.isin([True, False]))),
        # Whether the trigger opened a crisis (forecast.episodes.crisis_flags); NA where the
        # crisis record is silent: outside its years, or not ingested.
        "crisis": pa.Column("boolean", nullable=True),
        "year": pa.Column("int64"),
    },
    strict=False,
    name="episodes",
)

# One row per episode: its id and finite float features (missing values are flagged by their
# own indicator columns, never left as NaN).
FEATURES_SCHEMA = pa.DataFrameSchema(
    {
        "episode_id": pa.Column("string", unique=True),
        r"^(?!episode_id$).+": pa.Column(
            "float64",
            pa.Check(lambda s: np.isfinite(s), error="not a finite number"),
            regex=True,
        ),
    },
    strict=False,
    name="features",
)

# The backtest's out-of-sample forecasts: one row per (trigger, origin, model, horizon), with
# the outcome `y` (NA where the window was censored).
BACKTEST_PREDICTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "episode_id": pa.Column(nullable=False),
        "origin": pa.Column("int64"),
        "model": pa.Column(nullable=False),
        "horizon": pa.Column("int64", pa.Check.gt(0)),
        "p": pa.Column("float64", pa.Check.in_range(0, 1), nullable=True),
        "y": pa.Column(nullable=True),
    },
    strict=True,
    ordered=True,
    name="backtest_predictions",
)


# The backtest by record age's out-of-sample forecasts: one row per (trigger, origin, model,
# record age, horizon), the outcome `y` NA where the window was censored.
RECORD_AGE_PREDICTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "episode_id": pa.Column(nullable=False),
        "origin": pa.Column("int64"),
        "model": pa.Column(nullable=False),
        "record_age": pa.Column("int64", pa.Check.ge(0)),
        "horizon": pa.Column("int64", pa.Check.gt(0)),
        "p": pa.Column("float64", pa.Check.in_range(0, 1), nullable=True),
        "y": pa.Column(nullable=True),
    },
    strict=True,
    ordered=True,
    name="record_age_predictions",
)


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
