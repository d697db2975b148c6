"""Covariates: spells become years, gaps are NA not zero, and carried values are flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import DataFileError, ForecastError
from forecast.sources.covariates import COVARIATE_COLUMNS, build_covariates, covariates_as_of

YEARS = (1990, 2010)


def _write(folder: Path, name: str, rows: list[tuple], columns: list[str]) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(folder / name, index=False)


def write_tiny_sources(folder: Path) -> Path:
    """Three states (1, 2, 3); each source ends in a different year (see the comments)."""
    span = range(1990, 2006)
    _write(  # ends 2000
        folder,
        "cow_contdir_v3.2.csv",
        [(1, 2, 1, "1900-01-01", "2000-12-01"), (1, 3, 4, "1996-06-01", "1998-01-01")],
        ["ccode1", "ccode2", "conttype", "stdate", "enddate"],
    )
    _write(  # ends 2005; state 3 has no capability data at all
        folder,
        "cow_nmc.csv",
        [(1, y, 0.3) for y in span] + [(2, y, 0.1) for y in span],
        ["ccode", "year", "cinc"],
    )
    _write(  # ends 2002
        folder,
        "ccode_democracy.csv",
        [(1, y, 8) for y in range(1990, 2003)]
        + [(2, y, 7 if y < 1995 else 3) for y in range(1990, 2003)],
        ["ccode", "year", "polity2"],
    )
    _write(  # non-directed, listed once as 1-2; the source runs 1980-2008
        folder,
        "tss_rivalries.csv",
        [(2, 3, 1980, 1985), (1, 2, 1995, 2008)],
        ["ccode1", "ccode2", "start", "end"],
    )
    _write(  # directed: 1 promised to defend 2, not the other way; ends 2003
        folder,
        "atop_alliance_v5.1_ddy.csv.gz",
        [(1, 2, y, 1) for y in range(1990, 2004)] + [(3, 1, 2003, 0)],
        ["ccode1", "ccode2", "year", "atop_defense"],
    )
    _write(  # starts 1995, ends 2006
        folder,
        "cow_mindist.csv.gz",
        [(1, 2, y, 0.0) for y in range(1995, 2007)] + [(1, 3, y, 250.0) for y in range(1995, 2007)],
        ["ccode1", "ccode2", "year", "mindist"],
    )
    _write(  # ends 2004
        folder,
        "cow_majors_2016.csv",
        [(1, 1990, 2004)],
        ["ccode", "styear", "endyear"],
    )
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> pd.DataFrame:
    dyads = pd.DataFrame({"ccode1": [1, 1], "ccode2": [2, 3]})
    return build_covariates(write_tiny_sources(tmp_path), dyads, years=YEARS)


def row(table: pd.DataFrame, a: int, b: int, year: int) -> pd.Series:
    match = table[(table["ccode1"] == a) & (table["ccode2"] == b) & (table["year"] == year)]
    assert len(match) == 1
    return match.iloc[0]


def test_table_has_the_contract_columns_and_dtypes(tiny: pd.DataFrame) -> None:
    assert dict(tiny.dtypes.astype(str)) == {
        k: str(pd.Series(dtype=v).dtype) for k, v in COVARIATE_COLUMNS.items()
    }


def test_each_requested_dyad_appears_in_both_directions_for_every_year(tiny: pd.DataFrame) -> None:
    pairs = set(zip(tiny["ccode1"], tiny["ccode2"], strict=True))
    assert pairs == {(1, 2), (2, 1), (1, 3), (3, 1)}
    assert len(tiny) == 4 * (YEARS[1] - YEARS[0] + 1)


def test_contiguity_spell_holds_only_in_its_years(tiny: pd.DataFrame) -> None:
    assert [row(tiny, 1, 3, y)["contiguity"] for y in (1995, 1996, 1998, 1999)] == [0, 4, 4, 0]


def test_land_border_means_contiguity_type_one(tiny: pd.DataFrame) -> None:
    assert row(tiny, 2, 1, 1995)["land_border"]
    assert not row(tiny, 1, 3, 1997)["land_border"]


def test_rivalry_listed_once_holds_in_both_directions(tiny: pd.DataFrame) -> None:
    assert row(tiny, 1, 2, 1996)["rivalry"] and row(tiny, 2, 1, 1996)["rivalry"]
    assert not row(tiny, 2, 1, 1994)["rivalry"]


def test_alliance_is_directed(tiny: pd.DataFrame) -> None:
    assert row(tiny, 1, 2, 1995)["defense_alliance"]
    assert not row(tiny, 2, 1, 1995)["defense_alliance"]


def test_years_before_a_source_starts_are_missing_not_zero(tiny: pd.DataFrame) -> None:
    assert pd.isna(row(tiny, 1, 2, 1994)["mindist_km"])
    assert row(tiny, 1, 2, 1995)["mindist_km"] == 0.0


def test_state_without_data_has_missing_capabilities_not_zero(tiny: pd.DataFrame) -> None:
    assert pd.isna(row(tiny, 1, 3, 1995)["cinc2"])
    assert pd.isna(row(tiny, 1, 3, 1995)["capability_share1"])


def test_years_after_a_source_ends_carry_its_last_value_with_a_flag(tiny: pd.DataFrame) -> None:
    later = row(tiny, 1, 2, 2001)
    assert later["contiguity"] == 1
    assert later["carried_forward"]
    assert not row(tiny, 1, 2, 2000)["carried_forward"]


def test_capability_share_is_own_cinc_over_the_dyad_total(tiny: pd.DataFrame) -> None:
    assert row(tiny, 1, 2, 1995)["capability_share1"] == pytest.approx(0.3 / 0.4)
    assert row(tiny, 2, 1, 1995)["capability_share1"] == pytest.approx(0.1 / 0.4)


def test_joint_democracy_needs_both_states_at_six_or_more(tiny: pd.DataFrame) -> None:
    assert row(tiny, 1, 2, 1994)["joint_democracy"]
    assert not row(tiny, 1, 2, 1995)["joint_democracy"]


def test_major_power_flag_follows_the_spell(tiny: pd.DataFrame) -> None:
    assert row(tiny, 1, 2, 1999)["major1"] and not row(tiny, 1, 2, 1999)["major2"]
    assert row(tiny, 2, 1, 1999)["major2"]


def test_missing_file_error_names_the_file(tmp_path: Path) -> None:
    write_tiny_sources(tmp_path)
    (tmp_path / "cow_nmc.csv").unlink()
    with pytest.raises(DataFileError, match=r"cow_nmc\.csv"):
        build_covariates(tmp_path, pd.DataFrame({"ccode1": [1], "ccode2": [2]}))


def test_dyad_with_a_missing_country_code_is_refused_with_its_codes(tmp_path: Path) -> None:
    write_tiny_sources(tmp_path)
    with pytest.raises(ForecastError, match=r"outside 1-999, e\.g\. \[-9, 2\]"):
        build_covariates(tmp_path, pd.DataFrame({"ccode1": [-9], "ccode2": [2]}))


def test_as_of_a_later_year_uses_the_last_known_year_and_flags_it(tiny: pd.DataFrame) -> None:
    answer = covariates_as_of(tiny, pd.DataFrame({"ccode1": [1], "ccode2": [2], "year": [2024]}))
    assert answer.loc[0, "covariate_year"] == YEARS[1]
    assert answer.loc[0, "carried_forward"]
    assert answer.loc[0, "land_border"]


def test_as_of_a_covered_year_is_that_year_unflagged(tiny: pd.DataFrame) -> None:
    answer = covariates_as_of(tiny, pd.DataFrame({"ccode1": [2], "ccode2": [1], "year": [1997]}))
    assert answer.loc[0, "covariate_year"] == 1997
    assert not answer.loc[0, "carried_forward"]


def test_as_of_keeps_the_request_order_and_unknown_dyads_get_missing_values(
    tiny: pd.DataFrame,
) -> None:
    request = pd.DataFrame({"ccode1": [1, 7, 2], "ccode2": [3, 8, 1], "year": [2000, 2000, 1991]})
    answer = covariates_as_of(tiny, request)
    assert answer["ccode1"].tolist() == [1, 7, 2]
    assert pd.isna(answer.loc[1, "covariate_year"]) and pd.isna(answer.loc[1, "contiguity"])


@pytest.fixture(scope="module")
def tiny_module(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = write_tiny_sources(tmp_path_factory.mktemp("covariates"))
    return build_covariates(folder, pd.DataFrame({"ccode1": [1], "ccode2": [2]}), years=YEARS)


@settings(max_examples=40, deadline=None)
@given(years=st.lists(st.integers(1990, 2040), min_size=1, max_size=20))
def test_as_of_never_looks_past_the_requested_year(
    tiny_module: pd.DataFrame, years: list[int]
) -> None:
    request = pd.DataFrame({"ccode1": 1, "ccode2": 2, "year": years})
    answer = covariates_as_of(tiny_module, request)
    assert (answer["covariate_year"] <= answer["year"]).all()
    assert (answer["carried_forward"] | (answer["covariate_year"] == answer["year"])).all()


def _plain_as_of(table: pd.DataFrame, c1: int, c2: int, year: int) -> pd.Series | None:
    """The oracle: the dyad's rows at or before `year`, the latest year, the last such row."""
    rows = table[(table["ccode1"] == c1) & (table["ccode2"] == c2) & (table["year"] <= year)]
    if rows.empty:
        return None
    return rows[rows["year"] == rows["year"].max()].iloc[-1]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([(1, 2), (2, 1), (1, 3)]), st.integers(1990, 2005), st.booleans()
        ),
        max_size=12,
    ),
    requests=st.lists(
        st.tuples(st.sampled_from([(1, 2), (2, 1), (3, 1)]), st.integers(1985, 2010)),
        min_size=1,
        max_size=8,
    ),
)
def test_as_of_takes_the_latest_row_at_or_before_each_year(
    tiny_module: pd.DataFrame, rows: list[tuple], requests: list[tuple]
) -> None:
    template = tiny_module.iloc[[0]]
    table = pd.concat(
        [
            template.assign(ccode1=a, ccode2=b, year=year, carried_forward=carried, mindist_km=i)
            for i, ((a, b), year, carried) in enumerate(rows)
        ]
        or [template.iloc[:0]],
        ignore_index=True,
    ).astype(COVARIATE_COLUMNS)
    request = pd.DataFrame(
        [(a, b, year) for (a, b), year in requests], columns=["ccode1", "ccode2", "year"]
    )
    answer = covariates_as_of(table, request)
    assert answer[["ccode1", "ccode2", "year"]].values.tolist() == request.values.tolist()
    assert answer.dtypes.drop("covariate_year").to_dict() == {
        c: pd.api.types.pandas_dtype(t) for c, t in COVARIATE_COLUMNS.items()
    }
    for position, ((a, b), year) in enumerate(requests):
        expected = _plain_as_of(table, a, b, year)
        got = answer.iloc[position]
        if expected is None:
            assert pd.isna(got["covariate_year"]) and pd.isna(got["mindist_km"])
            assert not got["carried_forward"]
        else:
            assert got["covariate_year"] == expected["year"]
            assert got["mindist_km"] == expected["mindist_km"]
            assert got["carried_forward"] == (
                expected["carried_forward"] or expected["year"] < year
            )


