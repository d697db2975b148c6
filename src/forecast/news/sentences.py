"""Sentence splitting for news text, with each sentence's place in the article kept."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pysbd


@dataclass(frozen=True)
class Sentence:
    """One sentence: its 1-based number in the article (the evidence pointer) and its text."""

    number: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # pysbd's English rules know abbreviations ("U.S.", "Jan.") that a split on full stops
    # would cut; clean=False keeps the text exactly as written so quoted evidence matches it.
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences in order, stripped, empty ones dropped."""
    pieces = (piece.strip() for line in text.splitlines() for piece in _segmenter().segment(line))
    return [Sentence(number, piece) for number, piece in enumerate(filter(None, pieces), start=1)]
