"""Countries typed as COW codes, ISO3 codes or names all resolve to one COW code."""

import pandas as pd
import pytest

from forecast.core.countries import cow_to_iso3, cow_to_name, resolve_countries, resolve_country
from forecast.core.errors import UnknownCountryError


@pytest.mark.parametrize("typed", ["IRN", "Iran", "iran", "630", 630])
def test_iran_resolves_from_any_spelling(typed: object) -> None:
    assert resolve_country(typed) == 630


def test_germany_uses_the_cow_code_not_the_gleditsch_ward_one() -> None:
    assert resolve_country("DEU") == 255


def test_unknown_country_error_shows_the_value() -> None:
    with pytest.raises(UnknownCountryError, match="Atlantis"):
        resolve_country("Atlantis")


def test_column_resolution_leaves_unknowns_missing() -> None:
    out = resolve_countries(pd.Series(["PAK", "Atlantis", None]))
    assert out.iloc[0] == 770
    assert out.iloc[1:].isna().all()


def test_names_and_iso3_for_cow_codes() -> None:
    codes = pd.Series([770, 750, 99999])
    assert cow_to_iso3(codes).iloc[:2].tolist() == ["PAK", "IND"]
    assert cow_to_name(codes).tolist() == ["Pakistan", "India", "COW 99999"]


@pytest.mark.parametrize(
    ("cow", "name"), [(530, "Ethiopia"), (345, "Serbia"), (679, "Yemen"), (365, "Russia")]
)
def test_states_whose_codes_differ_between_lists_have_names(cow: int, name: str) -> None:
    assert cow_to_name(pd.Series([cow])).iloc[0] == name


def test_digit_like_unicode_is_not_taken_for_a_cow_code() -> None:
    with pytest.raises(UnknownCountryError):
        resolve_country("²")
