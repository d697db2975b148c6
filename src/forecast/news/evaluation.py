"""Scoring the coder against hand-coded gold incidents: precision and recall, overall and per field.

A proposed incident matches a gold one with the same initiator, target and action (either order
for a clash), the same date first. A field is right when the matched proposal has the gold
value; a field the gold leaves out is unknown in the text and must be left empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forecast.core.contracts import UNDIRECTED_ACTIONS
from forecast.news.records import CodedIncident

SCORED_FIELDS = (
    "initiator", "target", "date", "date_precision", "action", "hostility", "target_kind",
    "fatalities_initiator", "fatalities_target",
)  # fmt: skip


@dataclass(frozen=True)
class Score:
    """Counts behind a precision and a recall."""

    right: int
    proposed: int
    expected: int

    @property
    def precision(self) -> float:
        return share(self.right, self.proposed)

    @property
    def recall(self) -> float:
        return share(self.right, self.expected)


def share(part: int, whole: int) -> float:
    """part / whole, and 1.0 when there is nothing to get wrong (no proposal, no gold)."""
    return part / whole if whole else 1.0


def incident_values(incident: CodedIncident) -> dict[str, Any]:
    """The scored fields of a proposal, as plain values ('unknown' target kind is no answer)."""
    values = {name: getattr(incident, name) for name in SCORED_FIELDS}
    if values["target_kind"] == "unknown":
        values["target_kind"] = None
    return values


def score(
    proposed: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]
) -> dict[str, Score]:
    """'incidents' and one entry per field, over any number of articles' incidents."""
    pairs = _match(proposed, gold)
    scores = {"incidents": Score(len(pairs), len(proposed), len(gold))}
    for name in SCORED_FIELDS:
        right = sum(
            1
            for p, g in pairs
            if _value(p, name) is not None and _value(p, name) == _value(g, name)
        )
        given = sum(1 for p in proposed if _value(p, name) is not None)
        wanted = sum(1 for g in gold if _value(g, name) is not None)
        scores[name] = Score(right, given, wanted)
    return scores


def _value(record: Mapping[str, Any], name: str) -> Any:
    value = record.get(name)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _key(record: Mapping[str, Any]) -> tuple[Any, ...]:
    pair = (record["initiator"], record["target"])
    if record["action"] in UNDIRECTED_ACTIONS:
        pair = tuple(sorted(pair))
    return (*pair, record["action"])


def _match(
    proposed: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    free = list(proposed)
    pairs = []
    for expected in gold:
        same = [p for p in free if _key(p) == _key(expected)]
        if not same:
            continue
        best = next((p for p in same if _value(p, "date") == _value(expected, "date")), same[0])
        free.remove(best)
        pairs.append((best, expected))
    return pairs
