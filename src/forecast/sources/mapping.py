"""The column mapping of a user's incident file: read from YAML or command-line pairs, checked.

A mapping says which file column holds each canonical field. It is written by hand, so every
key is checked against a typed model before use: a wrong type (`notes_columns: notes`, a list
where a table belongs) is one error naming the key and the type expected, never a traceback nor
a guess (a string read as a list of one-letter columns).

Mapping file (every key but `columns` optional):

    source: my_team            # written to the `source` column (default: csv)
    id_prefix: team            # incident ids become "<prefix>-<id or row>" (default: source)
    columns: {date: event_date, initiator: actor1, target: actor2, action: event_type, ...}
    notes_columns: [notes, reported_by]   # joined into `notes` as "column: value" parts
    defaults: {hostility: 4, target_kind: state}
    actions: {airstrike: attack, shelling: attack}   # file value -> canonical action
    coverage: {start: 2019-01-01, end: 2024-12-31}   # what the coding covers, for censoring
    # add `systematic: false` to coverage when the file codes selected events, not every one
    # in its span: its silences then never count as "no event" (forecast.core.coverage)

A systematic file (the default) must declare both start and end: its days extend the record
every forecast reads, so they cannot come from the file's own dates, where one typo (2100-12-31
for 2010-12-31) would make every record look current. Rows outside the declared days are
quarantined (forecast.sources.tabular); a file that claims to be systematic without declaring
them is read as selective (its events are known events, its days never extend the record)
until it does, and ingest says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool, ValidationError

from forecast.core.contracts import INCIDENT_COLUMNS
from forecast.core.coverage import Coverage
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.user_yaml import read_user_yaml

MAPPABLE = tuple(
    c for c in INCIDENT_COLUMNS if c not in {"source", "initiator_iso3", "target_iso3"}
)
REQUIRED = ("date", "initiator", "target")


def _scalar_text(value: object) -> object:
    """A column named 2023 in YAML is still the text '2023'; lists and tables stay as they are."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_scalar_text)]


class _Coverage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = None
    end: date | None = None
    systematic: StrictBool = True


class MappingFile(BaseModel):
    """The YAML mapping as written: each key with the type it must have."""

    model_config = ConfigDict(extra="forbid")
    columns: dict[Text, Text]
    source: Text = "csv"
    id_prefix: Text | None = None
    notes_columns: list[Text] = []
    defaults: dict[Text, Text | int | float | bool | None] = {}
    actions: dict[Text, Text] = {}
    coverage: _Coverage | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """How one file's columns become canonical incident fields."""

    columns: dict[str, str]
    source: str = "csv"
    id_prefix: str = "csv"
    notes_columns: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    # The days the file covers, and whether it codes every use of force in them or only
    # selected ones (systematic).
    coverage: Coverage = field(default_factory=Coverage)

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
    def lacks_coverage(self) -> bool:
        """Whether the file claims to code every use of force without saying on which days."""
        return self.coverage.systematic and (
            self.coverage.start is None or self.coverage.end is None
        )

    @property
    def read_coverage(self) -> Coverage:
        """The coverage a file read through this mapping has: as declared, but selective while
        a systematic claim lacks its start or end (see the module's docstring)."""
        return replace(self.coverage, systematic=False) if self.lacks_coverage else self.coverage

    @property
    def file_columns(self) -> list[str]:
        """The file columns the mapping reads, in a stable order."""
        return list(dict.fromkeys([*self.columns.values(), *self.notes_columns]))


def load_mapping(path: Path) -> ColumnMapping:
    """Read a YAML column mapping, with errors that name the file and the key."""
    path = Path(path)
    raw = read_user_yaml(path, "column mapping") or {}
    if not isinstance(raw, dict) or "columns" not in raw:
        raise DataFileError(path, "needs a `columns:` section mapping fields to file columns")
    try:
        written = MappingFile.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(path, _problems(exc)) from exc
    coverage = written.coverage or _Coverage()
    try:
        return ColumnMapping(
            columns=dict(written.columns),
            source=written.source,
            id_prefix=written.id_prefix or written.source,
            notes_columns=tuple(written.notes_columns),
            defaults=dict(written.defaults),
            actions={k.strip().lower(): v for k, v in written.actions.items()},
            coverage=Coverage(coverage.start, coverage.end, systematic=coverage.systematic),
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


def _problems(exc: ValidationError) -> str:
    """Each wrong key with the type it needs, e.g. 'notes_columns: Input should be a valid list'."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {err['msg']}"
        + (f" (got {err['input']!r:.40})" if not isinstance(err["input"], dict) else "")
        for err in exc.errors()
    )
