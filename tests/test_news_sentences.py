"""Sentence splitting: a long line is read in bounded windows and split as pysbd splits it whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pysbd.utils import TextSpan

from forecast.news import sentences
from forecast.news.sentences import (
    WHOLE_LINE_CHARS,
    WINDOW_CHARS,
    line_sentences,
    plain_pieces,
    split_sentences,
)

FIXTURES = Path(__file__).parent / "fixtures" / "news"
SENTENCE = "Pakistan carried out airstrikes in Iran's Sistan-Baluchestan province on Thursday."


def long_line(text: str, chars: int) -> str:
    """`text` repeated into one line of at least `chars` characters."""
    return " ".join([text] * (chars // len(text) + 1))


class Recorder:
    """pysbd's segmenter, noting the length of every text it is handed."""

    def __init__(self, segmenter: Any) -> None:
        self.segmenter = segmenter
        self.lengths: list[int] = []

    def segment(self, text: str) -> Any:
        self.lengths.append(len(text))
        return self.segmenter.segment(text)


def test_n_sentences_in_one_long_line_are_n_sentences() -> None:
    count = 3 * WHOLE_LINE_CHARS // len(SENTENCE)
    found = split_sentences(" ".join([SENTENCE] * count))
    assert [s.text for s in found] == [SENTENCE] * count
    assert [s.number for s in found] == list(range(1, count + 1))


def test_a_long_line_is_split_as_pysbd_splits_it_whole() -> None:
    # Abbreviations, quotations, numbers and tolls of every fixture report, run together as a
    # report pasted without line breaks.
    text = " ".join(" ".join(p.read_text().split()) for p in sorted(FIXTURES.glob("*.txt")))
    line = long_line(text, 2 * WHOLE_LINE_CHARS)
    whole = [span.sent for span in sentences._segmenter().segment(line)]
    assert list(line_sentences(line)) == whole


def test_a_report_as_one_line_gives_the_sentences_of_its_lines() -> None:
    lines = (FIXTURES / "three_incidents.txt").read_text().splitlines() * 20
    assert len(" ".join(lines)) > WHOLE_LINE_CHARS
    assert split_sentences(" ".join(lines)) == split_sentences("\n".join(lines))


def test_pysbd_reads_a_long_line_in_bounded_windows_each_character_about_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The work is linear when pysbd is never handed more than a window and the windows overlap
    # by a bounded share: then its quadratic cost is paid on WINDOW_CHARS, not on the line.
    recorder = Recorder(sentences._segmenter())
    monkeypatch.setattr(sentences, "_segmenter", lambda: recorder)
    for chars in (20 * WINDOW_CHARS, 80 * WINDOW_CHARS):
        recorder.lengths.clear()
        line = long_line(SENTENCE, chars)
        split_sentences(line)
        assert max(recorder.lengths) <= WINDOW_CHARS
        assert sum(recorder.lengths) <= 1.5 * len(line)


def test_a_short_line_goes_to_pysbd_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder(sentences._segmenter())
    monkeypatch.setattr(sentences, "_segmenter", lambda: recorder)
    line = long_line(SENTENCE, WHOLE_LINE_CHARS - len(SENTENCE) - 1)
    split_sentences(line)
    assert recorder.lengths == [len(line)]


def test_a_line_with_no_sentence_end_is_cut_between_words_within_a_window() -> None:
    line = long_line("Pakistan and Iran", 5 * WHOLE_LINE_CHARS)
    found = [s.text for s in split_sentences(line)]
    assert len(found) > 1
    assert all(len(text) <= WINDOW_CHARS for text in found)
    assert " ".join(found) == line


class OneSpan:
    """A stand-in segmenter that answers at once, so the cutting itself is what is measured."""

    def __init__(self) -> None:
        self.lengths: list[int] = []

    def segment(self, text: str) -> list[TextSpan]:
        self.lengths.append(len(text))
        return [TextSpan(text, 0, len(text))]


def test_a_one_megabyte_line_reaches_pysbd_once_in_pieces_of_a_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Linear work: every character is handed to the splitter once (no overlapping windows when
    # the prose has plain sentence ends) and no piece is longer than a window.
    recorder = OneSpan()
    monkeypatch.setattr(sentences, "_segmenter", lambda: recorder)
    line = long_line(SENTENCE, 1_000_000)
    pieces = list(line_sentences(line))
    assert "".join(pieces) == line
    assert max(recorder.lengths) <= WINDOW_CHARS
    assert sum(recorder.lengths) == len(line)


def test_a_quotation_is_not_cut_at_its_inner_sentence_end() -> None:
    quote = 'He said: "We struck the camps at dawn. Nothing was left of them." '
    line = long_line(SENTENCE + " " + quote, 3 * WHOLE_LINE_CHARS)
    for piece in plain_pieces(line):
        assert piece.count('"') % 2 == 0
