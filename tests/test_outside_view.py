"""The outside view: the reference class's rate beside every forecast, counted honestly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from forecast.core.errors import ForecastError
from forecast.predict import parse_incident
from forecast.predict.outside_view import OPENING_FEATURE, ReferenceRates, reference_text
from tests.aged_world import aged_world_forecaster

HORIZONS = (7, 30)


def _tables(crisis: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Eight triggers: four limited (two in a crisis), one label censored, two answers."""
    ids = [f"e{i}" for i in range(8)]
    episodes = pd.DataFrame(
        {
            "episode_id": ids,
            "limited_force": [True] * 4 + [False] * 4,
            "retaliated_7d": pd.array([1, 0, 0, pd.NA, 1, 1, 0, 0], dtype="Int64"),
            "retaliated_30d": pd.array([1, 1, 0, 0, 1, 1, 1, 0], dtype="Int64"),
        }
    )
    if crisis:
        episodes["crisis"] = pd.array([True, True, False, False] + [pd.NA] * 4, dtype="boolean")
    features = pd.DataFrame({"episode_id": ids, OPENING_FEATURE: [0.0, 1, 0, 0, 1, 1, 0, 0]})
    return episodes, features


def test_rates_count_known_labels_of_the_class_only(monkeypatch) -> None:
    monkeypatch.setattr("forecast.predict.outside_view.MIN_CLASS_TRIGGERS", 1)
    rates = ReferenceRates(*_tables(crisis=True), HORIZONS)
    limited = rates.of(True, None, None)
    assert (limited.rates[7].answered, limited.rates[7].n) == (1, 3)  # the NA label left out
    assert (limited.rates[30].answered, limited.rates[30].n) == (2, 4)
    in_crisis = rates.of(True, True, None)
    assert in_crisis.crisis is True and in_crisis.rates[30].n == 2
    assert in_crisis.rates[30].rate == 1.0
    opening = rates.of(True, True, True)
    assert opening.rates[30].n == 1 and opening.name.endswith("opening an exchange")
    answers = rates.of(False, None, False)
    assert (answers.rates[30].answered, answers.rates[30].n) == (2, 2)
    for rate in limited.rates.values():
        assert rate.low <= rate.rate <= rate.high


def test_a_class_too_small_to_split_is_not_split_into_openings_and_answers(monkeypatch) -> None:
    # Four limited uses of force: one answer among them. A floor of 2 triggers a part keeps
    # them together (the opening judgement is left out and said so); a floor of 1 splits them.
    monkeypatch.setattr("forecast.predict.outside_view.MIN_CLASS_TRIGGERS", 2)
    rates = ReferenceRates(*_tables(crisis=True), HORIZONS)
    kept = rates.of(True, None, True)
    assert kept.opening is None and kept.rates[30].n == 4
    monkeypatch.setattr("forecast.predict.outside_view.MIN_CLASS_TRIGGERS", 1)
    assert ReferenceRates(*_tables(crisis=True), HORIZONS).of(True, None, True).rates[30].n == 3


def test_without_crisis_labels_the_judgement_is_left_out_of_the_class() -> None:
    rates = ReferenceRates(*_tables(crisis=False), HORIZONS)
    assert not rates.knows_crises
    wider = rates.of(True, True, None)
    assert wider.crisis is None and wider.rates[30].n == 4


def test_an_empty_class_has_no_rate_and_says_so() -> None:
    rates = ReferenceRates(*_tables(crisis=True), HORIZONS)
    empty = rates.of(False, True, None)
    assert empty.rates[30].rate is None and empty.rates[30].n == 0
    assert "no resolved triggers" in reference_text(empty)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("yes", True), ("no", False), ("unknown", None), ("", None), (None, None), (True, True)],
)
def test_crisis_reads_yes_no_or_unknown(given: object, expected: bool | None) -> None:
    record = {"initiator": "IRN", "target": "PAK", "date": "2024-01-16", "action": "attack"}
    assert parse_incident(record | {"hostility": 4, "crisis": given}).crisis is expected


