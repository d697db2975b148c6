"""Country identities: COW code <-> ISO3 <-> name, and parsing of what users type.

The base table is country_converter's bundled country list (read directly: its API does not load
under pandas 3). That list carries Gleditsch-Ward codes, which equal COW codes except for a few
states listed in `_COW_OVERRIDES`. When $FORECAST_DATA_DIR holds the COW state list, its names
fill in historical states (Austria-Hungary, the Papal States, ...) that have no ISO3 code.

A value names a state only when the whole value is one of its spellings: a COW code, an ISO3
code, a COW abbreviation, the short or official name, or an alias in `_ALIASES` (compared
without case). Nothing is searched inside longer text, so "Pakistani Taliban", "Hezbollah
(Lebanon)" or "Not Iran" are not states: a non-state target never silently becomes one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import pandas as pd

from forecast.core.errors import UnknownCountryError, quoted
from forecast.core.paths import shared_data_dir

# COW codes whose Gleditsch-Ward equivalent differs, as (cow_code, iso3, name).
_COW_OVERRIDES: tuple[tuple[int, str, str], ...] = (
    (255, "DEU", "Germany"),
    (345, "SRB", "Serbia"),
    (679, "YEM", "Yemen"),
    (626, "SSD", "South Sudan"),
    (347, "XKX", "Kosovo"),
)
# Historical states outside country_converter's list, for the offline default (public knowledge).
_HISTORICAL: tuple[tuple[int, str], ...] = (
    (260, "German Federal Republic"),
    (265, "German Democratic Republic"),
    (300, "Austria-Hungary"),
    (315, "Czechoslovakia"),
    (678, "Yemen Arab Republic"),
    (680, "Yemen People's Republic"),
    (817, "Republic of Vietnam"),
    (365, "Russia"),
)

# Common spellings that are neither a short nor an official name, as (spelling, COW code).
_ALIASES: tuple[tuple[str, int], ...] = (
    ("UK", 200),
    ("Britain", 200),
    ("Great Britain", 200),
    ("US", 2),
    ("U.S.", 2),
    ("America", 2),
    ("Soviet Union", 365),
    ("USSR", 365),
    ("Persia", 630),
    ("Burma", 775),
    ("DPRK", 731),
    ("ROK", 732),
    ("DRC", 490),
    ("Ivory Coast", 437),
    ("Turkey", 640),
    ("Türkiye", 640),
)

COW_STATES_FILE = "cow_states_2016.csv"
# Digits a COW code may be written with (leading zeros allowed: "0630").
_LONGEST_CODE = 6


@lru_cache(maxsize=1)
def country_table() -> pd.DataFrame:
    """One row per COW code: `cow`, `iso3` (may be missing), `name`, `official`, `abbrev`."""
    path = resources.files("country_converter") / "country_data.tsv"
    with resources.as_file(path) as tsv:
        raw = pd.read_csv(tsv, sep="\t", keep_default_na=False, dtype=str)
    raw = raw[raw["GWcode"].str.fullmatch(r"\d+")]
    table = pd.DataFrame(
        {
            "cow": raw["GWcode"].astype(int),
            "iso3": raw["ISO3"],
            "name": raw["name_short"],
            "official": raw["name_official"],
        }
    )
    overrides = pd.DataFrame(_COW_OVERRIDES, columns=["cow", "iso3", "name"])
    table = table[~table["iso3"].isin(overrides["iso3"])]
    table = pd.concat([table, overrides], ignore_index=True)
    history = pd.DataFrame(_HISTORICAL, columns=["cow", "name"]).assign(iso3=pd.NA)
    table = pd.concat([table, history[~history["cow"].isin(table["cow"])]], ignore_index=True)
    table = _merge_cow_state_list(table)
    table["abbrev"] = table["abbrev"].fillna(table["iso3"]) if "abbrev" in table else table["iso3"]
    table["iso3"] = table["iso3"].astype("string")
    table = table.drop_duplicates("cow", keep="first").sort_values("cow", kind="stable")
    return table.reset_index(drop=True)


def _merge_cow_state_list(table: pd.DataFrame) -> pd.DataFrame:
    """Add COW's own state names and abbreviations when the real state list is available."""
    folder = shared_data_dir()
    path = folder / COW_STATES_FILE if folder else None
    if path is None or not path.exists():
        return table
    states = (
        pd.read_csv(path, usecols=["stateabb", "ccode", "statenme"])
        .drop_duplicates("ccode")
        .rename(columns={"ccode": "cow", "statenme": "cow_name", "stateabb": "abbrev"})
    )
    merged = states.merge(table, on="cow", how="outer")
    merged["name"] = merged["name"].fillna(merged["cow_name"])
    merged["official"] = merged["official"].fillna(merged["cow_name"])
    return merged.drop(columns="cow_name")


def cow_to_iso3(codes: pd.Series) -> pd.Series:
    """ISO3 for each COW code (missing for historical states without one)."""
    lookup = country_table().set_index("cow")["iso3"]
    return pd.Series(codes).map(lookup).astype("string")


def cow_to_name(codes: pd.Series) -> pd.Series:
    """Readable name for each COW code; unknown codes read 'COW <code>' rather than vanish."""
    lookup = country_table().set_index("cow")["name"]
    codes = pd.Series(codes)
    names = codes.map(lookup)
    return names.fillna("COW " + codes.astype("string")).astype("string")


def name_of(code: int) -> str:
    """Readable name of one COW code."""
    return str(cow_to_name(pd.Series([code])).iloc[0])


@lru_cache(maxsize=1)
def _spellings() -> dict[str, int]:
    """Every whole-value spelling of a state, casefolded, mapped to its COW code.

    ISO3 codes come first, so a COW abbreviation that is another state's ISO3 code cannot
    take it over; then COW abbreviations, short names, official names and the aliases.
    """
    table = country_table()
    spellings: dict[str, int] = {}
    for column in ("iso3", "abbrev", "name", "official"):
        for text, code in zip(table[column], table["cow"], strict=True):
            if isinstance(text, str) and text.strip():
                spellings.setdefault(text.strip().casefold(), int(code))
    for text, code in _ALIASES:
        spellings.setdefault(text.casefold(), code)
    return spellings


def resolve_country(value: object) -> int:
    """COW code for a user's country: a COW code, an ISO3 code or a name ('Iran', 'PAK', 630)."""
    text = str(value).strip()
    if re.fullmatch(r"-?[0-9]+", text, re.ASCII):
        # COW codes have three digits; a long run of them is no code, and past 4,300 digits
        # Python refuses to read it as an int at all.
        if len(text) <= _LONGEST_CODE and int(text) in set(country_table()["cow"]):
            return int(text)
        raise UnknownCountryError(f"unknown COW country code {quoted(text)}")
    code = _spellings().get(text.casefold())
    if code is not None:
        return code
    raise UnknownCountryError(
        f"unknown country {quoted(text)}: give a COW code (630), an ISO3 code (IRN) or a state's "
        "name (Iran); a group or a place inside a state is not a state"
    )


def resolve_countries(values: pd.Series) -> pd.Series:
    """Vectorised `resolve_country` over a column: COW codes (Int64), missing where unknown."""
    values = pd.Series(values)
    unique = values.dropna().astype(str).str.strip().unique()
    resolved: dict[str, int] = {}
    for value in unique:
        try:
            resolved[value] = resolve_country(value)
        except UnknownCountryError:
            continue
    return values.astype("string").str.strip().map(resolved).astype("Int64")
