"""Sentence splitting: every character kept, abbreviations read, sentences bounded in length."""

from __future__ import annotations

from pathlib import Path

from forecast.news.sentences import MAX_SENTENCE_CHARS, line_sentences, split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "news"
SENTENCE = "Pakistan carried out airstrikes in Iran's Sistan-Baluchestan province on Thursday."


def long_line(text: str, chars: int) -> str:
    """`text` repeated into one line of at least `chars` characters."""
    return " ".join([text] * (chars // len(text) + 1))


def test_n_sentences_in_one_long_line_are_n_sentences() -> None:
    count = 3 * MAX_SENTENCE_CHARS // len(SENTENCE)
    found = split_sentences(" ".join([SENTENCE] * count))
    assert [s.text for s in found] == [SENTENCE] * count
    assert [s.number for s in found] == list(range(1, count + 1))


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = (
        "The U.S. military struck sites in Iraq on Jan. 2, Gen. Smith said. "
        "Iran denied it on Friday."
    )
    assert [s.text for s in split_sentences(text)] == [
        "The U.S. military struck sites in Iraq on Jan. 2, Gen. Smith said.",
        "Iran denied it on Friday.",
    ]


def test_every_character_of_a_line_is_in_its_sentences() -> None:
    for path in sorted(FIXTURES.glob("*.txt")):
        for line in path.read_text().splitlines():
            assert "".join(line_sentences(line)) == line, path.name


def test_a_report_as_one_line_gives_the_sentences_of_its_lines() -> None:
    lines = (FIXTURES / "three_incidents.txt").read_text().splitlines() * 20
    assert split_sentences(" ".join(lines)) == split_sentences("\n".join(lines))


def test_a_line_with_no_sentence_end_is_cut_between_words() -> None:
    line = long_line("Pakistan and Iran", 5 * MAX_SENTENCE_CHARS)
    found = [s.text for s in split_sentences(line)]
    assert len(found) > 1
    assert all(len(text) <= MAX_SENTENCE_CHARS for text in found)
    assert " ".join(found) == line


def test_a_one_megabyte_line_keeps_every_character() -> None:
    line = long_line(SENTENCE, 1_000_000)
    pieces = list(line_sentences(line))
    assert "".join(pieces) == line
    assert max(len(piece) for piece in pieces) <= MAX_SENTENCE_CHARS


def test_a_quotation_keeps_its_words_together() -> None:
    text = 'He said: "We struck the camps at dawn. Nothing was left of them." Iran denied it.'
    joined = " ".join(s.text for s in split_sentences(text))
    assert "We struck the camps at dawn." in joined and joined.endswith("Iran denied it.")
