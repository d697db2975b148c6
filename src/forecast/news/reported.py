"""Scoring the coder against real reports the way an analyst judges it: pair right, day within one.

The fixtures' scorer (`forecast.news.evaluation`) asks for every field exactly, because its
reports were written with the rules. Real reports are judged as the news coder issue states its
targets: a proposal is right when it names the right pair of states (the right direction for
an attack; either order when either side calls it a clash) and a day within one of the gold
day (the gold month, when the report gives only the month). Gold events a careful coder could
code otherwise are marked ambiguous: a proposal that matches one counts neither way.

Each gold event carries the patterns it shows (force as a noun, a place as the target, a
dateline, a restatement, ...), so precision and recall can be read per pattern: recall over
the events that show it, precision over the proposals of the reports that show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forecast.core.contracts import UNDIRECTED_ACTIONS
from forecast.news.evaluation import share

DAY_TOLERANCE = 1


@dataclass(frozen=True)
class GoldEvent:
    """One use of force a report tells of, as a reader coded it."""

    initiator: str
    target: str
    kind: str  # attack | clash
    date: dt.date
    day_known: bool
    year_only: bool = False
    headline: bool = False
    background: bool = False
    ambiguous: bool = False
    patterns: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> GoldEvent:
        """A fact-file entry; `date` is YYYY-MM-DD, or YYYY-MM or YYYY when the report gives
        no more than that."""
        text = str(entry["date"])
        day_known = len(text) == 10
        year_only = len(text) == 4
        date = dt.date.fromisoformat(text if day_known else (text + "-01-01")[:10])
        return cls(
            initiator=str(entry["initiator"]),
            target=str(entry["target"]),
            kind=str(entry.get("kind", "attack")),
            date=date,
            day_known=day_known,
            year_only=year_only,
            headline=bool(entry.get("headline", False)),
            background=bool(entry.get("background", False)),
            ambiguous=bool(entry.get("ambiguous", False)),
            patterns=tuple(entry.get("patterns") or ()),
        )


@dataclass(frozen=True)
class Proposal:
    """What the scorer reads of a proposed incident."""

    initiator: str
    target: str
    action: str
    date: dt.date
    day_known: bool

    @property
    def directed(self) -> bool:
        return self.action not in UNDIRECTED_ACTIONS

    def describe(self) -> str:
        arrow = "->" if self.directed else "<->"
        day = self.date.isoformat() if self.day_known else self.date.strftime("%Y-%m")
        return f"{self.initiator} {arrow} {self.target} {day} {self.action}"


@dataclass
class ReportScore:
    """One report's matches, misses and false proposals."""

    report: str
    lookalike: bool
    matched: list[tuple[Proposal, GoldEvent]] = field(default_factory=list)
    neutral: list[Proposal] = field(default_factory=list)
    false: list[Proposal] = field(default_factory=list)
    missed: list[GoldEvent] = field(default_factory=list)

    @property
    def patterns(self) -> set[str]:
        events = [g for _, g in self.matched] + self.missed
        return {p for g in events for p in g.patterns}


def pair_matches(proposal: Proposal, gold: GoldEvent) -> bool:
    """Same direction for two attacks; the same two states when either is a clash."""
    if proposal.directed and gold.kind != "clash":
        return (proposal.initiator, proposal.target) == (gold.initiator, gold.target)
    return {proposal.initiator, proposal.target} == {gold.initiator, gold.target}


def day_matches(proposal: Proposal, gold: GoldEvent) -> bool:
    """Within a day of a known day; in the month (year) of a month-only (year-only) event."""
    if gold.day_known:
        return proposal.day_known and abs((proposal.date - gold.date).days) <= DAY_TOLERANCE
    if gold.year_only:
        return proposal.date.year == gold.date.year
    return (proposal.date.year, proposal.date.month) == (gold.date.year, gold.date.month)


def score_report(
    report: str, proposals: Sequence[Proposal], gold: Sequence[GoldEvent], lookalike: bool = False
) -> ReportScore:
    """Match one report's proposals to its gold events, exact days first, ambiguous events last."""
    result = ReportScore(report, lookalike)
    free = list(proposals)
    for event in sorted(gold, key=lambda g: g.ambiguous):
        candidates = [p for p in free if pair_matches(p, event) and day_matches(p, event)]
        if not candidates:
            if not event.ambiguous:
                result.missed.append(event)
            continue
        best = min(candidates, key=lambda p: abs((p.date - event.date).days))
        free.remove(best)
        if event.ambiguous:
            result.neutral.append(best)
        else:
            result.matched.append((best, event))
    # A second proposal of an ambiguous event is as neutral as the first.
    ambiguous = [g for g in gold if g.ambiguous]
    result.neutral.extend(
        p for p in free if any(pair_matches(p, g) and day_matches(p, g) for g in ambiguous)
    )
    result.false = [p for p in free if p not in result.neutral]
    return result


@dataclass(frozen=True)
class Summary:
    """Precision, recall and exact days over a set of reports."""

    correct: int  # proposals that match a gold event
    proposed: int  # proposals, less those of ambiguous events
    found: int  # gold events matched
    expected: int  # gold events, less the ambiguous
    headline_found: int
    headline_expected: int
    exact_days: int
    day_matches: int

    @property
    def precision(self) -> float:
        return share(self.correct, self.proposed)

    @property
    def recall(self) -> float:
        return share(self.found, self.expected)

    @property
    def headline_recall(self) -> float:
        return share(self.headline_found, self.headline_expected)

    @property
    def exact_day_share(self) -> float:
        return share(self.exact_days, self.day_matches)


def summarise(scores: Sequence[ReportScore], pattern: str | None = None) -> Summary:
    """Totals over reports. With a pattern: recall over the events that show it, precision over
    every proposal of the reports that show it (a false proposal belongs to no event)."""
    reports = [r for r in scores if pattern is None or pattern in r.patterns]
    matched = [(p, g) for r in reports for p, g in r.matched]
    shown = [(p, g) for p, g in matched if pattern is None or pattern in g.patterns]
    missed = [g for r in reports for g in r.missed if pattern is None or pattern in g.patterns]
    dated = [(p, g) for p, g in shown if g.day_known]
    return Summary(
        correct=len(matched),
        proposed=len(matched) + sum(len(r.false) for r in reports),
        found=len(shown),
        expected=len(shown) + len(missed),
        headline_found=sum(g.headline for _, g in shown),
        headline_expected=sum(g.headline for _, g in shown) + sum(g.headline for g in missed),
        exact_days=sum(p.date == g.date for p, g in dated),
        day_matches=len(dated),
    )
