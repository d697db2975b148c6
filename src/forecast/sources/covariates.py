"""Directed dyad-year covariates (contiguity, capabilities, democracy, rivalry, alliance, distance).

Each source covers its own span of years. Inside that span a dyad the source does not list has
the source's "absent" value (no border, no rivalry, no alliance, not a major power), while
years before the span are NA: we do not know, which is not the same as "none". Years after a
source ends take the source's last year and raise `carried_forward`, so a 2024 trigger gets
2016 contiguity openly rather than a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.errors import DataFileError, ForecastError

# Column -> dtype of the covariate table (docs/architecture.md, "Covariates"). Booleans are
# nullable because "not known" (before a source starts) must not read as False.
COVARIATE_COLUMNS: dict[str, str] = {
    "ccode1": "int64",
    "ccode2": "int64",
    "year": "int64",
    "contiguity": "Int64",
    "land_border": "boolean",
    "mindist_km": "Float64",
    "cinc1": "Float64",
    "cinc2": "Float64",
    "capability_share1": "Float64",
    "major1": "boolean",
    "major2": "boolean",
    "polity1": "Float64",
    "polity2": "Float64",
    "joint_democracy": "boolean",
    "rivalry": "boolean",
    "defense_alliance": "boolean",
    "carried_forward": "bool",
}
DYAD_KEYS = ["ccode1", "ccode2"]
# The COW state system starts in 1816; rivalry spells reaching back to 1494 do not move the
# table's first year.
STATE_SYSTEM_START = 1816
JOINT_DEMOCRACY_MIN_POLITY = 6

COVARIATE_FILES: dict[str, tuple[str, list[str]]] = {
    "contiguity": ("cow_contdir_v3.2.csv", ["ccode1", "ccode2", "conttype", "stdate", "enddate"]),
    "capabilities": ("cow_nmc.csv", ["ccode", "year", "cinc"]),
    "democracy": ("ccode_democracy.csv", ["ccode", "year", "polity2"]),
    "rivalry": ("tss_rivalries.csv", ["ccode1", "ccode2", "start", "end"]),
    "alliance": ("atop_alliance_v5.1_ddy.csv.gz", ["ccode1", "ccode2", "year", "atop_defense"]),
    "distance": ("cow_mindist.csv.gz", ["ccode1", "ccode2", "year", "mindist"]),
    "majors": ("cow_majors_2016.csv", ["ccode", "styear", "endyear"]),
}


@dataclass(frozen=True)
class YearValues:
    """One source's values by key and year, and the span of years the source covers."""

    values: pd.DataFrame  # key columns + "year" + "value"
    keys: tuple[str, ...]
    first_year: int
    last_year: int
    absent: object = None  # value inside the span for keys the source does not list


def read_covariate_file(data_dir: Path, source: str) -> pd.DataFrame:
    """Read only the needed columns of one covariate file, or say which file is the problem."""
    name, columns = COVARIATE_FILES[source]
    path = Path(data_dir) / name
    if not path.exists():
        raise DataFileError(
            path, f"file not found ({source} covariates need it)", "set FORECAST_DATA_DIR"
        )
    try:
        return pd.read_csv(path, usecols=columns)
    except ValueError as exc:
        raise DataFileError(
            path, f"cannot be read ({exc})", f"expected columns: {', '.join(columns)}"
        ) from exc


def expand_spells(spells: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """One row per year of each [start, end] spell (both ends inclusive), other columns kept."""
    first = spells[start].to_numpy(np.int64)
    length = np.maximum(spells[end].to_numpy(np.int64) - first + 1, 0)
    rows = np.repeat(np.arange(len(spells)), length)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(length) - length, length)
    out = spells.drop(columns=[start, end]).iloc[rows].reset_index(drop=True)
    out["year"] = first[rows] + offset
    return out


def both_directions(frame: pd.DataFrame) -> pd.DataFrame:
    """A non-directed dyad table applied to both directions (A-B also holds for B-A)."""
    swapped = frame.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    return pd.concat([frame, swapped[frame.columns]], ignore_index=True)


def packed_key(columns: list[np.ndarray], year: np.ndarray) -> np.ndarray:
    """One sortable int64 per (COW code..., year): codes are below 1000, years below 10000."""
    key = np.zeros(len(year), dtype=np.int64)
    for column in columns:
        key = key * 1000 + np.asarray(column, dtype=np.int64)
    return key * 10_000 + np.asarray(year, dtype=np.int64)