@pytest.mark.real_data
def test_real_iran_and_pakistan_share_a_land_border(real_data_dir: Path) -> None:
    table = build_covariates(
        real_data_dir, pd.DataFrame({"ccode1": [630, 750], "ccode2": [770, 770]})
    )
    assert row(table, 630, 770, 2000)["land_border"]
    assert row(table, 770, 750, 2000)["rivalry"]


@pytest.mark.real_data
def test_real_years_past_polity_end_are_carried_and_flagged(real_data_dir: Path) -> None:
    table = build_covariates(real_data_dir, pd.DataFrame({"ccode1": [630], "ccode2": [770]}))
    assert table["year"].max() >= 2020
    late = row(table, 630, 770, 2020)
    assert late["carried_forward"] and late["polity2"] == row(table, 630, 770, 2017)["polity2"]
    assert not row(table, 630, 770, 2000)["carried_forward"]


@pytest.mark.real_data
def test_real_build_covers_every_mie_dyad_in_both_directions(real_data_dir: Path) -> None:
    mie = pd.read_csv(real_data_dir / "mie_events_v1.0.csv", usecols=["ccode1", "ccode2"])
    mie = mie[(mie["ccode1"] > 0) & (mie["ccode2"] > 0) & (mie["ccode1"] != mie["ccode2"])]
    table = build_covariates(real_data_dir, mie.drop_duplicates())
    covered = set(zip(table["ccode1"], table["ccode2"], strict=True))
    wanted = set(zip(mie["ccode1"], mie["ccode2"], strict=True))
    assert wanted <= covered
    assert {(b, a) for a, b in wanted} <= covered
