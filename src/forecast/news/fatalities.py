"""Death tolls in a sentence: how many, a range or a lower bound, and who said so.

"the strikes killed four children, three women, and two men" is nine deaths; "between 10 and
20 people were killed" is a range, which the incident table cannot hold as one number, so the
coder leaves the count empty and keeps the range and its source in the notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forecast.news.gazetteer import Gazetteer

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "a dozen": 12, "a hundred": 100,
}  # fmt: skip
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
_VICTIMS = (
    r"(?:people|persons|civilians|children|women|men|girls|boys|soldiers|troops|militants|"
    r"terrorists|personnel|officers|guards|policemen|fighters|members|nationals|villagers|"
    r"residents|others|person|civilian|child|woman|man|soldier|militant|officer|guard)"
)
_ITEM = rf"{_NUMBER}(?:\s+[\w’'-]+){{0,2}}?\s+{_VICTIMS}"
_LIST = rf"{_ITEM}(?:,?\s+(?:and\s+)?{_ITEM})*"
_BOUND = r"(?P<bound>at least|up to|nearly|about|around|more than|some)\s+"
_RANGE = (
    rf"(?:between\s+(?P<low>{_NUMBER})\s+and\s+(?P<high>{_NUMBER})"
    rf"|(?P<low2>{_NUMBER})\s+to\s+(?P<high2>{_NUMBER}))"
)
_PATTERNS = (
    re.compile(rf"\b(?:killed|killing|kills)\s+{_RANGE}\s+{_VICTIMS}", re.IGNORECASE),
    re.compile(rf"\b{_RANGE}\s+{_VICTIMS}\s+(?:were|had been|have been)\s+killed", re.IGNORECASE),
    re.compile(rf"\b(?:killed|killing|kills)\s+(?:{_BOUND})?(?P<list>{_LIST})", re.IGNORECASE),
    re.compile(
        rf"(?:{_BOUND})?(?P<list>{_LIST})\s+(?:were|was|had been|have been|are)\s+"
        rf"(?:reported\s+|reportedly\s+)?killed",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bdeath toll\s+(?:of|rose to|stood at|reached)\s+(?:{_BOUND})?(?P<list>{_NUMBER})",
        re.IGNORECASE,
    ),
    re.compile(rf"\bleft\s+(?:{_BOUND})?(?P<list>{_LIST})\s+dead", re.IGNORECASE),
)
_TOLL_WORDS = ("kill", "dead", "death toll")
_REPORTING = re.compile(
    r"\b(?:said|says|claimed|claiming|claims|told|reported|reporting|announced|disputed|"
    r"stated|confirmed)\b"
)
_ACCORDING_TO = re.compile(r"\baccording to (?P<who>[^,.;]+)", re.IGNORECASE)


@dataclass(frozen=True)
class DeathReport:
    """A toll read from a sentence. `count` is None for a range; `phrase` is the quoted words."""

    count: int | None
    low: int | None
    high: int | None
    qualifier: str | None
    phrase: str
    victim_states: tuple[str, ...]

    def describe(self) -> str:
        """'9 killed', 'at least 3 killed', '10 to 20 killed' for notes."""
        if self.count is None:
            return f"{self.low} to {self.high} killed"
        return f"{self.qualifier + ' ' if self.qualifier else ''}{self.count} killed"


@dataclass(frozen=True)
class Reporter:
    """Who a sentence says the figure came from: a state (ISO3) if one is named, and the words."""

    state: str | None
    phrase: str


def number_value(text: str) -> int:
    """'four' -> 4, '1,200' -> 1200."""
    word = text.lower()
    return _UNITS[word] if word in _UNITS else int(word.replace(",", ""))


def read_deaths(text: str, gazetteer: Gazetteer) -> DeathReport | None:
    """The first death toll the sentence reports, or None."""
    lowered = text.lower()
    if not any(word in lowered for word in _TOLL_WORDS):
        return None  # every pattern below needs one of these words: skip their searches
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        victims = [m.state for m in gazetteer.mentions(match.group(0)) if m.state]
        low = groups.get("low") or groups.get("low2")
        if low:
            high = groups.get("high") or groups.get("high2")
            return DeathReport(
                None, number_value(low), number_value(high or low), None, match.group(0),
                tuple(victims),
            )  # fmt: skip
        total = sum(number_value(n) for n in re.findall(_NUMBER, groups["list"], re.IGNORECASE))
        return DeathReport(total, total, total, groups.get("bound"), match.group(0), tuple(victims))
    return None


def read_reporter(text: str, gazetteer: Gazetteer) -> Reporter | None:
    """Who the sentence attributes its content to: 'according to X', or the speaker before a
    reporting verb ("Iran's Interior Minister Ahmad Vahidi ... claiming"). None if no one."""
    if match := _ACCORDING_TO.search(text):
        who = match.group("who").strip()
        states = [m.state for m in gazetteer.mentions(who) if m.state]
        return Reporter(states[0] if states else None, who)
    if match := _REPORTING.search(text):
        # The speaker is the clause just before the verb: "..., Pakistani officials said".
        speaker = re.split(r"[,;:]", text[: match.start()])[-1].strip()
        states = [m.state for m in gazetteer.mentions(speaker) if m.state]
        if states:
            return Reporter(states[0], _speaker_phrase(speaker))
    return None


def _speaker_phrase(speaker: str) -> str:
    # Keep the subject, not the clause after it: "Iran's Interior Minister Ahmad Vahidi
    # disputed the Pakistani account" -> "Iran's Interior Minister Ahmad Vahidi".
    words = speaker.split()
    return " ".join(words[:8])
