"""Sentence splitting for news text, with each sentence's place in the article kept.

`sentencex` (Wikimedia's rule-based segmenter: per-language abbreviation lists and
punctuation rules, no model, nothing downloaded) splits each line. It reads a text once, so the
time grows with the report's length: a 1 MB report pasted as one line takes about as long per
character as a paragraph. It keeps every character of the line in its sentences, so the evidence
quoted from a sentence is the report's own words. A sentence is at most MAX_SENTENCE_CHARS
long: a stretch with no sentence end (a table, a list) is cut between words, which bounds the
coder's work per sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sentencex import segment

LANGUAGE = "en"
# Longer than any sentence of prose; a longer stretch is a table or a list, cut between words.
MAX_SENTENCE_CHARS = 2_000


@dataclass(frozen=True)
class Sentence:
    """One sentence: its 1-based number in the article (the evidence pointer) and its text."""

    number: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences in order, stripped, empty ones dropped."""
    pieces = (piece.strip() for line in text.splitlines() for piece in line_sentences(line))
    return [Sentence(number, piece) for number, piece in enumerate(filter(None, pieces), start=1)]


def line_sentences(line: str) -> Iterator[str]:
    """The sentences of one line (with their spaces), none longer than MAX_SENTENCE_CHARS."""
    for sentence in segment(LANGUAGE, line):
        yield from bounded(sentence)


def bounded(sentence: str) -> Iterator[str]:
    """The sentence whole, or cut at the last space before every MAX_SENTENCE_CHARS (so that no
    word, and no name, is split; a stretch with no space at all is cut where it must be)."""
    start = 0
    while len(sentence) - start > MAX_SENTENCE_CHARS:
        window = sentence[start : start + MAX_SENTENCE_CHARS]
        cut = window.rfind(" ") + 1 or len(window)
        yield window[:cut]
        start += cut
    yield sentence[start:]
