"""The pipeline's tables by name: where each lives, which command makes it, and its contract.

Stages, the forecaster and notebooks read and write pipeline files only through `read` and
`write`, so a path, the command a user must run when a file is missing, and the check a table
must pass are each written once (here and in `forecast.core.contracts`). Reading validates: a
table cut short, missing or in the wrong shape is one error naming the file and the command that
makes it, never a pyarrow or pandera traceback. Writing validates too, then writes atomically
(`forecast.core.atomic`), so no stage leaves a half-written or off-contract table for the next one.
The schemas (`forecast.core.schemas`, pandera) are loaded on the first check, not on import.

Ingest's four files are one set (`INGEST_SET`, forecast.core.filesets): `write_set` writes them
under the stage's lock, sharing one token, the record last; every read of one of them checks
that it belongs with the others, so a mix of two runs stops with one line, never a wrong answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from forecast.core import atomic, contracts, filesets
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.provenance import content_hash

Format = Literal["parquet", "csv", "json", "png", "pickle"]


@dataclass(frozen=True)
class Table:
    """One pipeline file: its path under the project root, its maker and its contract."""

    name: str
    path: Path
    stage: str
    made_by: str
    format: Format
    # The name of its pandera schema in forecast.core.schemas, loaded when a table is checked.
    schema: str | None = None
    # JSON written with sorted keys, floats rounded and NaN as null (metric files).
    rounded: bool = False


def _table(name: str, path: str, stage: str, made_by: str, fmt: Format, **kw: Any) -> Table:
    return Table(name, Path(path), stage, made_by, fmt, **kw)


_INGEST = ("ingest", "forecast data ingest")
_BACKTEST = ("backtest", "forecast backtest")
_RECORD_AGE = ("record_age", "forecast record-age backtest")
_CLASSES = ("classes", "forecast classes backtest")
_TRAIN = ("train", "forecast train")
_AS_OF = ("as_of", "forecast as-of backtest")

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        _table("manifest", "data/raw/manifest.json", "fetch", "forecast data fetch", "json"),
        _table(
            "incidents",
            "data/interim/incidents.parquet",
            *_INGEST,
            "parquet",
            schema="INCIDENT_SCHEMA",
        ),
        _table(
            "quarantine",
            "data/interim/quarantine.csv",
            *_INGEST,
            "csv",
            schema="QUARANTINE_SCHEMA",
        ),
        _table(
            "covariates",
            "data/interim/covariates.parquet",
            *_INGEST,
            "parquet",
            schema="COVARIATES_SCHEMA",
        ),
        # Per source: files with md5, row counts, coverage; and the provenance banner.
        _table("sources", "data/interim/sources.json", *_INGEST, "json"),
        _table(
            "episodes",
            "data/processed/episodes.parquet",
            "episodes",
            "forecast episodes build",
            "parquet",
            schema="EPISODES_SCHEMA",
        ),
        _table(
            "features",
            "data/processed/features.parquet",
            "features",
            "forecast features build",
            "parquet",
            schema="FEATURES_SCHEMA",
        ),
        _table(
            "backtest_predictions",
            "data/processed/backtest_predictions.parquet",
            *_BACKTEST,
            "parquet",
            schema="BACKTEST_PREDICTIONS_SCHEMA",
        ),
        _table(
            "backtest_survival",
            "data/processed/backtest_survival.parquet",
            *_BACKTEST,
            "parquet",
            schema="BACKTEST_SURVIVAL_SCHEMA",
        ),
        _table("likelihood", "metrics/likelihood.json", *_BACKTEST, "json", rounded=True),
        _table("timing", "metrics/timing.json", *_BACKTEST, "json", rounded=True),
        _table("backtest_data", "metrics/backtest_data.json", *_BACKTEST, "json", rounded=True),
        _table("summary", "metrics/summary.json", *_BACKTEST, "json", rounded=True),
        _table("reliability_plot", "plots/reliability.csv", *_BACKTEST, "csv"),
        _table("roc_plot", "plots/roc.csv", *_BACKTEST, "csv"),
        _table("reliability_figure", "plots/reliability.png", *_BACKTEST, "png"),
        _table("roc_figure", "plots/roc.png", *_BACKTEST, "png"),
        _table("record_age", "metrics/record_age.json", *_RECORD_AGE, "json", rounded=True),
        _table(
            "record_age_data", "metrics/record_age_data.json", *_RECORD_AGE, "json", rounded=True
        ),
        _table(
            "record_age_predictions",
            "data/processed/record_age_predictions.parquet",
            *_RECORD_AGE,
            "parquet",
            schema="RECORD_AGE_PREDICTIONS_SCHEMA",
        ),
        _table("record_age_plot", "plots/record_age.csv", *_RECORD_AGE, "csv"),
        _table("record_age_figure", "plots/record_age.png", *_RECORD_AGE, "png"),
        _table("as_of", "metrics/as_of.json", *_AS_OF, "json", rounded=True),
        # The as-of model a forecast made today serves: numbers only (forecast.as_of.model).
        _table("as_of_model", "data/processed/as_of_model.json", *_AS_OF, "json"),
        _table("classes", "metrics/classes.json", *_CLASSES, "json", rounded=True),
        _table("classes_data", "metrics/classes_data.json", *_CLASSES, "json", rounded=True),
        _table("classes_plot", "plots/classes.csv", *_CLASSES, "csv"),
        _table("classes_figure", "plots/classes.png", *_CLASSES, "png"),
        _table("train", "metrics/train.json", *_TRAIN, "json", rounded=True),
        # Scoring copies of the registered champions (forecast.tracking.bundle reads them, checked).
        _table("champions", "data/processed/champions.pkl", *_TRAIN, "pickle"),
    )
}

# Hand-coded incidents: input, not output; the folder the brief and ingest read.
INCIDENTS_DIR = Path("data/incidents")


@dataclass(frozen=True)
class TableSet:
    """Files one stage writes together (forecast.core.filesets): its members, written first,
    and its record, a JSON document written last that names the set's token."""

    members: tuple[str, ...]
    record: str
    # The lock file its writer holds, beside the files.
    lock: Path

    @property
    def made_by(self) -> str:
        return table(self.record).made_by


