"""Who and where: states, their adjectives and capitals, regions and armed groups in a sentence.

The names live in gazetteer.yaml beside this module. Matching is case-sensitive and whole-word,
longest name first, so "Iranian" is never read as "Iran" and the pronoun "us" never as the
United States.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

GAZETTEER_FILE = "gazetteer.yaml"


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence: where, what kind, and the states (ISO3) it points to.

    A region may point to several states (Kashmir); a group points to where it is based and is
    `non_state`.
    """

    start: int
    end: int
    text: str
    kind: str
    states: tuple[str, ...]

    @property
    def non_state(self) -> bool:
        return self.kind == "group"

    @property
    def state(self) -> str | None:
        """The one state this mention names, or None when it is ambiguous or a group."""
        return self.states[0] if len(self.states) == 1 and not self.non_state else None


@dataclass(frozen=True)
class Gazetteer:
    """Compiled names: one pattern over all of them and what each name means."""

    pattern: re.Pattern[str]
    meanings: dict[str, tuple[str, tuple[str, ...]]]
    target_words: dict[str, re.Pattern[str]]

    def mentions(self, text: str) -> list[Mention]:
        """Every known name in `text`, left to right, without overlaps."""
        found = []
        for match in self.pattern.finditer(text):
            kind, states = self.meanings[match.group(0)]
            found.append(Mention(match.start(), match.end(), match.group(0), kind, states))
        return found

    def target_kind_words(self, text: str) -> dict[str, re.Match[str] | None]:
        """The first word saying what was struck, per target kind (state or non_state)."""
        return {kind: pattern.search(text) for kind, pattern in self.target_words.items()}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with the package (tests check its states against the country
    table; here only that regions and groups name listed states)."""
    raw = read_package_yaml(GAZETTEER_FILE)
    meanings = _meanings(raw)
    unknown = sorted({s for _, states in meanings.values() for s in states} - set(raw["states"]))
    if unknown:
        raise ValueError(f"{GAZETTEER_FILE}: regions or groups name unlisted states {unknown}")
    return Gazetteer(
        pattern=_alternation(meanings),
        meanings=meanings,
        target_words={
            kind: _alternation(dict.fromkeys(words), ignore_case=True)
            for kind, words in raw["target_words"].items()
        },
    )


def _meanings(raw: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    meanings: dict[str, tuple[str, tuple[str, ...]]] = {}
    for iso3, entry in raw["states"].items():
        for field, kind in (
            ("names", "name"),
            ("adjectives", "adjective"),
            ("capitals", "capital"),
        ):
            for name in entry.get(field, []):
                meanings[name] = (kind, (iso3,))
    for name, states in raw["regions"].items():
        meanings[name] = ("region", tuple(states))
    for name, entry in raw["groups"].items():
        meanings[name] = ("group", tuple(entry.get("based_in", [])))
    return meanings


def read_package_yaml(name: str) -> dict[str, Any]:
    """A YAML data file of this package, with libyaml's parser when it is installed (faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(resources.files("forecast.news").joinpath(name).read_text(), Loader=loader)


def _alternation(names: dict[str, Any], ignore_case: bool = False) -> re.Pattern[str]:
    ordered = sorted(names, key=lambda name: (-len(name), name))
    body = "|".join(re.escape(name) for name in ordered)
    # Lookarounds rather than \b: names such as "U.S." end in a non-word character.
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE if ignore_case else 0)
