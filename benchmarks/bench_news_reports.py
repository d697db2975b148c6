"""Precision and recall of the news coder on real reports, overall and per pattern.

Usage: python benchmarks/bench_news_reports.py --texts DIR [--facts FILE] [--show]

The facts (benchmarks/news_reports.yaml: each report's query, address, publication day and the
uses of force it tells of, coded by a reader) are in git; the reports' texts are not (they are
other people's words), so --texts names the folder that holds them as `<id>.txt`, saved as the
facts file's header says. A proposal is right when its pair (and direction, for an attack) is
right and its day is within one of the reader's (`forecast.news.reported`). Prints the totals,
one line per pattern, the look-alikes' false incidents, the coding speed and, with --show,
every report's misses and false proposals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from forecast.news import code_article
from forecast.news.article_days import FORCE
from forecast.news.reported import (
    GoldEvent,
    Proposal,
    ReportScore,
    Summary,
    score_report,
    summarise,
)

FACTS = Path(__file__).resolve().with_name("news_reports.yaml")
PATTERNS = (
    "noun", "passive", "headline", "verb", "state-new", "force-alias", "place", "dateline",
    "relative", "other-date", "no-day", "restated", "list", "one-sided", "cause",
)  # fmt: skip


def load_reports(facts: Path, texts: Path) -> list[tuple[dict[str, Any], str]]:
    """Each scored entry with its text; a missing text is named and the run stops."""
    entries = [e for e in yaml.safe_load(facts.read_text()) if not e.get("skipped")]
    missing = [e["id"] for e in entries if not (texts / f"{e['id']}.txt").is_file()]
    if missing:
        sys.exit(f"error: {texts}: no text for {', '.join(missing)} (expected <id>.txt)")
    return [(e, (texts / f"{e['id']}.txt").read_text(encoding="utf-8")) for e in entries]


def code_and_score(entry: dict[str, Any], text: str) -> ReportScore:
    """Code one report against its publication day and match the proposals to its facts."""
    published = dt.date.fromisoformat(str(entry["published"]))
    result = code_article(text, published, article=f"{entry['id']}.txt")
    # The facts are uses of force; threats (hostility 2) are not scored.
    proposals = [
        Proposal(i.initiator, i.target, i.action, i.date, i.date_precision == "day")
        for i in result.incidents
        if i.hostility >= FORCE
    ]
    gold = [GoldEvent.from_mapping(event) for event in entry.get("events") or []]
    return score_report(entry["id"], proposals, gold, lookalike=entry.get("kind") == "lookalike")


def line(name: str, s: Summary) -> str:
    return (
        f"{name:<12}{s.precision:>6.2f} ({s.correct:>3}/{s.proposed:<3})"
        f"{s.recall:>7.2f} ({s.found:>3}/{s.expected:<3})"
        f"{s.headline_recall:>7.2f} ({s.headline_found:>3}/{s.headline_expected:<3})"
        f"{s.exact_day_share:>7.2f} ({s.exact_days:>3}/{s.day_matches:<3})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=Path, required=True, help="folder of <id>.txt reports")
    parser.add_argument("--facts", type=Path, default=FACTS)
    parser.add_argument("--show", action="store_true", help="every report's misses and falses")
    args = parser.parse_args()
    reports = load_reports(args.facts, args.texts)
    started = time.perf_counter()
    scores = [code_and_score(entry, text) for entry, text in reports]
    seconds = time.perf_counter() - started
    force = [s for s in scores if not s.lookalike]
    states = {
        code
        for entry, _ in reports
        for event in entry.get("events") or []
        for code in (event["initiator"], event["target"])
    }
    print(
        f"{len(reports)} reports ({len(force)} of force, {len(scores) - len(force)} look-alikes), "
        f"{len(states)} states in their events"
    )
    print(f"{'':<12}{'precision':<16}{'recall':<14}{'headline':<14}{'exact day':<14}")
    print(line("all", summarise(force)))
    for pattern in PATTERNS:
        if any(pattern in s.patterns for s in force):
            print(line(pattern, summarise(force, pattern)))
    looks = [s for s in scores if s.lookalike]
    wrong = sum(len(s.false) for s in looks)
    print(f"look-alikes: {wrong} false incidents in {len(looks)} reports")
    size = sum(len(text.encode()) for _, text in reports) / len(reports)
    print(
        f"coding: {seconds:.2f} s for {len(reports)} reports of {size / 1000:.1f} KB on average "
        f"({len(reports) / seconds:.0f} reports a second, one process, lexicon loaded once)"
    )
    if args.show:
        for s in scores:
            for event in s.missed:
                arrow = "<->" if event.kind == "clash" else "->"
                day = event.date.isoformat() if event.day_known else event.date.strftime("%Y-%m")
                print(f"{s.report}: missed {event.initiator} {arrow} {event.target} {day}")
            for proposal in s.false:
                print(f"{s.report}: false  {proposal.describe()}")
            for proposal, event in s.matched:
                if event.day_known and proposal.date != event.date:
                    print(f"{s.report}: a day off: {proposal.describe()} (read {event.date})")


if __name__ == "__main__":
    main()
