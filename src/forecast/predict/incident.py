"""Incidents as users describe them: parsing flags, CSV rows and JSON into checked `Incident`s.

Every field is checked here, with errors that name the file, row and field, so the forecaster
only ever sees an incident it can score.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.core.contracts import (
    ACTIONS_BY_MID_CODE,
    CANONICAL_ACTIONS,
    DATE_RANGE_TEXT,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_FATALITIES,
    TARGET_KINDS,
    UNDIRECTED_ACTIONS,
    USE_OF_FORCE_MIN_HOSTILITY,
)
from forecast.core.countries import name_of as _name_of
from forecast.core.countries import resolve_country
from forecast.core.errors import (
    DataFileError,
    ForecastError,
    IncidentFieldError,
    UnknownCountryError,
    quoted,
)
from forecast.core.wording import readable_date
from forecast.sources.base import read_csv_text, read_utf8, require_columns
from forecast.sources.handcoded import has_handcoded_mapping, read_handcoded_file

REQUIRED_FIELDS = ("initiator", "target", "date", "action", "hostility")
OPTIONAL_FIELDS = (
    "fatalities_initiator",
    "fatalities_target",
    "target_kind",
    "dispute_id",
    "notes",
    "incident_id",
    "answers",
    "context",
    "coded_from",
    "accepted",
    "as_of",
)
# Threats (2) and displays (3) are taken as known events beside the uses of force (4-5).
MIN_KNOWN_HOSTILITY = 2
_TRUE_WORDS = {"true", "yes", "1", "y"}
_FALSE_WORDS = {"false", "no", "0", "n", ""}
_UNKNOWN_WORDS = {"", "unknown", "?"}


# The only date forms accepted: a day, or a month when the day is not known.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
DATE_HINT = "write YYYY-MM-DD, e.g. 2024-01-16, or YYYY-MM when the day is not known"
# Incidents one `forecast predict --input` (or the brief) takes. Measured on the default
# synthetic world, two shared cores (load 4-5): 1,000 incidents 13.7 s and 480 MB peak, against
# 3.2 s and 370 MB for one; a larger batch gets a clear message instead of minutes and memory.
MAX_INCIDENTS = 1_000
# Digits of a JSON integer read as a number (no field's value has more); longer stays text.
_LONGEST_JSON_INTEGER = 30


@lru_cache(maxsize=4096)
def name_of(code: int) -> str:
    """A country's name, cached: names are looked up for every analogue of every forecast."""
    return _name_of(code)