def test_a_crisis_judgement_that_is_not_a_word_is_named() -> None:
    record = {"initiator": "IRN", "target": "PAK", "date": "2024-01-16", "action": "attack"}
    with pytest.raises(ForecastError, match="crisis: 'maybe' is not yes, no or unknown"):
        parse_incident(record | {"hostility": 4, "crisis": "maybe"}, "row 2")


@pytest.fixture(scope="module")
def forecaster():
    from forecast.models.ridge_logit import RidgeLogit

    return aged_world_forecaster(
        lambda features, episodes, horizons: RidgeLogit(horizons).fit(features, episodes)
    )


def _incident(day: str, **extra: object):
    return parse_incident(
        {"initiator": 630, "target": 770, "date": day, "action": "attack", "hostility": 4} | extra
    )


def test_every_forecast_carries_its_class_and_rate(forecaster) -> None:
    forecast = forecaster.predict(_incident("2000-06-01"))
    reference = forecast.reference
    assert reference is not None and reference.limited_force
    # Inside the record the days before are known: the class says opening or answer.
    assert reference.opening is not None
    assert reference.rates[30].n > 0
    payload = forecast.to_dict()["reference"]
    assert payload["rates"]["30"]["n"] == reference.rates[30].n


def test_across_a_gap_without_the_recent_days_the_class_is_left_wider(forecaster) -> None:
    wide = forecaster.predict(_incident("2010-06-01")).reference
    assert wide is not None and wide.opening is None
    told = forecaster.predict(_incident("2010-06-01", answers="2010-05-30")).reference
    assert told is not None and told.opening is False


def test_a_crisis_judgement_without_crisis_labels_is_said_not_used(forecaster) -> None:
    forecast = forecaster.predict(_incident("2010-06-01", crisis="yes"))
    assert forecast.incident.crisis is True and forecast.reference.crisis is None
    assert any("crisis judgement is not used" in c for c in forecast.caveats)
    assert not any(
        "crisis judgement" in c for c in forecaster.predict(_incident("2010-06-01")).caveats
    )


def test_the_panel_shows_the_outside_view(forecaster) -> None:
    from forecast.report.panel import forecast_panel

    console = Console(width=200, record=True)
    console.print(forecast_panel(forecaster.predict(_incident("2010-06-01"))))
    text = console.export_text()
    assert "Outside view, limited uses of force: answered within 7 days" in text


def test_rates_match_a_direct_count_on_the_training_triggers(forecaster) -> None:
    rates = forecaster.reference_rates
    limited = rates.of(True, None, None).rates[30]
    labels = rates._labels[30][rates._limited]
    known = labels[~np.isnan(labels)]
    assert (limited.n, limited.answered) == (len(known), int(known.sum()))


def test_the_brief_names_the_model_and_its_skill_at_each_incidents_record_age(forecaster) -> None:
    """Across a gap the brief's track record is that of the record-aware logit at that age,
    not the champion's; inside the record it is the champion's."""
    from forecast.report.render import brief_context

    skill = {
        "limited_force": {
            "record_logit:band": {"10": {"30": {"roc_auc": 0.66, "bss": 0.04, "n": 2407}}}
        }
    }
    forecaster.record.skill = skill
    try:
        across, inside = forecaster.predict_many([_incident("2010-06-01"), _incident("2000-06-01")])
    finally:
        forecaster.record.skill = {}
    context = brief_context([across, inside], metrics=None, backtest=None, champion=None)
    gap, today = context["served"]
    assert gap["model"].startswith("record-aware logit") and gap["age"].startswith("8.4 years")
    assert (gap["roc_auc"], gap["bss"]) == ("0.66", "+0.04")
    assert today["model"] == "the champion" and today["age"] == "none"
    assert "limited uses of force" in gap["reference"]
