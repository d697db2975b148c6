"""The real test article and the real CAMEO/PLOVER files the verb lexicon is built from."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from forecast.news import code_file
from forecast.news.lexicon import load_lexicon

pytestmark = pytest.mark.real_data

ARTICLE = Path("news/iran_pakistan_strikes_2024-01.txt")


def test_the_iran_pakistan_article_gives_exactly_the_two_strikes(real_data_dir: Path) -> None:
    result = code_file(real_data_dir / ARTICLE, dt.date(2024, 1, 18))
    found = [
        (i.initiator, i.target, i.date, i.date_precision, i.action, i.hostility, i.target_kind)
        for i in result.incidents
    ]
    assert found == [
        ("PAK", "IRN", dt.date(2024, 1, 18), "day", "attack", 4, "non_state"),
        ("IRN", "PAK", dt.date(2024, 1, 16), "day", "attack", 4, "non_state"),
    ]
    pakistan, iran = result.incidents
    assert pakistan.fatalities_target == 9 and pakistan.fatalities_initiator is None
    assert pakistan.fatalities_reported_by is not None
    assert pakistan.fatalities_reported_by.startswith("Iran")
    assert (iran.fatalities_initiator, iran.fatalities_target) == (None, None)


def test_the_summoning_condemnation_and_dialogue_are_explained_not_coded(
    real_data_dir: Path,
) -> None:
    result = code_file(real_data_dir / ARTICLE, dt.date(2024, 1, 18))
    coded_sentences = {n for i in result.incidents for n in i.sentences}
    texts = {s.number: s.text for s in result.sentences}
    for word in ("summoned", "condemned", "dialogue"):
        numbers = {n for n, text in texts.items() if word in text}
        assert numbers and not numbers & coded_sentences, word
    verdicts = " ".join(v.verdict for v in result.verdicts)
    assert "summoning" in verdicts and "condemnation" in verdicts and "statement" in verdicts


def test_lexicon_codes_names_and_plover_categories_match_the_published_lists(
    real_data_dir: Path,
) -> None:
    feeds = real_data_dir / "event_feeds"
    cameo = pd.read_csv(feeds / "cameo_codes.csv", encoding="latin-1", dtype=str)
    names = dict(zip(cameo["code"], cameo["name"], strict=True))
    plover: dict[str, str] = {}
    for line in (feeds / "cameo2plover_2021.txt").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^(\d+):\s*([A-Z]+)", line):
            plover[match.group(1)] = match.group(2)
    lexicon = load_lexicon()
    for entry in (*lexicon.force, *lexicon.not_force):
        assert names[entry.cameo] == entry.cameo_name, entry.cameo
        assert plover.get(entry.cameo) == entry.plover, entry.cameo