@dataclass(frozen=True)
class Incident:
    """One use of force as understood: COW codes, a day, a canonical action."""

    initiator: int
    target: int
    date: pd.Timestamp
    action: str
    hostility: int
    fatalities_initiator: float | None = None
    fatalities_target: float | None = None
    notes: str | None = None
    incident_id: str | None = None
    # What was struck: the state itself, or armed groups on its soil (as the 2024 strikes were).
    target_kind: str = "state"
    # Confrontation the incident belongs to, so earlier events of it count as its history.
    dispute_id: str | None = None
    # "month" when only the month is known: the incident is placed on the month's first day.
    date_precision: str = "day"
    # The day of the target's use of force against the initiator that this incident answers:
    # a known event, even where the systematic record has ended.
    answers: pd.Timestamp | None = None
    # The analyst vouches for the days before the incident: the incidents given (earlier rows,
    # `answers`) are all the target's recent force against the initiator, so none means none.
    context_known: bool = False
    # Where an automatically coded incident came from (e.g. a news report), and whether a
    # person checked and accepted the coding; coded_from is None for incidents a person typed.
    coded_from: str | None = None
    accepted: bool = False
    # The analyst's judgement: does the target treat the strike as a crisis (recalled envoys,
    # emergency security meetings, vows to answer in the first days)? None: not said.
    crisis: bool | None = None
    # The day the analyst asks from, with no answer known by then (`forecast predict
    # --as-of`): the forecast adds the chance of an answer from that day on. None: day 0.
    as_of: pd.Timestamp | None = None

    @property
    def is_force(self) -> bool:
        """A use of force (hostility 4-5), which is forecast; threats and displays of force
        (2-3) are known events only: history and as-of evidence, never triggers."""
        return self.hostility >= USE_OF_FORCE_MIN_HOSTILITY

    @property
    def coding_statement(self) -> str | None:
        """Says that the incident was coded automatically and whether a person accepted it."""
        if self.coded_from is None:
            return None
        verdict = "accepted by a person" if self.accepted else "not yet accepted by a person"
        return f"Coded automatically from {self.coded_from}; {verdict}."

    @property
    def initiator_name(self) -> str:
        return name_of(self.initiator)

    @property
    def target_name(self) -> str:
        return name_of(self.target)

    @property
    def directed(self) -> bool:
        return self.action not in UNDIRECTED_ACTIONS

    @property
    def action_text(self) -> str:
        return self.action.replace("_", " ")

    @property
    def date_text(self) -> str:
        """'16 January 2024', or 'January 2024 (day unknown)' for a month-precise date."""
        if self.date_precision == "month":
            return f"{self.date:%B %Y} (day unknown)"
        return readable_date(self.date)

    def describe(self) -> str:
        """'Iran: attack against Pakistan on 16 January 2024'."""
        return (
            f"{self.initiator_name}: {self.action_text} against {self.target_name} "
            f"on {self.date_text}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "initiator": self.initiator,
            "initiator_name": self.initiator_name,
            "target": self.target,
            "target_name": self.target_name,
            "date": self.date.date().isoformat(),
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "action": self.action,
            "hostility": self.hostility,
            "fatalities_initiator": self.fatalities_initiator,
            "fatalities_target": self.fatalities_target,
            "target_kind": self.target_kind,
            "dispute_id": self.dispute_id,
            "notes": self.notes,
            "answers": self.answers.date().isoformat() if self.answers is not None else None,
            "context_known": self.context_known,
            "coded_from": self.coded_from,
            "accepted": self.accepted,
            "coding_statement": self.coding_statement,
            "crisis": self.crisis,
            "as_of": self.as_of.date().isoformat() if self.as_of is not None else None,
        }


def parse_incident(record: Mapping[str, Any], where: str = "input") -> Incident:
    """Turn what a user typed (flags, a CSV row, a JSON object) into an Incident.

    `where` names the place for error messages ('incidents.csv row 3'). Every problem raises a
    ForecastError naming the field and what is accepted; nothing is guessed.
    """
    missing = [name for name in REQUIRED_FIELDS if _blank(record.get(name))]
    if missing:
        needs = f"an incident needs {', '.join(REQUIRED_FIELDS)}"
        raise IncidentFieldError(
            f"{where}: missing {', '.join(missing)} ({needs})",
            field=", ".join(missing),
            problem=f"missing ({needs})",
        )
    initiator = _country(record["initiator"], "initiator", where)
    target = _country(record["target"], "target", where)
    if initiator == target:
        same = f"the same country as the initiator ({initiator})"
        raise IncidentFieldError(
            f"{where}: initiator and target are the same country ({initiator})",
            field="target",
            problem=same,
        )
    hostility = _hostility(record["hostility"], where)
    day, precision = _day(record["date"], where)
    return Incident(
        initiator=initiator,
        target=target,
        date=day,
        date_precision=precision,
        action=_action(record["action"], where),
        hostility=hostility,
        fatalities_initiator=_fatalities(record.get("fatalities_initiator"), "initiator", where),
        fatalities_target=_fatalities(record.get("fatalities_target"), "target", where),
        notes=None if _blank(record.get("notes")) else str(record["notes"]),
        incident_id=None if _blank(record.get("incident_id")) else str(record["incident_id"]),
        target_kind=_target_kind(record.get("target_kind"), where),
        dispute_id=None if _blank(record.get("dispute_id")) else str(record["dispute_id"]),
        answers=_answers(record.get("answers"), day, where),
        context_known=_yes_no(record.get("context"), "context", where),
        coded_from=None if _blank(record.get("coded_from")) else str(record["coded_from"]),
        accepted=_yes_no(record.get("accepted"), "accepted", where),
        crisis=_yes_no_unknown(record.get("crisis"), "crisis", where),
        as_of=as_of_day(record.get("as_of"), day, precision, hostility, where),
    )


