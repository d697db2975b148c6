"""A proposed incident with the evidence behind each field, and its rows for tables and CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from forecast.core.contracts import UNDIRECTED_ACTIONS
from forecast.core.countries import name_of, resolve_country

# A field whose confidence is below this is listed in `low_confidence` for the analyst to check.
LOW_CONFIDENCE = 0.5
# Fields whose confidence makes the incident's own (the weakest of them).
CORE_FIELDS = ("initiator", "target", "date", "action")
# Columns of the hand-coded layout (data/incidents/README.md) followed by the coding's own.
HANDCODED_COLUMNS = (
    "incident_id", "dispute_id", "date", "initiator", "target", "action", "hostility",
    "directed", "fatalities_initiator", "fatalities_target", "location", "target_kind",
    "outcome_checked_until", "notes", "reported_by", "crisis", "coded_from", "accepted",
    "confidence",
    "low_confidence", "evidence",
)  # fmt: skip


@dataclass(frozen=True)
class FieldEvidence:
    """Why a field has its value: the sentence number, the words, a confidence and any flag."""

    sentence: int
    phrase: str
    confidence: float
    flag: str | None = None

    def describe(self, name: str) -> str:
        """'date: s1 "on Thursday" (0.80)', with the flag when there is one."""
        text = f'{name}: s{self.sentence} "{self.phrase}" ({self.confidence:.2f})'
        return f"{text}, {self.flag}" if self.flag else text


@dataclass
class CodedIncident:
    """One use of force proposed from an article, in the canonical incident vocabulary."""

    article: str
    published: dt.date
    initiator: str
    target: str
    date: dt.date
    date_precision: str
    action: str
    hostility: int
    cameo: str
    target_kind: str
    location: str | None
    evidence: dict[str, FieldEvidence]
    sentences: dict[int, str]
    fatalities_initiator: int | None = None
    fatalities_target: int | None = None
    fatalities_reported_by: str | None = None
    # A cause said to be so many days before its answer, whose day is not yet known.
    days_before_answer: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def directed(self) -> bool:
        return self.action not in UNDIRECTED_ACTIONS

    @property
    def confidence(self) -> float:
        """The weakest core field: an incident is only as sure as who, whom, when and what."""
        return min(self.evidence[name].confidence for name in CORE_FIELDS)

    @property
    def low_confidence(self) -> list[str]:
        return [name for name, ev in self.evidence.items() if ev.confidence < LOW_CONFIDENCE]

    @property
    def date_text(self) -> str:
        return (
            self.date.isoformat() if self.date_precision == "day" else self.date.strftime("%Y-%m")
        )

    @property
    def incident_id(self) -> str:
        return f"{self.date_text}-{self.initiator}-{self.target}"

    @property
    def dispute_id(self) -> str:
        """One exchange per article and pair of states, so the pair's incidents share history."""
        first, second = sorted((self.initiator, self.target))
        return f"news-{self.article.rsplit('.', 1)[0]}-{first}-{second}".lower()

    @property
    def coded_from(self) -> str:
        return f"news:{self.article} (published {self.published.isoformat()}; rule-based coder)"

    @property
    def crisis(self) -> str:
        """`yes` when the report shows the struck state treating the strike as a crisis
        (`forecast.news.crisis`), else `unknown`: a report's silence says no more than that."""
        return "yes" if "crisis" in self.evidence else "unknown"

    def evidence_text(self) -> str:
        return "; ".join(ev.describe(name) for name, ev in self.evidence.items())

    def notes_text(self) -> str:
        quoted = " ".join(f"[s{n}] {text}" for n, text in sorted(self.sentences.items()))
        return "; ".join([*self.notes, f"Source sentences: {quoted}"])

    def canonical_row(self) -> dict[str, Any]:
        """The canonical incident columns (`forecast.core.contracts`) plus the coding's own."""
        return {
            "incident_id": f"news-{self.incident_id}",
            "source": "news",
            "date": self.date.isoformat(),
            "date_precision": self.date_precision,
            "initiator": resolve_country(self.initiator),
            "target": resolve_country(self.target),
            "initiator_iso3": self.initiator,
            "target_iso3": self.target,
            "initiator_name": name_of(resolve_country(self.initiator)),
            "target_name": name_of(resolve_country(self.target)),
            "action": self.action,
            "hostility": self.hostility,
            "directed": self.directed,
            "fatalities_initiator": self.fatalities_initiator,
            "fatalities_target": self.fatalities_target,
            "fatalities_reported_by": self.fatalities_reported_by,
            "dispute_id": self.dispute_id,
            "location": self.location,
            "target_kind": self.target_kind,
            "crisis": self.crisis,
            "notes": "; ".join(self.notes) or None,
            "cameo": self.cameo,
            "confidence": round(self.confidence, 2),
            "low_confidence": self.low_confidence,
            "evidence": {
                name: {
                    "sentence": ev.sentence,
                    "phrase": ev.phrase,
                    "confidence": ev.confidence,
                    "flag": ev.flag,
                }
                for name, ev in self.evidence.items()
            },
            "sentences": {str(n): text for n, text in sorted(self.sentences.items())},
            "article": self.article,
            "coded_from": self.coded_from,
            "accepted": False,
        }

    def handcoded_row(self) -> dict[str, Any]:
        """A row of data/incidents/'s layout, for the analyst to check, correct and accept."""
        return {
            "incident_id": self.incident_id,
            "dispute_id": self.dispute_id,
            "date": self.date_text,
            "initiator": self.initiator,
            "target": self.target,
            "action": self.action,
            "hostility": self.hostility,
            "directed": str(self.directed).lower(),
            "fatalities_initiator": self.fatalities_initiator,
            "fatalities_target": self.fatalities_target,
            "location": self.location,
            "target_kind": self.target_kind,
            # A news report tells of the strike, not of a search for its answer.
            "outcome_checked_until": None,
            "notes": self.notes_text(),
            "reported_by": self.fatalities_reported_by or f"news report {self.article}",
            "crisis": self.crisis,
            "coded_from": self.coded_from,
            "accepted": "no",
            "confidence": round(self.confidence, 2),
            "low_confidence": ";".join(self.low_confidence),
            "evidence": self.evidence_text(),
        }