INGEST_SET = TableSet(
    members=("incidents", "quarantine", "covariates"),
    record="sources",
    lock=Path("data/interim/.ingest.lock"),
)
TABLE_SETS = (INGEST_SET,)
# The record's entry naming the set: its token, and the sha256 of each member that cannot carry
# the token (a CSV).
SET_ENTRY = "written_together"


def table(name: str) -> Table:
    """The registry entry for `name` (a KeyError names the unknown table)."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no pipeline table {name!r}; known: {', '.join(TABLES)}") from None


def path(name: str, root: str | Path | None = None) -> Path:
    """Where table `name` lives, under `root` (the working directory by default)."""
    entry = table(name)
    return entry.path if root is None else Path(root) / entry.path


def exists(name: str, root: str | Path | None = None) -> bool:
    """Whether table `name` has been written under `root`."""
    return path(name, root).exists()


def read(name: str, root: str | Path | None = None, *, validate: bool = True) -> Any:
    """Table `name` as written, validated: a DataFrame, or a dict for JSON documents.

    Missing, cut short or off its contract, it raises one `DataFileError` naming the file and
    the command that makes it. `validate=False` skips the contract (never the set's token) for
    a reader that already knows these bytes were checked; it must call `validate` otherwise.
    """
    entry = table(name)
    where = path(name, root)
    if not where.exists():
        raise DataFileError(where, "not found", f"run `{entry.made_by}` or `dvc repro` first")
    if entry.format == "parquet":
        frame = atomic.read_parquet(where, entry.made_by)
    elif entry.format == "csv":
        frame = _read_csv(entry, where)
    elif entry.format == "json":
        check_set(name, root)
        return _read_json(entry, where)
    else:
        raise ValueError(f"{where}: read {entry.format} files with their own reader")
    if validate:
        _validate(entry, frame, where, "re-run")
    check_set(name, root)
    return frame


def validate(name: str, frame: pd.DataFrame, root: str | Path | None = None) -> None:
    """Check a table read with `validate=False` against its contract, as `read` would have."""
    _validate(table(name), frame, path(name, root), "re-run")


def read_optional(name: str, root: str | Path | None = None) -> Any:
    """Like `read`, but None when the file was never written (an optional input)."""
    return read(name, root) if exists(name, root) else None


def read_subsets(name: str, subset: str, block: str | None = None) -> dict[str, Any]:
    """A metric file keyed by subset (or its `block` that is), which a `show` command prints
    one subset of: an unknown subset is named with the file, as a missing file is."""
    scores = read(name)
    scores = scores.get(block, {}) if block is not None else scores
    if subset not in scores:
        raise DataFileError(path(name), f"has no subset {subset!r}", "use all or limited_force")
    return scores


def read_record(name: str, root: str | Path | None = None) -> dict[str, Any]:
    """A JSON document that only informs (a record of the last run): {} when it is missing or
    unreadable, so a reader falls back to its default instead of stopping."""
    try:
        record = read_optional(name, root)
    except DataFileError:
        return {}
    return record if isinstance(record, dict) else {}


def write(name: str, content: Any, root: str | Path | None = None) -> Path:
    """Validate `content` against table `name`'s contract and write it whole or not at all."""
    entry = table(name)
    where = path(name, root)
    if entry.format not in ("parquet", "csv", "json"):
        raise ValueError(f"{where}: write {entry.format} files with their own writer")
    _validate_written(entry, content, where)
    return _write_valid(entry, content, where)


def _validate_written(entry: Table, content: Any, where: Path) -> None:
    if entry.format in ("parquet", "csv"):
        _validate(entry, content, where, "fix the stage that wrote it:")


def _write_valid(
    entry: Table, content: Any, where: Path, metadata: Mapping[bytes, bytes] | None = None
) -> Path:
    """Write validated content atomically; `metadata` goes into a Parquet file's schema."""
    if entry.format == "parquet":
        return atomic.write_parquet(content, where, metadata)
    if entry.format == "csv":
        return atomic.write_csv(content, where, for_spreadsheets=entry.name == "quarantine")
    return atomic.write_text(where, json_text(content, rounded=entry.rounded))


def set_of(name: str) -> TableSet | None:
    """The set table `name` belongs to, if any."""
    return next((s for s in TABLE_SETS if name in (*s.members, s.record)), None)


@contextmanager
def writing(table_set: TableSet, root: str | Path | None = None) -> Iterator[None]:
    """Hold the set's lock for a whole run of its stage: a second run stops with one line."""
    lock = table_set.lock if root is None else Path(root) / table_set.lock
    with filesets.writer_lock(lock, table_set.made_by):
        yield


def write_set(
    table_set: TableSet, contents: Mapping[str, Any], root: str | Path | None = None
) -> None:
    """Write a set's members, then its record, all sharing one token.

    Every member is validated before any is written, so an off-contract table leaves the
    previous set whole. The token is the sha256 of the contents, so the same data write the
    same bytes. Call it inside `writing`, so no other run renames its files between these.
    """
    for name in table_set.members:
        _validate_written(table(name), contents[name], path(name, root))
    record = dict(contents[table_set.record])
    token = filesets.set_token(
        {name: content_hash(contents[name]) for name in table_set.members}
        | {table_set.record: json_text(record, rounded=table(table_set.record).rounded)}
    )
    sha256: dict[str, str] = {}
    for name in table_set.members:
        entry, where = table(name), path(name, root)
        if entry.format == "parquet":
            _write_valid(entry, contents[name], where, filesets.token_metadata(token))
        else:
            # A CSV cannot carry the token: the record names its bytes instead.
            sha256[where.name] = filesets.file_sha256(_write_valid(entry, contents[name], where))
    write(table_set.record, record | {SET_ENTRY: {"token": token, "sha256": sha256}}, root)


def check_set(name: str, root: str | Path | None = None) -> None:
    """Stop with one line when table `name` and the rest of its set come from different runs.

    Parquet members are checked by the token they carry (a footer read), a CSV member by its
    sha256, only when that CSV itself is read. Files written without a token (by hand, or before
    sets existed) pass as long as the record names no set either.
    """
    table_set = set_of(name)
    if table_set is None:
        return
    record_path = path(table_set.record, root)
    written = _set_entry(table_set, record_path)
    tokens = {
        member: filesets.parquet_token(where, table_set.made_by)
        for member in table_set.members
        if table(member).format == "parquet" and (where := path(member, root)).exists()
    }
    remedy = f"re-run `{table_set.made_by}`"
    if not record_path.exists():
        stamped = [path(member, root) for member, token in tokens.items() if token is not None]
        if stamped:
            raise ForecastError(
                f"{_listed(stamped)} belong to a run of `{table_set.made_by}` whose "
                f"{record_path} is missing (it was stopped part-way): {remedy}"
            )
        return
    expected = written["token"] if written else None
    disagree = [path(member, root) for member, token in tokens.items() if token != expected]
    where = path(name, root)
    sha256 = written.get("sha256") if written else None
    recorded = sha256.get(where.name) if isinstance(sha256, dict) else None
    if recorded is not None and filesets.file_sha256(where) != recorded:
        disagree.append(where)
    if disagree:
        raise ForecastError(
            f"{_listed([*disagree, record_path])} come from different runs of "
            f"`{table_set.made_by}` (one was stopped part-way, or two ran at once): {remedy}"
        )


def _set_entry(table_set: TableSet, record_path: Path) -> dict[str, Any] | None:
    """The record's entry naming its set; None when there is no record or it names none."""
    if not record_path.exists():
        return None
    record = _read_json(table(table_set.record), record_path)
    entry = record.get(SET_ENTRY) if isinstance(record, dict) else None
    return entry if isinstance(entry, dict) and "token" in entry else None


def _listed(paths: list[Path]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    names = [str(p) for p in paths]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def json_text(payload: Any, *, rounded: bool) -> str:
    """A JSON document's text: sorted keys, two-space indent, final newline; metric files
    also have floats rounded and NaN written as null, so reruns diff cleanly."""
    if rounded:
        return atomic.metric_json(payload)
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def _read_json(entry: Table, where: Path) -> dict[str, Any]:
    try:
        return json.loads(where.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(
            where, f"is not valid JSON ({exc})", f"re-run `{entry.made_by}`"
        ) from exc


def _read_csv(entry: Table, where: Path) -> pd.DataFrame:
    """A CSV table; quarantine.csv's spreadsheet-safe cells come back as they were."""
    if entry.name != "quarantine":
        return pd.read_csv(where)
    text = [column for column in contracts.QUARANTINE_COLUMNS if column != "row"]
    frame = pd.read_csv(
        where,
        dtype={column: "string" for column in text} | {"row": "Int64"},
        keep_default_na=False,
        na_values=[""],
    )
    return frame.assign(**{column: atomic.spreadsheet_unsafe(frame[column]) for column in text})


def _validate(entry: Table, frame: pd.DataFrame, where: Path, remedy: str) -> None:
    if entry.schema is None:
        return
    from forecast.core import schemas

    try:
        getattr(schemas, entry.schema).validate(frame, lazy=True)
    except schemas.pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        detail = "does not match its contract"
        if len(cases):
            first = cases.iloc[0]
            detail = f"{first['check']} failed in {first['column']}: {first['failure_case']!r}"
        raise DataFileError(
            where,
            f"breaks the {entry.name} contract ({len(cases)} failure(s); first: {detail})",
            f"{remedy} `{entry.made_by}`",
        ) from exc