@dataclass(frozen=True)
class BadRow:
    """A row (a JSON file's item) of an incident file that no forecast can be made for."""

    file: str
    row: int
    column: str
    reason: str
    # The one-line error that names it, as a reader that stops at a bad row raises it.
    message: str


@dataclass(frozen=True)
class IncidentRows:
    """What an incident file holds: the incidents a forecast can be made for, the rows that
    cannot be forecast, and how many rows were read."""

    incidents: list[Incident]
    bad_rows: list[BadRow]
    rows: int

    def __add__(self, other: IncidentRows) -> IncidentRows:
        return IncidentRows(
            self.incidents + other.incidents, self.bad_rows + other.bad_rows, self.rows + other.rows
        )


def read_incidents(path: str | Path) -> list[Incident]:
    """Incidents from a CSV or JSON file, or from every such file in a folder (sorted by name).

    CSV: one incident per row with columns initiator, target, date, action, hostility and
    optionally fatalities_initiator, fatalities_target, notes, incident_id (others are ignored).
    A CSV in a folder of hand-coded incidents (one holding `handcoded.yaml`, as data/incidents/
    does) is read through that mapping, exactly as ingest reads it.
    JSON: one object, a list of objects, or {"incidents": [...]}. Files are UTF-8 (a BOM is
    allowed). At most MAX_INCIDENTS per call: each forecast carries its curve, drivers and
    analogues, so a larger batch is split into files and forecast file by file.

    The first row that cannot be forecast is an error: the brief and notebooks read a file
    whole. `read_incident_rows` gives the good rows and every bad one instead.
    """
    read = read_incident_rows(path)
    if read.bad_rows:
        raise ForecastError(read.bad_rows[0].message)
    return read.incidents


def read_incident_rows(path: str | Path) -> IncidentRows:
    """The incidents of a file or folder (as `read_incidents` reads them) with every row that
    cannot be forecast, so `forecast predict --input` forecasts the rest and lists those.

    A file that cannot be read at all (not found, not UTF-8, a missing column, too many rows)
    is still one DataFileError.
    """
    read = _read_incident_rows(Path(path))
    _refuse_a_large_batch(path, read.rows)
    return read


def _refuse_a_large_batch(path: str | Path, rows: int) -> None:
    if rows > MAX_INCIDENTS:
        raise DataFileError(
            path,
            f"holds {rows:,} incidents; forecast at most {MAX_INCIDENTS:,} per run",
            "split it into smaller files and run them one by one",
        )


def _read_incident_rows(path: Path) -> IncidentRows:
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in {".csv", ".json"} and p.is_file()
        )
        if not files:
            raise DataFileError(path, "holds no .csv or .json incident files")
        return sum((_read_incident_rows(file) for file in files), IncidentRows([], [], 0))
    if not path.exists():
        raise DataFileError(path, "file not found")
    suffix = path.suffix.lower()
    if has_handcoded_mapping(path):
        return _incidents_from_handcoded(path)
    if suffix == ".csv":
        return _incidents_from_csv(path)
    if suffix == ".json":
        return _incidents_from_json(path)
    raise DataFileError(path, "unknown file type", "give a .csv or .json file of incidents")