def attach(
    grid: pd.DataFrame, layer: YearValues, on: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    """Look up a layer's value for every grid row: (value as float, carried_forward).

    `on` maps the layer's key columns to the grid's. Years after the layer's span use its last
    year; inside the span a missing key gets `absent`; before the span the value is NaN. A
    sorted-array lookup (searchsorted) instead of a merge keeps million-row grids fast.
    """
    known = layer.values
    known_key = packed_key([known[k].to_numpy() for k in layer.keys], known["year"].to_numpy())
    order = np.argsort(known_key, kind="stable")
    known_key = known_key[order]
    known_value = known["value"].to_numpy(dtype=float)[order]
    year = grid["year"].to_numpy(np.int64)
    wanted = packed_key(
        [grid[on[k]].to_numpy() for k in layer.keys], np.minimum(year, layer.last_year)
    )
    at = np.minimum(np.searchsorted(known_key, wanted), max(len(known_key) - 1, 0))
    found = known_key[at] == wanted if len(known_key) else np.zeros(len(wanted), dtype=bool)
    value = np.where(found, known_value[at] if len(known_key) else np.nan, np.nan)
    if layer.absent is not None:
        value = np.where(np.isnan(value), float(layer.absent), value)
    value = np.where(year >= layer.first_year, value, np.nan)
    carried = (year > layer.last_year) & ~np.isnan(value)
    return value, carried


def request_dyads(dyads: pd.DataFrame) -> pd.DataFrame:
    """The requested dyads in both directions, unique and sorted."""
    missing = [c for c in DYAD_KEYS if c not in dyads]
    if missing:
        raise ForecastError(f"covariates: dyads table lacks column(s) {', '.join(missing)}")
    pairs = dyads[DYAD_KEYS].astype(np.int64)
    outside = ~(pairs["ccode1"].between(1, 999) & pairs["ccode2"].between(1, 999))
    if outside.any():
        first = pairs[outside].iloc[0].tolist()
        raise ForecastError(
            f"covariates: {int(outside.sum())} dyad(s) with a COW code outside 1-999, "
            f"e.g. {first}; drop or quarantine them first"
        )
    if (pairs["ccode1"] == pairs["ccode2"]).any():
        raise ForecastError("covariates: a dyad pairs a state with itself (ccode1 == ccode2)")
    return (
        both_directions(pairs)
        .drop_duplicates()
        .sort_values(DYAD_KEYS, kind="stable")
        .reset_index(drop=True)
    )


def dyad_year_grid(dyads: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """Every (directed dyad, year) in [first_year, last_year], sorted by dyad then year."""
    years = np.arange(first_year, last_year + 1, dtype=np.int64)
    return pd.DataFrame(
        {
            "ccode1": np.repeat(dyads["ccode1"].to_numpy(np.int64), len(years)),
            "ccode2": np.repeat(dyads["ccode2"].to_numpy(np.int64), len(years)),
            "year": np.tile(years, len(dyads)),
        }
    )


def _pair_key(frame: pd.DataFrame) -> np.ndarray:
    """A non-directed pair id (COW codes are below 1000)."""
    a, b = frame["ccode1"].to_numpy(np.int64), frame["ccode2"].to_numpy(np.int64)
    return np.minimum(a, b) * 1000 + np.maximum(a, b)


def _only_requested(frame: pd.DataFrame, dyads: pd.DataFrame) -> pd.DataFrame:
    return frame[np.isin(_pair_key(frame), _pair_key(dyads))]


def contiguity_layer(raw: pd.DataFrame, dyads: pd.DataFrame) -> YearValues:
    """Closest COW contiguity type in force at any time in the year (1 land ... 5, 0 none)."""
    spells = _only_requested(raw, dyads).assign(
        start=lambda f: f["stdate"].str[:4].astype(int),
        end=lambda f: f["enddate"].str[:4].astype(int),
    )
    years = expand_spells(spells[["ccode1", "ccode2", "conttype", "start", "end"]], "start", "end")
    values = (
        both_directions(years)
        .groupby(["ccode1", "ccode2", "year"], as_index=False)["conttype"]
        .min()
        .rename(columns={"conttype": "value"})
    )
    first = int(raw["stdate"].str[:4].astype(int).min())
    last = int(raw["enddate"].str[:4].astype(int).max())
    return YearValues(values, ("ccode1", "ccode2"), first, last, absent=0)


def state_year_layer(raw: pd.DataFrame, column: str) -> YearValues:
    """A measured state attribute (CINC, polity2): NA where the source has no value."""
    known = raw.dropna(subset=[column])
    values = known[["ccode", "year"]].assign(value=known[column].astype(float))
    return YearValues(
        values, ("ccode",), int(known["year"].min()), int(known["year"].max()), absent=None
    )


def majors_layer(raw: pd.DataFrame) -> YearValues:
    """Major-power status by state-year from COW's spells."""
    years = expand_spells(raw[["ccode", "styear", "endyear"]], "styear", "endyear")
    values = years.drop_duplicates().assign(value=True)
    return YearValues(
        values, ("ccode",), int(raw["styear"].min()), int(raw["endyear"].max()), absent=False
    )


def rivalry_layer(raw: pd.DataFrame, dyads: pd.DataFrame) -> YearValues:
    """Strategic rivalry (Thompson, Sakuwa and Suhas), non-directed, applied both ways."""
    spells = _only_requested(raw, dyads)[["ccode1", "ccode2", "start", "end"]]
    years = both_directions(expand_spells(spells, "start", "end"))
    values = years.drop_duplicates().assign(value=True)
    return YearValues(
        values, ("ccode1", "ccode2"), int(raw["start"].min()), int(raw["end"].max()), absent=False
    )


def alliance_layer(raw: pd.DataFrame, dyads: pd.DataFrame) -> YearValues:
    """ATOP defense pact, directed (ccode1 promised to defend ccode2)."""
    rows = _only_requested(raw, dyads)
    values = rows[["ccode1", "ccode2", "year"]].assign(value=rows["atop_defense"].eq(1))
    values = values.groupby(["ccode1", "ccode2", "year"], as_index=False)["value"].max()
    return YearValues(
        values, ("ccode1", "ccode2"), int(raw["year"].min()), int(raw["year"].max()), absent=False
    )


def distance_layer(raw: pd.DataFrame, dyads: pd.DataFrame) -> YearValues:
    """Minimum distance (km) on 1 January, non-directed; NA where a state did not exist."""
    rows = _only_requested(raw, dyads)
    values = both_directions(rows.rename(columns={"mindist": "value"})).drop_duplicates(
        ["ccode1", "ccode2", "year"]
    )
    return YearValues(
        values, ("ccode1", "ccode2"), int(raw["year"].min()), int(raw["year"].max()), absent=None
    )


def assemble(grid: pd.DataFrame, layers: dict[str, YearValues]) -> pd.DataFrame:
    """Put the layers on the grid and derive the combined columns, in the contract's dtypes."""
    dyad = {"ccode1": "ccode1", "ccode2": "ccode2"}
    side1, side2 = {"ccode": "ccode1"}, {"ccode": "ccode2"}
    lookups = {
        "contiguity": ("contiguity", dyad),
        "mindist_km": ("distance", dyad),
        "cinc1": ("capabilities", side1),
        "cinc2": ("capabilities", side2),
        "major1": ("majors", side1),
        "major2": ("majors", side2),
        "polity1": ("democracy", side1),
        "polity2": ("democracy", side2),
        "rivalry": ("rivalry", dyad),
        "defense_alliance": ("alliance", dyad),
    }
    table = grid.reset_index(drop=True).copy()
    carried = np.zeros(len(table), dtype=bool)
    for column, (layer, on) in lookups.items():
        value, was_carried = attach(table, layers[layer], on)
        table[column] = pd.Series(value).astype(COVARIATE_COLUMNS[column])
        carried |= was_carried
    table["carried_forward"] = carried
    return finish_covariates(table)


def finish_covariates(table: pd.DataFrame) -> pd.DataFrame:
    """Derive land_border, capability_share1 and joint_democracy; order and type the columns.

    Shared with the synthetic world so both produce exactly the same schema.
    """
    contiguity = table["contiguity"].astype("Int64")
    cinc1, cinc2 = table["cinc1"].astype("Float64"), table["cinc2"].astype("Float64")
    polity1, polity2 = table["polity1"].astype("Float64"), table["polity2"].astype("Float64")
    total = cinc1 + cinc2
    table = table.assign(
        land_border=contiguity.eq(1),
        capability_share1=(cinc1 / total).where(total > 0),
        joint_democracy=polity1.ge(JOINT_DEMOCRACY_MIN_POLITY)
        & polity2.ge(JOINT_DEMOCRACY_MIN_POLITY),
    )
    table = table[list(COVARIATE_COLUMNS)].astype(COVARIATE_COLUMNS)
    return table.sort_values(["ccode1", "ccode2", "year"], kind="stable").reset_index(drop=True)


def build_covariates(
    data_dir: Path, dyads: pd.DataFrame, years: tuple[int, int] | None = None
) -> pd.DataFrame:
    """The directed dyad-year covariate table for the requested dyads (both directions).

    Years run from 1816 (the state system's start) to the last year any source covers, unless
    `years` narrows them. Reads only the needed columns and rows of each file.
    """
    dyads = request_dyads(dyads)
    raw = {source: read_covariate_file(data_dir, source) for source in COVARIATE_FILES}
    layers = {
        "contiguity": contiguity_layer(raw["contiguity"], dyads),
        "capabilities": state_year_layer(raw["capabilities"], "cinc"),
        "democracy": state_year_layer(raw["democracy"], "polity2"),
        "majors": majors_layer(raw["majors"]),
        "rivalry": rivalry_layer(raw["rivalry"], dyads),
        "alliance": alliance_layer(raw["alliance"], dyads),
        "distance": distance_layer(raw["distance"], dyads),
    }
    first, last = years or (STATE_SYSTEM_START, max(layer.last_year for layer in layers.values()))
    return assemble(dyad_year_grid(dyads, first, last), layers)


def covariates_as_of(table: pd.DataFrame, dyads: pd.DataFrame) -> pd.DataFrame:
    """For each requested (ccode1, ccode2, year), the latest covariate year at or before `year`.

    Rows come back in the request's order with `covariate_year` added; `carried_forward` is
    True when the values come from an earlier year (or were already carried in the table).
    A dyad the table does not hold gets NA covariates and no covariate_year. Of two rows for
    one dyad-year the later is used. A sorted-array look-up, as in `attach`: a forecast asks
    for one row, and the fixed cost of a merge was most of its time.
    """
    missing = [c for c in [*DYAD_KEYS, "year"] if c not in dyads]
    if missing:
        raise ForecastError(f"covariates_as_of: request lacks column(s) {', '.join(missing)}")
    year = dyads["year"].to_numpy(np.int64)
    wanted = packed_key([dyads[k].to_numpy() for k in DYAD_KEYS], year)
    known = packed_key([table[k].to_numpy() for k in DYAD_KEYS], table["year"].to_numpy())
    order = np.argsort(known, kind="stable")
    known = known[order]
    # The last row at or before the requested year, if it belongs to the requested dyad.
    at = np.searchsorted(known, wanted, side="right") - 1
    safe = np.maximum(at, 0)
    found = (
        (at >= 0) & (known[safe] // 10_000 == wanted // 10_000)
        if len(known)
        else np.zeros(len(wanted), dtype=bool)
    )
    rows = np.where(found, order[safe] if len(known) else 0, -1)
    # Built column by column as arrays and framed once: on a one-row request the per-column
    # overhead of pandas is all there is.
    columns: dict[str, Any] = {
        "ccode1": dyads["ccode1"].to_numpy(np.int64),
        "ccode2": dyads["ccode2"].to_numpy(np.int64),
        "year": year,
    }
    for column, dtype in COVARIATE_COLUMNS.items():
        if column not in columns:
            nullable = "boolean" if dtype == "bool" else dtype
            values = pd.array(table[column]).astype(nullable, copy=False)
            columns[column] = values.take(rows, allow_fill=True)
    covariate_year = pd.array(table["year"]).astype("Int64", copy=False).take(rows, allow_fill=True)
    carried = columns["carried_forward"].fillna(False) | (covariate_year < year).fillna(False)
    columns["carried_forward"] = carried.to_numpy(dtype=bool)
    columns["covariate_year"] = covariate_year
    return pd.DataFrame(columns)
