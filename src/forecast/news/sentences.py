"""Sentence splitting for news text, with each sentence's place in the article kept.

pysbd's time grows with the square of the text it is handed: each abbreviation it meets ("no",
"Gen") rewrites the whole text, and each sentence it returns is searched for from the start of
the text. Lines are split first, so a report in ordinary paragraphs costs little, but a report
pasted as one long line (1 MB took hours) does not. A line longer than any paragraph is
therefore first cut into pieces of at most WINDOW_CHARS at places where every splitter ends a
sentence (a full stop after a lower-case word, then a capital, outside any quotation or
parenthesis), and a piece with no such place is read in overlapping windows. Each character then
reaches pysbd about once, so the time grows with the text's length; the length of a sentence,
and with it the coder's work per sentence, is bounded too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# A line up to this long goes to pysbd whole, as every line always did: a news paragraph is a
# few hundred characters, so a normal report is split exactly as before.
WHOLE_LINE_CHARS = 5_000
# A longer line is read this many characters at a time: pysbd's cost per character is lowest
# on small texts, and a window must still hold a long sentence and what follows it.
WINDOW_CHARS = 2_000
# Only the sentences that end this far before a window's end are kept; the rest of the window is
# read again as the start of the next one. pysbd does not split inside a quotation or
# parenthesis it can pair, so one opened near the window's end must be seen with its close.
WINDOW_MARGIN_CHARS = 500
# A sentence end no splitter disputes: a full stop, question or exclamation mark after a word of
# three or more lower-case letters (so not "Gen." or "U.S."), then space and a capital.
_PLAIN_END = re.compile(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z])")
# Straight quotes pair with themselves; these open and close. A cut is safe only where each
# count is balanced since the last cut, since pysbd does not split inside a quotation.
_OPENERS, _CLOSERS = "(“‘", ")”’"


@dataclass(frozen=True)
class Sentence:
    """One sentence: its 1-based number in the article (the evidence pointer) and its text."""

    number: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    # pysbd's English rules know abbreviations ("U.S.", "Jan.") that a split on full stops
    # would cut; clean=False keeps the text exactly as written so quoted evidence matches it.
    # char_span=True gives the same sentences with where each ends, which the windows need.
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences in order, stripped, empty ones dropped."""
    pieces = (piece.strip() for line in text.splitlines() for piece in line_sentences(line))
    return [Sentence(number, piece) for number, piece in enumerate(filter(None, pieces), start=1)]


def line_sentences(line: str) -> Iterator[str]:
    """pysbd's sentences of one line (with their trailing spaces), a long line piece by piece."""
    if len(line) <= WHOLE_LINE_CHARS:
        yield from (span.sent for span in _segmenter().segment(line))
        return
    for piece in plain_pieces(line):
        yield from _windowed_sentences(piece)


def plain_pieces(line: str) -> Iterator[str]:
    """The line cut at plain sentence ends into pieces of at most WINDOW_CHARS where it can be.

    Each candidate end is met once and the quotation counts are kept as running totals, so the
    cutting is linear; a stretch with no plain end stays one piece, read in windows later.
    """
    start, best = 0, None
    tally, tally_at, scanned = [0, 0, 0], {0: (0, 0, 0)}, 0
    for match in _PLAIN_END.finditer(line):
        cut = match.end()
        chunk = line[scanned:cut]
        tally[0] += chunk.count('"')
        tally[1] += sum(chunk.count(c) for c in _OPENERS)
        tally[2] += sum(chunk.count(c) for c in _CLOSERS)
        scanned = cut
        tally_at[cut] = (tally[0], tally[1], tally[2])
        if cut - start > WINDOW_CHARS and best is not None:
            yield line[start:best]
            start, best = best, None
        if _balanced(tally_at[start], tally_at[cut]):
            best = cut
            if cut - start > WINDOW_CHARS:
                yield line[start:cut]
                start, best = cut, None
    if best is not None and len(line) - start > WINDOW_CHARS:
        yield line[start:best]
        start = best
    yield line[start:]


def _balanced(before: tuple[int, int, int], after: tuple[int, int, int]) -> bool:
    quotes, opened, closed = (a - b for a, b in zip(after, before, strict=True))
    return quotes % 2 == 0 and opened == closed


def _windowed_sentences(line: str) -> Iterator[str]:
    """pysbd's sentences of a piece; one longer than a window is read window by window.

    Each window starts where the sentences kept from the one before ended, so every character is
    kept once and pysbd reads at most WINDOW_CHARS at a time.
    """
    start = 0
    while len(line) - start > WINDOW_CHARS:
        kept, length = _settled_sentences(line[start : start + WINDOW_CHARS])
        yield from kept
        start += length
    yield from (span.sent for span in _segmenter().segment(line[start:]))


def _settled_sentences(window: str) -> tuple[list[str], int]:
    """The sentences at the start of a window that the text after it cannot change, and how many
    characters they cover (always at least one, so the reading moves on)."""
    spans = _segmenter().segment(window)
    settled = [span for span in spans if span.end <= len(window) - WINDOW_MARGIN_CHARS]
    if not settled and len(spans) > 1:
        # The first sentence ends only inside the margin: it ends, which is all that is known.
        settled = spans[:1]
    if settled:
        return [span.sent for span in settled], settled[-1].end
    # No sentence ends within the window: this is no prose (a table or list without full stops).
    # It is cut at the window's last space so that no word, and no name, is split.
    cut = window.rfind(" ") + 1 or len(window)
    return [window[:cut]], cut
