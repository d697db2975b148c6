"""Who and where: states, their forces, adjectives and capitals, regions and armed groups.

Every state of the project's country table is known: its short and official names come from
that table (country_converter's list), everything else from gazetteer.yaml beside this module.
Matching is case-sensitive and whole-word, longest name first, so "Iranian" is never read as
"Iran" and the pronoun "us" never as the United States; a name that is also a person or another
place is skipped where its guards in the file say so ("Michael Jordan", "Atlanta, Georgia").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from forecast.core.countries import country_table
from forecast.news.places import CAPITALISED_RUN, library_places

GAZETTEER_FILE = "gazetteer.yaml"
# Two capitalised words joined by a hyphen or dash, "Azerbaijan-Armenia": both may be states.
HYPHEN_PAIR = re.compile(r"(?<![\w-])([A-Z][A-Za-z]+)[-\u2013]([A-Z][A-Za-z]+)(?![\w-])")
# The key of not_the_state whose guards apply to every name.
ALL_NAMES = "all"


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence: where, what kind, and the states (ISO3) it points to.

    A region may point to several states (Kashmir) or none (the Sea of Japan); a state's force
    or agency ("IRGC") points to its state; a group points to where it is based and is
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
class _Guard:
    """A context in which a name is not the state: the text before and/or after it."""

    before: re.Pattern[str] | None
    after: re.Pattern[str] | None

    def holds(self, text: str, start: int, end: int) -> bool:
        # A few words either side are enough, and keep the check independent of the text's size.
        before = self.before is None or self.before.search(text[max(0, start - 60) : start])
        after = self.after is None or self.after.search(text[end : end + 60])
        return bool(before and after)


@dataclass(frozen=True)
class Gazetteer:
    """Compiled names: one pattern over all of them and what each name means."""

    pattern: re.Pattern[str]
    meanings: dict[str, tuple[str, tuple[str, ...]]]
    target_words: dict[str, re.Pattern[str]]
    guards: dict[str, tuple[_Guard, ...]] = field(default_factory=dict)
    # Provinces and cities from libraries (forecast.news.places): name -> ISO3, looked up per
    # run of capitalised words, with the guards that tell a person's name.
    places: dict[str, str] = field(default_factory=dict)
    # Provinces and large cities, which name their state without the report naming it.
    well_known_places: frozenset[str] = frozenset()
    place_guards: tuple[_Guard, ...] = ()
    # A force that is its state's only from a day on ("Taliban forces" since August 2021).
    forces_since: dict[str, dt.date] = field(default_factory=dict)

    def is_state_force(self, mention: Mention, published: dt.date) -> bool:
        """Whether a force named in a report of `published` was its state's then."""
        since = self.forces_since.get(mention.text)
        return since is None or published >= since

    def mentions(self, text: str) -> list[Mention]:
        """Every known name in `text`, left to right, without overlaps or guarded names."""
        found = []
        for match in self.pattern.finditer(text):
            name = match.group(0)
            if self._guarded(text, name, match.start(), match.end()):
                continue
            kind, states = self.meanings[name]
            found.append(Mention(match.start(), match.end(), name, kind, states))
        if "-" in text or "\u2013" in text:
            # "Guinea-Bissau" is one state's name, already found whole.
            found.extend(
                pair
                for pair in self._hyphen_pairs(text)
                if all(pair.end <= m.start or pair.start >= m.end for m in found)
            )
            found.sort(key=lambda mention: mention.start)
        if self.places:
            found = sorted(found + self._places(text, found), key=lambda m: m.start)
        return found

    def _hyphen_pairs(self, text: str) -> list[Mention]:
        """Both states of "Azerbaijan-Armenia" or "Israeli-Iranian": two names or adjectives
        joined by a hyphen or dash, looked up as words (one name with a hyphen, "Iran-backed",
        is neither)."""
        pairs = []
        for match in HYPHEN_PAIR.finditer(text):
            both = [(part, self.meanings.get(match.group(part))) for part in (1, 2)]
            if all(m is not None and m[0] in {"name", "adjective", "capital"} for _, m in both):
                pairs.extend(
                    Mention(match.start(part), match.end(part), match.group(part), *meaning)
                    for part, meaning in both
                    if meaning is not None
                )
        return pairs

    def _places(self, text: str, found: list[Mention]) -> list[Mention]:
        """Library places in runs of capitalised words, longest first, where no other name is
        ("Khan Yunis", "Paktika"), unless the context reads as a person's name."""
        taken = [(m.start, m.end) for m in found]
        places = []
        for run in CAPITALISED_RUN.finditer(text):
            words = list(re.finditer(r"\S+", run.group(0)))
            start = 0
            while start < len(words):
                for stop in range(len(words), start, -1):
                    begin = run.start() + words[start].start()
                    end = run.start() + words[stop - 1].end()
                    name = text[begin:end].rstrip("'’")
                    end = begin + len(name)
                    state = self.places.get(name)
                    if (
                        state is not None
                        and all(end <= a or begin >= b for a, b in taken)
                        and not any(g.holds(text, begin, end) for g in self.place_guards)
                    ):
                        places.append(Mention(begin, end, name, "place", (state,)))
                        start = stop - 1
                        break
                start += 1
        return places

    def _guarded(self, text: str, name: str, start: int, end: int) -> bool:
        """Whether the context says this name is a person or another place, not the state."""
        guards = self.guards.get(name, ()) + self.guards.get(ALL_NAMES, ())
        return any(guard.holds(text, start, end) for guard in guards)

    def target_kind_words(self, text: str) -> dict[str, re.Match[str] | None]:
        """The first word saying what was struck, per target kind (state or non_state)."""
        return {kind: pattern.search(text) for kind, pattern in self.target_words.items()}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with the package (tests check its states against the country
    table; here only that regions and groups name listed states)."""
    raw = read_package_yaml(GAZETTEER_FILE)
    meanings = _meanings(raw, _table_names(set(raw["states"])))
    unknown = sorted({s for _, states in meanings.values() for s in states} - set(raw["states"]))
    if unknown:
        raise ValueError(f"{GAZETTEER_FILE}: regions, forces or groups name unlisted {unknown}")
    places, well_known = library_places(set(raw["states"]), set(meanings), raw["place_stoplist"])
    return Gazetteer(
        pattern=_alternation(meanings),
        meanings=meanings,
        target_words={
            kind: _alternation(dict.fromkeys(words), ignore_case=True)
            for kind, words in raw["target_words"].items()
        },
        guards=_guards(raw["not_the_state"], raw["guard_macros"]),
        places=places,
        well_known_places=well_known,
        place_guards=_guards({"places": raw["place_guards"]}, raw["guard_macros"])["places"],
        forces_since={
            name: dt.date.fromisoformat(str(day)) for name, day in raw["forces_since"].items()
        },
    )


def _table_names(states: set[str]) -> dict[str, list[str]]:
    """Short and official names per ISO3 from the country table, for the states listed.

    Names written for a table ("Micronesia, Fed. Sts.") are not how a report names a state and
    are left out.
    """
    table = country_table()
    table = table[table["iso3"].isin(states)]
    names: dict[str, list[str]] = {}
    for row in table.itertuples():
        for name in (row.name, row.official):
            if isinstance(name, str) and not re.search(r"[,()]", name):
                names.setdefault(str(row.iso3), []).append(name)
    return names


def _meanings(
    raw: dict[str, Any], table_names: dict[str, list[str]]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    meanings: dict[str, tuple[str, tuple[str, ...]]] = {}
    for iso3, entry in raw["states"].items():
        for name in table_names.get(iso3, []):
            meanings[name] = ("name", (iso3,))
        for key, kind in (
            ("names", "name"),
            ("adjectives", "adjective"),
            ("capitals", "capital"),
        ):
            for name in entry.get(key, []):
                meanings[name] = (kind, (iso3,))
    # Regions come after states: "Congo" and "Korea" name two states, so they are read as
    # a region split between them, not as whichever state listed the name last.
    for name, states in raw["regions"].items():
        meanings[name] = ("region", tuple(states))
    for name, iso3 in raw["forces"].items():
        meanings[name] = ("force", (iso3,))
    for name, entry in raw["groups"].items():
        meanings[name] = ("group", tuple(entry.get("based_in", [])))
    return meanings


def _guards(
    raw: dict[str, list[dict[str, str]]], macros: dict[str, str]
) -> dict[str, tuple[_Guard, ...]]:
    def compiled(pattern: str | None) -> re.Pattern[str] | None:
        if pattern is None:
            return None
        for name, value in macros.items():
            pattern = pattern.replace("{" + name + "}", value)
        return re.compile(pattern)

    return {
        name: tuple(_Guard(compiled(g.get("before")), compiled(g.get("after"))) for g in guards)
        for name, guards in raw.items()
    }


def read_package_yaml(name: str) -> dict[str, Any]:
    """A YAML data file of this package, with libyaml's parser when it is installed (faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(resources.files("forecast.news").joinpath(name).read_text(), Loader=loader)


def _alternation(names: dict[str, Any], ignore_case: bool = False) -> re.Pattern[str]:
    ordered = sorted(names, key=lambda name: (-len(name), name))
    body = "|".join(re.escape(name) for name in ordered)
    # Lookarounds rather than \b: names such as "U.S." end in a non-word character.
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE if ignore_case else 0)
