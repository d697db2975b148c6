"""The event-feed mapping tables, read from YAML into join-able DataFrames.

Event feeds (ICEWS, GDELT, POLECAT) are mapped to incidents by tables, not by code per row:
event code -> action and hostility, actor name or sector -> state, and the consented
operations that are not force against their host. Keeping them as tables means the same
mapping can be joined in pandas here, in DuckDB, or in Spark for the full GDELT feed, and that
every line of the mapping carries its documented reason (docs/data-sources.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from forecast.core.contracts import CANONICAL_ACTIONS
from forecast.core.countries import country_table, resolve_country
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.user_yaml import read_user_yaml

CODES_FILE = "feed_event_codes.yaml"
ACTORS_FILE = "feed_actors.yaml"
CONSENT_FILE = "consented_operations.yaml"
SCHEMES = ("cameo", "plover")
BETWEEN = ("states", "state_agencies")
CODE_COLUMNS = ["scheme", "code", "action", "hostility", "between", "reason"]


@dataclass(frozen=True)
class ActorTables:
    """Actor look-ups: exact country names, state sectors, type codes and named forces."""

    countries: pd.DataFrame  # name (casefolded), cow
    state_sectors: frozenset[str]
    state_type_codes: frozenset[str]
    polecat_state_sectors: frozenset[str]
    named_forces: pd.DataFrame  # name, cow


def read_yaml_mapping(path: Path | None, default: str = "") -> tuple[dict, Path]:
    """A mapping YAML file (the package's file `default` when `path` is None), as a dict."""
    if path is None:
        resource = resources.files("forecast.sources") / default
        with resources.as_file(resource) as packaged:
            return yaml.safe_load(packaged.read_text(encoding="utf-8")) or {}, packaged
    path = Path(path)
    raw = read_user_yaml(path) or {}
    if not isinstance(raw, dict):
        raise DataFileError(path, "expected a YAML mapping at the top level")
    return raw, path


def load_event_codes(path: Path | None = None) -> pd.DataFrame:
    """The code table: one row per (scheme, code), validated so a typo fails at load time."""
    raw, where = read_yaml_mapping(path, CODES_FILE)
    entries = raw.get("codes")
    if not isinstance(entries, list) or not entries:
        raise DataFileError(where, "needs a non-empty `codes:` list")
    table = pd.DataFrame(entries)
    problems = [c for c in CODE_COLUMNS if c not in table]
    if problems:
        raise DataFileError(where, f"code entries lack {', '.join(problems)}")
    table = table[[*CODE_COLUMNS, "label"] if "label" in table else CODE_COLUMNS]
    table = table.astype({"code": str, "scheme": str})
    checks = [
        (~table["scheme"].isin(SCHEMES), "scheme must be cameo or plover"),
        (~table["action"].isin(sorted(CANONICAL_ACTIONS)), "unknown action"),
        (~table["hostility"].isin([1, 2, 3, 4, 5]), "hostility must be 1-5"),
        (~table["between"].isin(BETWEEN), "between must be states or state_agencies"),
        (table["reason"].fillna("").str.strip() == "", "every line needs a reason"),
        (table.duplicated(["scheme", "code"]), "code listed twice"),
    ]
    for bad, message in checks:
        if bad.any():
            first = table[bad].iloc[0]
            raise DataFileError(where, f"code {first['scheme']} {first['code']}: {message}")
    return table.astype({"hostility": "int64"}).reset_index(drop=True)


def code_labels(codes: pd.DataFrame, cameo_list: Path | None = None) -> pd.DataFrame:
    """CAMEO label -> code: the code table's labels, plus the full CAMEO list when given.

    The list (`cameo_codes.csv`, Latin-1, columns `name` and `code`) names every code, so an
    unmapped event is quarantined under its code rather than its label.
    """
    own = codes.loc[codes["scheme"] == "cameo", ["label", "code"]] if "label" in codes else None
    parts = [own.dropna()] if own is not None else []
    if cameo_list is not None:
        try:
            listed = pd.read_csv(
                cameo_list, encoding="latin-1", dtype=str, usecols=["name", "code"]
            )
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise DataFileError(
                cameo_list, f"cannot be read as the CAMEO code list ({exc})"
            ) from exc
        parts.append(listed.rename(columns={"name": "label"}))
    if not parts:
        return pd.DataFrame({"label": pd.Series(dtype=str), "code": pd.Series(dtype=str)})
    return pd.concat(parts, ignore_index=True).drop_duplicates("label").reset_index(drop=True)


@lru_cache(maxsize=4)
def load_actor_tables(path: Path | None = None) -> ActorTables:
    """Exact country names (the country table plus the listed aliases) and the state actors."""
    raw, where = read_yaml_mapping(path, ACTORS_FILE)
    table = country_table()
    names = pd.DataFrame({"name": table["name"].str.casefold(), "cow": table["cow"]})
    aliases = raw.get("country_aliases") or {}
    forces = raw.get("named_forces") or {}
    alias_rows = pd.DataFrame(
        {"name": [str(n).casefold() for n in aliases], "cow": _cow_codes(aliases.values(), where)}
    )
    countries = (
        pd.concat([alias_rows, names], ignore_index=True)
        .drop_duplicates("name", keep="first")
        .reset_index(drop=True)
    )
    named = pd.DataFrame({"name": list(forces), "cow": _cow_codes(forces.values(), where)})
    return ActorTables(
        countries=countries,
        state_sectors=frozenset(raw.get("state_sectors") or ()),
        state_type_codes=frozenset(raw.get("state_type_codes") or ()),
        polecat_state_sectors=frozenset(raw.get("polecat_state_sectors") or ()),
        named_forces=named,
    )


def load_consented_operations(path: Path | None = None) -> pd.DataFrame:
    """Consented operations as rows (initiator, host, first_year, last_year, reason)."""
    raw, where = read_yaml_mapping(path, CONSENT_FILE)
    rows = raw.get("operations") or []
    if not isinstance(rows, list):
        raise DataFileError(where, "`operations:` must be a list")
    records = []
    for number, row in enumerate(rows, start=1):
        try:
            records.append(
                {
                    "initiator": resolve_country(row["initiator"]),
                    "host": resolve_country(row["host"]),
                    "first_year": int(row["from"]),
                    "last_year": int(row["to"]),
                    "reason": str(row.get("reason", "")).strip(),
                }
            )
        except (KeyError, TypeError, ValueError, ForecastError) as exc:
            raise DataFileError(
                where, f"operation {number}: {exc}", "write initiator, host, from, to, reason"
            ) from exc
    columns = ["initiator", "host", "first_year", "last_year", "reason"]
    return pd.DataFrame(records, columns=columns)


def _cow_codes(values: object, where: Path) -> list[int]:
    """COW codes of ISO3 codes written in a mapping table; an unknown code names the file."""
    by_iso = iso3_to_cow()
    codes = []
    for value in values:  # type: ignore[attr-defined]
        if str(value) not in by_iso.index:
            raise DataFileError(where, f"unknown ISO3 code {value!r}")
        codes.append(int(by_iso[str(value)]))
    return codes


@lru_cache(maxsize=1)
def iso3_to_cow() -> pd.Series:
    """COW code by ISO3 code (the first listed when one is listed twice), built once."""
    table = country_table().dropna(subset=["iso3"])
    lookup = pd.Series(table["cow"].to_numpy(), index=table["iso3"].astype(str).to_numpy())
    return lookup[~lookup.index.duplicated()]
