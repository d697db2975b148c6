"""The synthetic world's states: real identities, land borders, rivalries, and drifting attributes.

Identities (COW code, ISO3, name, region, capital) and land borders are written down from public
knowledge so the offline default can still show real dyads such as Iran-Pakistan. Everything
else (capability levels and drift, regime scores, rivalry and alliance years) is a stylised
stand-in: close enough to history that the world looks familiar, never a claim about it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.sources.covariates import finish_covariates

# (COW code, ISO3, name, region, capital latitude, capital longitude, base CINC share,
#  base polity score, first year as a state in the synthetic world)
STATES: tuple[tuple[int, str, str, str, float, float, float, int, int], ...] = (
    (2, "USA", "United States", "Americas", 38.9, -77.0, 0.200, 10, 1946),
    (20, "CAN", "Canada", "Americas", 45.4, -75.7, 0.010, 10, 1946),
    (40, "CUB", "Cuba", "Americas", 23.1, -82.4, 0.002, -7, 1946),
    (70, "MEX", "Mexico", "Americas", 19.4, -99.1, 0.010, -3, 1946),
    (200, "GBR", "United Kingdom", "Europe", 51.5, -0.1, 0.040, 10, 1946),
    (220, "FRA", "France", "Europe", 48.9, 2.4, 0.030, 9, 1946),
    (230, "ESP", "Spain", "Europe", 40.4, -3.7, 0.012, -7, 1946),
    (325, "ITA", "Italy", "Europe", 41.9, 12.5, 0.020, 10, 1946),
    (365, "RUS", "Russia", "Europe", 55.8, 37.6, 0.150, -7, 1946),
    (520, "SOM", "Somalia", "Africa", 2.0, 45.3, 0.001, -7, 1960),
    (530, "ETH", "Ethiopia", "Africa", 9.0, 38.7, 0.004, -7, 1946),
    (600, "MAR", "Morocco", "Africa", 34.0, -6.8, 0.004, -6, 1956),
    (615, "DZA", "Algeria", "Africa", 36.8, 3.1, 0.005, -3, 1962),
    (620, "LBY", "Libya", "Africa", 32.9, 13.2, 0.002, -7, 1951),
    (625, "SDN", "Sudan", "Africa", 15.6, 32.5, 0.004, -4, 1956),
    (630, "IRN", "Iran", "Middle East", 35.7, 51.4, 0.012, -6, 1946),
    (640, "TUR", "Turkey", "Middle East", 39.9, 32.9, 0.012, 7, 1946),
    (645, "IRQ", "Iraq", "Middle East", 33.3, 44.4, 0.006, -5, 1946),
    (651, "EGY", "Egypt", "Middle East", 30.0, 31.2, 0.010, -6, 1946),
    (652, "SYR", "Syria", "Middle East", 33.5, 36.3, 0.003, -7, 1946),
    (660, "LBN", "Lebanon", "Middle East", 33.9, 35.5, 0.001, 2, 1946),
    (663, "JOR", "Jordan", "Middle East", 31.9, 35.9, 0.001, -4, 1946),
    (666, "ISR", "Israel", "Middle East", 31.8, 35.2, 0.004, 9, 1948),
    (670, "SAU", "Saudi Arabia", "Middle East", 24.7, 46.7, 0.006, -10, 1946),
    (679, "YEM", "Yemen", "Middle East", 15.4, 44.2, 0.002, -5, 1946),
    (690, "KWT", "Kuwait", "Middle East", 29.4, 48.0, 0.001, -7, 1961),
    (698, "OMN", "Oman", "Middle East", 23.6, 58.4, 0.001, -9, 1971),
    (700, "AFG", "Afghanistan", "Asia", 34.5, 69.2, 0.002, -7, 1946),
    (710, "CHN", "China", "Asia", 39.9, 116.4, 0.100, -7, 1946),
    (731, "PRK", "North Korea", "Asia", 39.0, 125.8, 0.006, -9, 1948),
    (732, "KOR", "South Korea", "Asia", 37.6, 127.0, 0.010, 1, 1949),
    (740, "JPN", "Japan", "Asia", 35.7, 139.7, 0.040, 10, 1952),
    (750, "IND", "India", "Asia", 28.6, 77.2, 0.040, 9, 1947),
    (770, "PAK", "Pakistan", "Asia", 33.7, 73.1, 0.010, 0, 1947),
    (771, "BGD", "Bangladesh", "Asia", 23.8, 90.4, 0.004, 0, 1971),
    (775, "MMR", "Myanmar", "Asia", 16.8, 96.2, 0.004, -6, 1948),
    (790, "NPL", "Nepal", "Asia", 27.7, 85.3, 0.002, -5, 1946),
    (800, "THA", "Thailand", "Asia", 13.8, 100.5, 0.008, -2, 1946),
    (811, "KHM", "Cambodia", "Asia", 11.6, 104.9, 0.002, -7, 1953),
    (812, "LAO", "Laos", "Asia", 18.0, 102.6, 0.001, -7, 1954),
    (816, "VNM", "Vietnam", "Asia", 21.0, 105.8, 0.008, -7, 1954),
)

# Land borders among these states (public knowledge; the Soviet Union's borders with Turkey,
# Iran and Afghanistan are kept for the whole period because COW code 365 covers it).
LAND_BORDERS: tuple[tuple[int, int], ...] = (
    (2, 20), (2, 70), (220, 230), (220, 325), (365, 640), (365, 630), (365, 700), (365, 710),
    (365, 731), (520, 530), (530, 625), (600, 615), (615, 620), (620, 651), (620, 625),
    (625, 651), (630, 640), (630, 645), (630, 700), (630, 770), (640, 645), (640, 652),
    (645, 652), (645, 663), (645, 670), (645, 690), (651, 666), (652, 660), (652, 663),
    (652, 666), (660, 666), (663, 666), (663, 670), (670, 679), (670, 690), (670, 698),
    (679, 698), (700, 710), (700, 770), (710, 731), (710, 750), (710, 770), (710, 775),
    (710, 790), (710, 812), (710, 816), (731, 732), (750, 770), (750, 771), (750, 775),
    (750, 790), (771, 775), (775, 800), (775, 812), (800, 811), (800, 812), (811, 812),
    (811, 816), (812, 816),
)  # fmt: skip

# Strategic rivalries (non-directed, first and last year), after the usual lists.
RIVALRIES: tuple[tuple[int, int, int, int], ...] = (
    (2, 365, 1946, 2014), (2, 40, 1959, 2014), (2, 710, 1949, 2014), (2, 630, 1979, 2014),
    (2, 731, 1950, 2014), (520, 530, 1960, 2014), (600, 615, 1962, 2014), (620, 651, 1973, 1990),
    (630, 645, 1958, 2003), (630, 670, 1979, 2014), (645, 690, 1961, 2003), (651, 666, 1948, 1979),
    (652, 666, 1948, 2014), (663, 666, 1948, 1994), (660, 666, 1948, 2014), (640, 652, 1955, 2014),
    (700, 770, 1947, 2014), (710, 750, 1948, 2014), (710, 365, 1958, 1989), (710, 816, 1973, 2014),
    (731, 732, 1948, 2014), (740, 710, 1996, 2014), (750, 770, 1947, 2014), (800, 811, 1953, 2014),
)  # fmt: skip

# Defense pacts (non-directed, first and last year), stylised from NATO, the US treaties in Asia,
# SEATO/CENTO and the Sino-Soviet bloc.
DEFENSE_PACTS: tuple[tuple[int, int, int, int], ...] = (
    (2, 20, 1949, 2014), (2, 200, 1949, 2014), (2, 220, 1949, 2014), (2, 325, 1949, 2014),
    (2, 640, 1952, 2014), (200, 220, 1949, 2014), (2, 740, 1951, 2014), (2, 732, 1953, 2014),
    (2, 770, 1954, 1979), (200, 770, 1955, 1979), (365, 731, 1961, 2014), (710, 731, 1961, 2014),
    (365, 710, 1950, 1979), (2, 800, 1954, 1977), (651, 652, 1955, 1970), (670, 690, 1981, 2014),
)  # fmt: skip

# Major powers (COW code, first and last year), after COW's list.
MAJOR_POWERS: tuple[tuple[int, int, int], ...] = (
    (2, 1946, 2014), (200, 1946, 2014), (220, 1946, 2014), (365, 1946, 2014), (710, 1950, 2014),
    (740, 1991, 2014),
)  # fmt: skip

_EARTH_RADIUS_KM = 6371.0
# Capitals are not borders: an allowance (km) turning capital-to-capital distance into a
# rough minimum distance for states without a land border.
_CAPITAL_TO_BORDER_KM = 400.0


def states_table() -> pd.DataFrame:
    """One row per synthetic state: identity, region, capital and base attributes."""
    columns = ["cow", "iso3", "name", "region", "lat", "lon", "base_cinc", "base_polity", "entry"]
    table = pd.DataFrame(STATES, columns=columns)
    return table.astype({"iso3": "string", "name": "string", "region": "string"})


def _pairs_by_year(pairs: tuple[tuple[int, int, int, int], ...], years: np.ndarray) -> pd.DataFrame:
    """Directed (ccode1, ccode2, year) rows inside each non-directed spell."""
    frame = pd.DataFrame(pairs, columns=["ccode1", "ccode2", "start", "end"])
    frame = pd.concat(
        [frame, frame.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})], ignore_index=True
    )
    rows = frame.merge(pd.DataFrame({"year": years}), how="cross")
    return rows[(rows["year"] >= rows["start"]) & (rows["year"] <= rows["end"])][
        ["ccode1", "ccode2", "year"]
    ]


def drifting_attributes(
    states: pd.DataFrame, years: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """State-year CINC-like capability and polity-like regime score, each a seeded random walk.

    Capabilities drift multiplicatively (2% a year) around the base share; regime scores take
    occasional steps and stay within -10..10, so joint democracy changes for some dyads.
    """
    n_states, n_years = len(states), len(years)
    log_steps = rng.normal(0.0, 0.02, size=(n_states, n_years))
    cinc = states["base_cinc"].to_numpy()[:, None] * np.exp(np.cumsum(log_steps, axis=1))
    polity_steps = rng.choice([-3, 0, 3], p=[0.04, 0.92, 0.04], size=(n_states, n_years))
    polity = np.clip(
        states["base_polity"].to_numpy()[:, None] + np.cumsum(polity_steps, 1), -10, 10
    )
    return pd.DataFrame(
        {
            "ccode": np.repeat(states["cow"].to_numpy(np.int64), n_years),
            "year": np.tile(years, n_states),
            "cinc": cinc.ravel(),
            "polity": polity.ravel().astype(float),
        }
    )


def _distance_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance between capitals (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def world_covariates(
    states: pd.DataFrame, start_year: int, end_year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The covariate table of the synthetic world, in forecast.sources.covariates' schema.

    A state has no attributes before its entry year (NA, as in the real sources); nothing is
    carried forward because every attribute covers the whole simulated period.
    """
    years = np.arange(start_year, end_year + 1, dtype=np.int64)
    codes = states["cow"].to_numpy(np.int64)
    first, second = np.meshgrid(np.arange(len(codes)), np.arange(len(codes)), indexing="ij")
    keep = first != second
    i = np.repeat(first[keep], len(years))
    j = np.repeat(second[keep], len(years))
    year = np.tile(years, int(keep.sum()))
    grid = pd.DataFrame({"ccode1": codes[i], "ccode2": codes[j], "year": year})

    borders = np.array(LAND_BORDERS, dtype=np.int64)
    low, high = np.minimum(codes[i], codes[j]), np.maximum(codes[i], codes[j])
    border = np.isin(low * 1000 + high, borders.min(axis=1) * 1000 + borders.max(axis=1))
    lat, lon = states["lat"].to_numpy(), states["lon"].to_numpy()
    capital_km = _distance_km(lat[i], lon[i], lat[j], lon[j])
    grid["contiguity"] = np.where(border, 1, 0)
    grid["mindist_km"] = np.where(border, 0.0, np.maximum(capital_km - _CAPITAL_TO_BORDER_KM, 0.0))

    attributes = drifting_attributes(states, years, rng)
    entry = states.set_index("cow")["entry"]
    attributes = attributes[
        attributes["year"].to_numpy() >= entry.loc[attributes["ccode"]].to_numpy()
    ]
    for side in ("1", "2"):
        grid = grid.merge(
            attributes.rename(
                columns={"ccode": f"ccode{side}", "cinc": f"cinc{side}", "polity": f"polity{side}"}
            ),
            on=[f"ccode{side}", "year"],
            how="left",
        )
    # Like cshapes' distances, none before both states exist.
    exists = grid["cinc1"].notna() & grid["cinc2"].notna()
    grid["mindist_km"] = grid["mindist_km"].where(exists)
    majors = pd.DataFrame(MAJOR_POWERS, columns=["ccode", "start", "end"])
    major_rows = majors.merge(pd.DataFrame({"year": years}), how="cross")
    major_rows = major_rows[
        (major_rows["year"] >= major_rows["start"]) & (major_rows["year"] <= major_rows["end"])
    ]
    major_set = pd.MultiIndex.from_frame(major_rows[["ccode", "year"]])
    for side in ("1", "2"):
        keys = pd.MultiIndex.from_arrays([grid[f"ccode{side}"], grid["year"]])
        grid[f"major{side}"] = keys.isin(major_set)
    for column, spells in (("rivalry", RIVALRIES), ("defense_alliance", DEFENSE_PACTS)):
        active = pd.MultiIndex.from_frame(_pairs_by_year(spells, years))
        grid[column] = pd.MultiIndex.from_frame(grid[["ccode1", "ccode2", "year"]]).isin(active)
    grid["carried_forward"] = False
    return finish_covariates(grid)
