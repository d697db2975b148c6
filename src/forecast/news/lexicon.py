"""The verb lexicon: phrases that report a use of force, and phrases that report something else.

The entries live in lexicon.yaml with their CAMEO code, CAMEO name and description and PLOVER
category (the file names its sources). What a force code means for the incident table, its
canonical action and hostility, comes from the project's one CAMEO mapping
(forecast/sources/feed_event_codes.yaml), so news and event feeds code the same event alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from forecast.news.gazetteer import read_package_yaml
from forecast.sources.feed_tables import CODES_FILE, load_event_codes

LEXICON_FILE = "lexicon.yaml"


@dataclass(frozen=True)
class LexiconEntry:
    """One CAMEO code's phrases and what they mean for the incident table."""

    cameo: str
    cameo_name: str
    plover: str | None
    kind: str  # "force" or what else it reports: threat, condemnation, summoning, statement
    action: str | None
    hostility: int | None
    patterns: tuple[re.Pattern[str], ...]
    # Force written as a noun or a headline's present tense: its actor is read differently.
    nouns: tuple[re.Pattern[str], ...] = ()

    @cached_property
    def any_phrase(self) -> re.Pattern[str]:
        """All the entry's phrases and nouns as one pattern: a sentence it does not match is
        skipped without trying each of them (most sentences match few entries)."""
        body = "|".join(f"(?:{p.pattern})" for p in (*self.patterns, *self.nouns))
        return re.compile(body or "(?!)", re.IGNORECASE)

    @property
    def label(self) -> str:
        """'CAMEO 195 Employ aerial weapons / PLOVER ASSAULT', for evidence and explanations."""
        plover = f" / PLOVER {self.plover}" if self.plover else ""
        return f"CAMEO {self.cameo} {self.cameo_name}{plover}"


@dataclass(frozen=True)
class Cue:
    """A lexicon phrase found in a sentence; `noun` when force is written as a noun."""

    start: int
    end: int
    text: str
    entry: LexiconEntry
    noun: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Force entries, not-force entries, and the negation and hypothetical cue patterns."""

    force: tuple[LexiconEntry, ...]
    not_force: tuple[LexiconEntry, ...]
    negation: re.Pattern[str]
    hypothetical: re.Pattern[str]
    # Force an armed group used ("terrorist attacks"): never a state's (lexicon.yaml).
    armed_group: re.Pattern[str]

    def force_cues(self, text: str) -> list[Cue]:
        """Uses of force the sentence reports, left to right; the first entry wins an overlap."""
        return _without_overlaps(_cues(self.force, text))

    def other_cues(self, text: str) -> list[Cue]:
        """Threats, condemnations, summonings and statements in the sentence."""
        return _without_overlaps(_cues(self.not_force, text))


# The generic use of force, whose action (a directed attack) one side's fire takes.
ONE_SIDED = "190"


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon shipped with the package, with its macros expanded and patterns compiled."""
    raw = read_package_yaml(LEXICON_FILE)
    macros = raw.get("macros", {})
    codes = load_event_codes()
    meaning = {
        row.code: (row.action, int(row.hostility))
        for row in codes[codes["scheme"] == "cameo"].itertuples()
    }
    force = []
    for item in raw["force"]:
        code = str(item["cameo"])
        if code not in meaning:
            raise ValueError(f"{LEXICON_FILE}: CAMEO {code} is not in {CODES_FILE}")
        # One side's fire is a directed attack whatever its weapon (lexicon.yaml).
        force.append(
            _entry(item, "force", macros, *meaning[ONE_SIDED if item.get("one_sided") else code])
        )
    return Lexicon(
        force=tuple(force),
        # A threat of force is an event of its own (hostility 2), coded as the feeds code it.
        not_force=tuple(
            _entry(item, item["kind"], macros, *_threat_meaning(item, meaning))
            for item in raw["not_force"]
        ),
        # Case matters: "May" the month is not "may" the modal.
        negation=re.compile(raw["negation"]),
        hypothetical=re.compile(raw["hypothetical"]),
        armed_group=re.compile(raw["armed_group_force"], re.IGNORECASE),
    )


def _threat_meaning(
    item: dict[str, Any], meaning: dict[str, tuple[str, int]]
) -> tuple[str, int] | tuple[()]:
    """A threat's action and hostility from the feeds' mapping; nothing for other entries."""
    code = str(item["cameo"])
    return meaning[code] if item["kind"] == "threat" and code in meaning else ()


def _entry(
    item: dict[str, Any],
    kind: str,
    macros: dict[str, str],
    action: str | None = None,
    hostility: int | None = None,
) -> LexiconEntry:
    def expand(phrase: str) -> str:
        for name, value in macros.items():
            phrase = phrase.replace("{" + name + "}", value)
        return phrase

    return LexiconEntry(
        cameo=str(item["cameo"]),
        cameo_name=item["cameo_name"],
        plover=item.get("plover"),
        kind=kind,
        action=action,
        hostility=hostility,
        patterns=tuple(re.compile(expand(p), re.IGNORECASE) for p in item["phrases"]),
        nouns=tuple(re.compile(expand(p), re.IGNORECASE) for p in item.get("nouns", [])),
    )


def _cues(entries: tuple[LexiconEntry, ...], text: str) -> list[Cue]:
    # Within an entry its verb phrases come before its nouns, so "carried out strikes" is one
    # verb phrase rather than a verb with a noun inside it.
    return [
        Cue(match.start(), match.end(), match.group(0), entry, noun)
        for entry in entries
        if entry.any_phrase.search(text)
        for patterns, noun in ((entry.patterns, False), (entry.nouns, True))
        for pattern in patterns
        for match in pattern.finditer(text)
    ]


def _without_overlaps(cues: list[Cue]) -> list[Cue]:
    kept: list[Cue] = []
    for cue in cues:  # lexicon order: the more specific entries come first
        if all(cue.end <= other.start or cue.start >= other.end for other in kept):
            kept.append(cue)
    return sorted(kept, key=lambda cue: cue.start)
