"""Estimative language: probabilities into the words policy readers are trained to read.

The bands follow ODNI Intelligence Community Directive 203, so "likely" in our brief means what it
means in every other assessment on a reader's desk. Each band is half-open, [low, high): a
probability exactly on a boundary takes the stronger word above it (0.80 is "very likely"), and
values beyond the outer bands (below 1 % or above 99 %) keep the outermost word, because ICD 203
has no words past them and a model's 0.995 is not more certain than "almost certainly".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class EstimativeBand:
    """One ICD 203 term with the probability range it stands for."""

    term: str
    low: float
    high: float

    @property
    def range_text(self) -> str:
        """The band's range as readers see it next to the word: '80-95 %'."""
        return f"{round(self.low * 100)}-{round(self.high * 100)} %"


ICD_203_BANDS: tuple[EstimativeBand, ...] = (
    EstimativeBand("almost no chance", 0.01, 0.05),
    EstimativeBand("very unlikely", 0.05, 0.20),
    EstimativeBand("unlikely", 0.20, 0.45),
    EstimativeBand("roughly even chance", 0.45, 0.55),
    EstimativeBand("likely", 0.55, 0.80),
    EstimativeBand("very likely", 0.80, 0.95),
    EstimativeBand("almost certainly", 0.95, 0.99),
)


def band_for(probability: float) -> EstimativeBand:
    """The ICD 203 band a probability falls in (half-open bands, outer bands open-ended)."""
    if probability is None or math.isnan(probability) or not 0.0 <= probability <= 1.0:
        raise ValueError(f"a probability must lie between 0 and 1, got {probability!r}")
    for band in ICD_203_BANDS[1:]:
        if probability < band.low:
            return _previous(band)
    return ICD_203_BANDS[-1]


def _previous(band: EstimativeBand) -> EstimativeBand:
    return ICD_203_BANDS[ICD_203_BANDS.index(band) - 1]


def estimative_phrase(probability: float) -> str:
    """The term with its range, as printed next to a forecast: 'very likely (80-95 %)'."""
    band = band_for(probability)
    return f"{band.term} ({band.range_text})"


def horizon_text(days: int) -> str:
    """'within 7 days', 'within 1 day'."""
    return f"within {days} day" + ("" if days == 1 else "s")


def key_judgment(responder: str, provoker: str, probability: float, days: int) -> str:
    """One sentence a reader can quote: who is how likely to use force against whom, and when.

    `responder` is the target of the trigger (the state that may strike back) and `provoker` its
    initiator. The grammar follows the term, because "is roughly even chance to" is not English.
    """
    band = band_for(probability)
    within = horizon_text(days)
    rng = band.range_text
    if band.term == "almost no chance":
        return (
            f"There is almost no chance ({rng}) that {responder} will use force against "
            f"{provoker} {within}."
        )
    if band.term == "roughly even chance":
        return (
            f"{responder} has a roughly even chance ({rng}) of using force against "
            f"{provoker} {within}."
        )
    if band.term == "almost certainly":
        return f"{responder} will almost certainly ({rng}) use force against {provoker} {within}."
    return f"{responder} is {band.term} ({rng}) to use force against {provoker} {within}."


def readable_date(value: object) -> str:
    """A date as a reader writes it, '16 January 2024', never '2024-01-16'."""
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%B %Y}"


def percent(probability: float | None) -> str:
    """A probability as a whole percentage, '87 %', or '<1 %' so that nothing reads as zero."""
    if probability is None or math.isnan(probability):
        return "–"
    if probability < 0.005:
        return "<1 %"
    if probability > 0.995:
        return ">99 %"
    return f"{round(probability * 100)} %"
