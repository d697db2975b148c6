"""Estimative language after ICD 203: bands, their boundaries and the key-judgment sentence."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.core.wording import (
    ICD_203_BANDS,
    band_for,
    estimative_phrase,
    horizon_text,
    key_judgment,
)


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.0, "almost no chance"),
        (0.03, "almost no chance"),
        (0.10, "very unlikely"),
        (0.30, "unlikely"),
        (0.50, "roughly even chance"),
        (0.70, "likely"),
        (0.90, "very likely"),
        (0.97, "almost certainly"),
        (1.0, "almost certainly"),
    ],
)
def test_band_inside_each_range(probability: float, term: str) -> None:
    assert band_for(probability).term == term


@pytest.mark.parametrize(
    ("boundary", "below", "at"),
    [
        (0.05, "almost no chance", "very unlikely"),
        (0.20, "very unlikely", "unlikely"),
        (0.45, "unlikely", "roughly even chance"),
        (0.55, "roughly even chance", "likely"),
        (0.80, "likely", "very likely"),
        (0.95, "very likely", "almost certainly"),
    ],
)
def test_boundary_takes_the_band_above_it(boundary: float, below: str, at: str) -> None:
    assert band_for(boundary - 1e-9).term == below
    assert band_for(boundary).term == at


def test_bands_tile_the_icd_ranges_without_gaps() -> None:
    for lower, upper in itertools.pairwise(ICD_203_BANDS):
        assert lower.high == upper.low


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_probability_outside_zero_one_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        band_for(bad)


def test_phrase_shows_term_and_range() -> None:
    assert estimative_phrase(0.87) == "very likely (80-95 %)"


def test_key_judgment_reads_like_the_seed_example() -> None:
    sentence = key_judgment("Pakistan", "Iran", 0.87, 7)
    assert sentence == "Pakistan is very likely (80-95 %) to use force against Iran within 7 days."


def test_key_judgment_grammar_for_even_chance() -> None:
    sentence = key_judgment("India", "Pakistan", 0.5, 30)
    assert sentence.startswith("India has a roughly even chance (45-55 %) of using force")


def test_key_judgment_grammar_for_almost_no_chance() -> None:
    sentence = key_judgment("India", "Pakistan", 0.02, 30)
    assert sentence.startswith("There is almost no chance (1-5 %) that India will use force")


def test_key_judgment_grammar_for_almost_certainly() -> None:
    assert "will almost certainly (95-99 %) use force" in key_judgment("A", "B", 0.99, 7)


def test_one_day_horizon_is_singular() -> None:
    assert horizon_text(1) == "within 1 day"


@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=1.0))
def test_terms_never_weaken_as_probability_rises(p: float, q: float) -> None:
    low, high = sorted((p, q))
    order = [band.term for band in ICD_203_BANDS]
    assert order.index(band_for(low).term) <= order.index(band_for(high).term)


@given(st.floats(min_value=0.01, max_value=0.99))
def test_probability_lies_in_its_band_range(p: float) -> None:
    band = band_for(p)
    assert band.low <= p <= band.high