def _parsed_rows(
    path: Path, records: Sequence[Mapping[str, Any]], label: str, numbers: Sequence[int]
) -> IncidentRows:
    """Each record parsed as an incident, or kept as a bad row naming its field."""
    _refuse_a_large_batch(path, len(records))  # before parsing a huge file row by row
    incidents: list[Incident] = []
    bad_rows: list[BadRow] = []
    for number, record in zip(numbers, records, strict=True):
        try:
            incidents.append(parse_incident(record, f"{path.name} {label} {number}"))
        except IncidentFieldError as exc:
            bad_rows.append(BadRow(path.name, number, exc.field, exc.problem, str(exc)))
    return IncidentRows(incidents, bad_rows, len(records))


def _incidents_from_csv(path: Path) -> IncidentRows:
    fields = REQUIRED_FIELDS + OPTIONAL_FIELDS
    try:
        table = read_csv_text(
            path, read_utf8(path), fields, dtype=str, keep_default_na=False, comment=None
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataFileError(path, f"cannot be read as CSV ({_first_line(exc)})") from exc
    table.columns = [str(c).strip().lower() for c in table.columns]
    require_columns(path, table.columns, REQUIRED_FIELDS, fields)
    if table.empty:
        raise DataFileError(path, "has a header but no incidents")
    records = table.to_dict(orient="records")
    return _parsed_rows(path, records, "row", range(1, len(records) + 1))


def _incidents_from_handcoded(path: Path) -> IncidentRows:
    """A hand-coded CSV read as ingest reads it (forecast.sources.handcoded): the same ids
    ('hand-' and the file's id) and notes (every notes column), so an incident in the brief is
    the incident of the pipeline's tables. A row the adapter quarantines is a bad row named by
    its column; the rows it keeps are checked as any incident a user gives."""
    result = read_handcoded_file(path)
    bad_rows = [
        BadRow(
            path.name,
            int(record.row),
            str(record.column),
            f"{record.reason}{value}",
            f"{path.name} row {record.row}{', ' if record.column else ''}{record.column}: "
            f"{record.reason}{value}",
        )
        for record in result.quarantine.itertuples()
        for value in ["" if pd.isna(record.value) else f" ({quoted(record.value)})"]
    ]
    # The adapter yields one incident per row it keeps, in file order.
    quarantined = {bad.row for bad in bad_rows}
    kept = [n for n in range(1, result.rows_read + 1) if n not in quarantined]
    records = [canonical_record(row) for row in result.incidents.to_dict(orient="records")]
    parsed = _parsed_rows(path, records, "row", kept)
    return IncidentRows(parsed.incidents, bad_rows + parsed.bad_rows, result.rows_read)


def canonical_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical incident row (forecast.core.contracts) as the fields `parse_incident` reads."""

    def given(name: str) -> Any:
        value = row.get(name)
        return None if value is None or value is pd.NA or pd.isna(value) else value

    day = pd.Timestamp(row["date"])
    return {
        "incident_id": given("incident_id"),
        "initiator": int(row["initiator"]),
        "target": int(row["target"]),
        "date": f"{day:%Y-%m}" if given("date_precision") == "month" else f"{day:%Y-%m-%d}",
        "action": row["action"],
        "hostility": int(row["hostility"]),
        "fatalities_initiator": given("fatalities_initiator"),
        "fatalities_target": given("fatalities_target"),
        "target_kind": given("target_kind"),
        "dispute_id": given("dispute_id"),
        "notes": given("notes"),
    }


def _incidents_from_json(path: Path) -> IncidentRows:
    text = read_utf8(path)
    try:
        payload = json.loads(text, parse_int=_json_integer)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise DataFileError(path, "not valid incident JSON (nested too deeply)") from exc
    if isinstance(payload, dict) and "incidents" in payload:
        payload = payload["incidents"]
    records = payload if isinstance(payload, list) else [payload]
    if not records or not all(isinstance(r, dict) for r in records):
        raise DataFileError(path, "expected an incident object or a list of them")
    return _parsed_rows(path, records, "item", range(1, len(records) + 1))


def _json_integer(digits: str) -> int | str:
    """A JSON integer as an int, or as its text when longer than any field's number can be:
    Python refuses to read more than 4,300 digits, and the field's check then names it."""
    return int(digits) if len(digits) <= _LONGEST_JSON_INTEGER else digits


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _refused(where: str, field: str, problem: str) -> IncidentFieldError:
    """The error for one field of one incident: '<where>, <field>: <problem>'."""
    return IncidentFieldError(f"{where}, {field}: {problem}", field=field, problem=problem)


def _country(value: Any, role: str, where: str) -> int:
    try:
        return resolve_country(value)
    except UnknownCountryError as exc:
        raise _refused(where, role, str(exc)) from exc


def _day(value: Any, where: str, field: str = "date") -> tuple[pd.Timestamp, str]:
    """The incident's day and its precision, from ISO text only: nothing is guessed.

    `01.02.2024`, `01/02/2024`, `2024`, `today` are refused rather than read one of several
    ways; `YYYY-MM` is the first of the month with precision "month". Python dates (the API)
    are taken as days.
    """
    if isinstance(value, dt.date):
        day, precision = pd.Timestamp(value), "day"
        text = str(value)
    else:
        text = str(value).strip()
        if _DAY.fullmatch(text) is not None:
            precision, form = "day", "%Y-%m-%d"
        elif _MONTH.fullmatch(text) is not None:
            precision, form = "month", "%Y-%m"
        else:
            raise _refused(where, field, f"{quoted(text)} is not a date ({DATE_HINT})")
        if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
            raise _refused(where, field, f"{quoted(text)} is outside {DATE_RANGE_TEXT}")
        try:
            day = pd.Timestamp(dt.datetime.strptime(text, form))
        except ValueError as exc:
            raise _refused(where, field, f"{quoted(text)} is not a calendar date") from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _refused(where, field, f"{quoted(text)} is outside {DATE_RANGE_TEXT}")
    day = day.tz_localize(None) if day.tzinfo else day
    return day.normalize(), precision


def _answers(value: Any, day: pd.Timestamp, where: str) -> pd.Timestamp | None:
    """The day of the strike this incident answers, if the user gave one (before its own)."""
    if _blank(value):
        return None
    answered, precision = _day(value, where, "answers")
    if precision != "day":
        raise _refused(where, "answers", "give the day of the strike answered (YYYY-MM-DD)")
    if answered >= day:
        raise _refused(
            where, "answers", f"{answered.date()} is not before the incident's day {day.date()}"
        )
    return answered


def as_of_day(
    value: Any, day: pd.Timestamp, precision: str, hostility: int, where: str
) -> pd.Timestamp | None:
    """The as-of day of a use of force: a day on or after the incident's own day."""
    if _blank(value):
        return None
    as_of, as_of_precision = _day(value, where, "as_of")
    return _checked_as_of(as_of, as_of_precision, day, precision, hostility, where)


def _checked_as_of(
    as_of: pd.Timestamp,
    as_of_precision: str,
    day: pd.Timestamp,
    precision: str,
    hostility: int,
    where: str,
) -> pd.Timestamp:
    if hostility < USE_OF_FORCE_MIN_HOSTILITY:
        raise _refused(
            where, "as_of", "only a use of force (hostility 4-5) is forecast as of a day"
        )
    if as_of_precision != "day" or precision != "day":
        raise _refused(
            where, "as_of", "give the day (YYYY-MM-DD) of both the incident and the as-of day"
        )
    if as_of < day:
        raise _refused(where, "as_of", f"{as_of.date()} is before the incident's day {day.date()}")
    return as_of


def with_as_of(incidents: Sequence[Incident], as_of: str) -> list[Incident]:
    """The incidents with `--as-of` as the as-of day of every use of force that has none and
    is dated on or before it; a later one is forecast from its own day (it had not happened
    yet), and the as-of evidence of the others never reads past their as-of day."""
    day, precision = _day(as_of, "--as-of", "as_of")
    force = [incident for incident in incidents if incident.is_force and incident.as_of is None]
    if force and all(incident.date > day for incident in force):
        first = min(incident.date for incident in force)
        raise _refused(
            "--as-of",
            "as_of",
            f"{day.date()} is before the day of every incident given (the first is {first.date()})",
        )
    return [
        replace(
            incident,
            as_of=_checked_as_of(
                day,
                precision,
                incident.date,
                incident.date_precision,
                incident.hostility,
                f"--as-of for {incident.describe()}",
            ),
        )
        if incident.is_force and incident.as_of is None and incident.date <= day
        else incident
        for incident in incidents
    ]


def _yes_no(value: Any, field: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if _blank(value) else str(value).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise _refused(where, field, f"{quoted(value)} is not yes or no")


def _yes_no_unknown(value: Any, field: str, where: str) -> bool | None:
    """yes/no as for `_yes_no`, and None for a blank or `unknown`: a judgement not given."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _UNKNOWN_WORDS):
        return None
    if not isinstance(value, bool) and _blank(value):
        return None
    try:
        return _yes_no(value, field, where)
    except ForecastError:
        raise _refused(where, field, f"{quoted(value)} is not yes, no or unknown") from None


def _action(value: Any, where: str) -> str:
    text = str(value).strip()
    # ASCII digits only, and few: "²" is a digit to str.isdigit but no int, and a 5,000-digit
    # run is past what Python reads as one.
    if re.fullmatch(r"[0-9]{1,3}", text, re.ASCII) and int(text) in ACTIONS_BY_MID_CODE:
        return ACTIONS_BY_MID_CODE[int(text)]
    name = re.sub(r"[\s\-]+", "_", text.lower())
    if name in CANONICAL_ACTIONS:
        return name
    raise _refused(
        where,
        "action",
        f"unknown action {quoted(text)} (use a canonical name such as attack, clash, seizure, "
        "strike, or a MID action code)",
    )


def _hostility(value: Any, where: str) -> int:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError as exc:
        raise _refused(where, "hostility", f"{quoted(text)} is not a number from 1 to 5") from exc
    if not number.is_integer() or not 1 <= number <= 5:
        raise _refused(where, "hostility", f"{quoted(text)} is not a whole number from 1 to 5")
    if number < MIN_KNOWN_HOSTILITY:
        raise _refused(
            where,
            "hostility",
            f"{int(number)} is no militarized action; give a threat (2), a display of force "
            "(3), a use of force (4) or war (5)",
        )
    return int(number)


def _target_kind(value: Any, where: str) -> str:
    """Interstate force against the state is the default; say non_state when groups were hit."""
    if _blank(value):
        return "state"
    kind = str(value).strip().lower().replace("-", "_")
    if kind not in TARGET_KINDS:
        raise _refused(
            where, "target_kind", f"{quoted(value)} is not one of {', '.join(TARGET_KINDS)}"
        )
    return kind


def _fatalities(value: Any, side: str, where: str) -> float | None:
    """Deaths as a plausible count, or None when not given (None, pd.NA, an empty text).

    A NaN float is refused rather than read as "not given": it is what `--fatalities-target
    nan` and a JSON `NaN` arrive as, and an import refuses the same text.
    """
    if value is None or value is pd.NA or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    field = f"fatalities_{side}"
    try:
        number = float(text)
    except ValueError as exc:
        raise _refused(
            where, field, f"{quoted(text)} is not a number (leave it empty if unknown)"
        ) from exc
    if not math.isfinite(number) or not 0 <= number <= MAX_FATALITIES:
        raise _refused(
            where,
            field,
            f"{quoted(text)} must be a number from 0 to {MAX_FATALITIES:,} "
            "(leave it empty if unknown)",
        )
    return number
