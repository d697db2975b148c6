"""Scoring proposals against real reports' facts: pair right, day within one, ambiguous neutral."""

from __future__ import annotations

import datetime as dt

import pytest

from forecast.news.reported import GoldEvent, Proposal, score_report, summarise

DAY = dt.date(2024, 1, 16)


def gold(**kwargs: object) -> GoldEvent:
    entry = {"initiator": "IRN", "target": "PAK", "kind": "attack", "date": "2024-01-16"}
    return GoldEvent.from_mapping({**entry, **kwargs})


def proposal(initiator: str = "IRN", target: str = "PAK", days: int = 0, **kwargs) -> Proposal:
    values = {"action": "attack", "date": DAY + dt.timedelta(days=days), "day_known": True}
    return Proposal(initiator, target, **{**values, **kwargs})


def test_a_day_either_side_matches_and_two_days_do_not() -> None:
    assert score_report("r", [proposal(days=1)], [gold()]).matched
    far = score_report("r", [proposal(days=2)], [gold()])
    assert not far.matched and far.missed and far.false


def test_an_attack_needs_its_direction_and_a_clash_either_order() -> None:
    assert not score_report("r", [proposal("PAK", "IRN")], [gold()]).matched
    clash = proposal("PAK", "IRN", action="clash")
    assert score_report("r", [clash], [gold()]).matched
    assert score_report("r", [proposal("PAK", "IRN")], [gold(kind="clash")]).matched


def test_a_month_only_proposal_misses_a_known_day_but_meets_a_month_only_event() -> None:
    month = proposal(day_known=False, date=dt.date(2024, 1, 1))
    assert not score_report("r", [month], [gold()]).matched
    assert score_report("r", [month], [gold(date="2024-01")]).matched


def test_proposals_of_an_ambiguous_event_count_neither_way() -> None:
    result = score_report("r", [proposal(), proposal(days=1)], [gold(ambiguous=True)])
    assert len(result.neutral) == 2 and not result.false and not result.missed
    totals = summarise([result])
    assert (totals.proposed, totals.expected) == (0, 0)


def test_the_exact_day_is_preferred_and_counted() -> None:
    result = score_report("r", [proposal(days=1), proposal()], [gold()])
    assert result.matched[0][0].date == DAY
    assert len(result.false) == 1
    assert summarise([result]).exact_day_share == 1.0


def test_per_pattern_recall_counts_its_events_and_precision_its_reports_proposals() -> None:
    first = score_report(
        "a",
        [proposal(), proposal("USA", "IRN")],
        [gold(patterns=["noun"], headline=True), gold(initiator="ISR", target="SYR")],
    )
    second = score_report("b", [proposal()], [gold(patterns=["place"])])
    noun = summarise([first, second], "noun")
    assert (noun.found, noun.expected) == (1, 1)
    assert (noun.correct, noun.proposed) == (1, 2)
    assert noun.headline_recall == 1.0
    overall = summarise([first, second])
    assert overall.recall == pytest.approx(2 / 3)
    assert overall.precision == pytest.approx(2 / 3)
