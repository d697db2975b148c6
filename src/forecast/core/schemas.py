"""The pandera schemas of the pipeline's tables, built from the contracts in
`forecast.core.contracts`, and the checking that uses them.

Kept apart from the contracts so that what only reads them (a forecast's incident parsing, the
history, `conform`) does not import pandera: a table is checked where it is written and where
it is read (`forecast.core.tables`), and that is where this module is loaded. The incident
schema is read off the contract's declaration; the other tables state what their readers rely
on: the key columns and their dtypes, and, for features, that every column but the id is a
finite float. Every check is vectorised, so validation stays a small part of a stage on 10^7
rows. `split_valid` turns a source's failed checks into quarantine records.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import pandas as pd

from forecast.core.contracts import (
    DUPLICATE_ID_REASON,
    INCIDENT_COLUMNS,
    INCIDENT_CONTRACT,
    INCIDENT_ROW_RULES,
    QUARANTINE_COLUMNS,
    Rule,
    conform,
    empty_quarantine,
)


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


def _check(rule: Rule) -> pa.Check:
    """The pandera check a contract's rule stands for, its error the rule's reason."""
    if rule.kind == "custom":
        return pa.Check(rule.args[0], error=rule.error)
    return getattr(pa.Check, rule.kind)(*rule.args, error=rule.error)


_COLUMN_CHECKS = {
    name: [_check(rule) for rule in column.checks] for name, column in INCIDENT_CONTRACT.items()
}
_ROW_CHECKS = [_check(rule) for _, rule in INCIDENT_ROW_RULES]

INCIDENT_SCHEMA = pa.DataFrameSchema(
    {
        name: pa.Column(
            column.dtype, _COLUMN_CHECKS[name], nullable=column.nullable, unique=column.unique
        )
        for name, column in INCIDENT_CONTRACT.items()
    },
    checks=list(_ROW_CHECKS),
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
            [*_COLUMN_CHECKS[name], *([_FIRST_OCCURRENCE] if column.unique else [])],
            nullable=column.nullable or column.missing is None,
        )
        for name, column in INCIDENT_CONTRACT.items()
    },
    checks=list(_ROW_CHECKS),
    strict=False,
    name="incident rows",
)

# Per (column, pandera check name): the quarantine reason, and its rank among the column's
# reasons (the order a row's records are listed in).
_REASONS: dict[tuple[str, str], str] = {}
for _name, _column in INCIDENT_CONTRACT.items():
    if _column.missing is not None:
        _REASONS[(_name, "not_nullable")] = _column.missing
    for _rule in _column.checks:
        _REASONS[(_name, _rule.error)] = _rule.error
    if _column.unique:
        _REASONS[(_name, DUPLICATE_ID_REASON)] = DUPLICATE_ID_REASON
_ROW_CHECK_COLUMN = {rule.error: column for column, rule in INCIDENT_ROW_RULES}
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


def _predictions_schema(name: str, **keys: pa.Column) -> pa.DataFrameSchema:
    """Out-of-sample forecasts: one row per (trigger, origin, model, `keys`, horizon), with the
    outcome `y` (NA where the window was censored)."""
    return pa.DataFrameSchema(
        {
            "episode_id": pa.Column(nullable=False),
            "origin": pa.Column("int64"),
            "model": pa.Column(nullable=False),
            **keys,
            "horizon": pa.Column("int64", pa.Check.gt(0)),
            "p": pa.Column("float64", pa.Check.in_range(0, 1), nullable=True),
            "y": pa.Column(nullable=True),
        },
        strict=True,
        ordered=True,
        name=name,
    )


# The backtest's forecasts, and the backtest by record age's (one row per record age too).
BACKTEST_PREDICTIONS_SCHEMA = _predictions_schema("backtest_predictions")
RECORD_AGE_PREDICTIONS_SCHEMA = _predictions_schema(
    "record_age_predictions", record_age=pa.Column("int64", pa.Check.ge(0))
)


# The timing models' out-of-sample survival curves on the backtest's day grid: the as-of
# backtest renormalises with each trigger's own curve.
BACKTEST_SURVIVAL_SCHEMA = pa.DataFrameSchema(
    {
        "episode_id": pa.Column(nullable=False),
        "origin": pa.Column("int64"),
        "model": pa.Column(nullable=False),
        "day": pa.Column("int64", pa.Check.gt(0)),
        "survival": pa.Column("float64", pa.Check.in_range(0, 1), nullable=True),
    },
    strict=True,
    ordered=True,
    name="backtest_survival",
)


def validate_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a finished table against the contract (raises pandera's SchemaErrors if broken)."""
    return INCIDENT_SCHEMA.validate(frame, lazy=True)


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
