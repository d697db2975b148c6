"""Seventy reports written for the tests, coded against the events written down before the
coder read them: every use of force found with its day (within one), every threat, no false
incident, nothing on the look-alikes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from forecast.news import code_article
from forecast.news.reported import GoldEvent, Proposal, ReportScore, score_report, summarise

FIXTURES = Path(__file__).parent / "fixtures" / "news"
# Each file of written reports and the day they were published.
SETS = {
    "written_reports.yaml": dt.date(2025, 6, 20),
    "written_reports_2.yaml": dt.date(2025, 3, 14),
}
REPORTS = [
    {**entry, "published": published}
    for name, published in SETS.items()
    for entry in yaml.safe_load((FIXTURES / name).read_text())
]


def scored(entry: dict[str, Any], hostility: int) -> ReportScore:
    result = code_article(entry["text"], entry["published"], entry["id"])
    proposals = [
        Proposal(i.initiator, i.target, i.action, i.date, i.date_precision == "day")
        for i in result.incidents
        if (i.hostility >= 4) == (hostility >= 4)
    ]
    gold = [
        GoldEvent.from_mapping(e)
        for e in entry["events"]
        if (e["hostility"] >= 4) == (hostility >= 4)
    ]
    return score_report(entry["id"], proposals, gold, lookalike=entry["lookalike"])


@pytest.mark.parametrize("hostility", [4, 2], ids=["force", "threats"])
def test_every_written_event_is_found_and_nothing_else(hostility: int) -> None:
    scores = [scored(entry, hostility) for entry in REPORTS]
    problems = [
        f"{s.report}: missed {[(g.initiator, g.target, g.date) for g in s.missed]}, "
        f"false {[p.describe() for p in s.false]}"
        for s in scores
        if s.missed or s.false
    ]
    assert problems == []
    assert summarise(scores).found == sum(
        1
        for e in REPORTS
        for g in e["events"]
        if (g["hostility"] >= 4) == (hostility >= 4) and not g.get("ambiguous")
    )


def test_the_written_reports_span_force_and_look_alikes() -> None:
    assert len(REPORTS) == 70
    assert sum(e["lookalike"] for e in REPORTS) == 22
