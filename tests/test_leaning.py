"""Judged a crisis (or not), a forecast leans on the outside view by the learnt weight, says so."""

from __future__ import annotations

import pytest

from forecast.classes.blend import ClassWeight, ServedBlend
from forecast.predict import parse_incident
from forecast.predict.leaning import lean
from forecast.predict.outside_view import ClassRate, ReferenceClass
from forecast.predict.result import HorizonForecast
from tests.aged_world import aged_world_forecaster

LEARNT = ClassWeight(0.0, 120, model_brier=0.33, reference_brier=0.25)
HALF = ClassWeight(0.5, 120, model_brier=0.20, reference_brier=0.21)
BLEND = ServedBlend(
    model="champion",
    weights={
        "crisis": {7: HALF, 30: LEARNT},
        "not_crisis": {7: ClassWeight(1.0, 9000, basis="majority")},
    },
)


def _reference(crisis: bool | None = True) -> ReferenceClass:
    return ReferenceClass(
        limited_force=True,
        crisis=crisis,
        opening=None,
        rates={7: ClassRate(0.30, 0.25, 0.35, 90, 27), 30: ClassRate(0.45, 0.40, 0.50, 90, 40)},
    )


def _model() -> dict[int, HorizonForecast]:
    return {7: HorizonForecast(0.10, 0.05, 0.20), 30: HorizonForecast(0.20, 0.10, 0.30)}


def test_without_the_judgement_the_model_number_is_served_as_it_is() -> None:
    assert lean(_model(), _reference(), None, BLEND) == (_model(), None)
    assert lean(_model(), _reference(crisis=None), True, BLEND) == (_model(), None)
    assert lean(_model(), _reference(), True, None) == (_model(), None)


def test_a_crisis_is_served_the_weighted_mix_and_keeps_the_model_numbers() -> None:
    served, leaning = lean(_model(), _reference(), True, BLEND)
    assert served[30] == HorizonForecast(0.45, 0.40, 0.50)  # weight 0: the outside view
    assert served[7] == HorizonForecast(0.20, 0.15, 0.275)  # half and half
    assert leaning is not None and leaning.model == {7: 0.10, 30: 0.20}
    assert leaning.to_dict()["weights"]["30"]["weight"] == 0.0
    sentence = leaning.sentence(30)
    assert "0.0 x the model (20 %)" in sentence and "1.0 x the outside view (45 %)" in sentence
    assert "120 resolved backtest forecasts" in sentence


def test_a_majority_class_keeps_the_model_and_says_nothing() -> None:
    assert lean(_model(), _reference(crisis=False), False, BLEND) == (_model(), None)


def test_served_numbers_never_fall_from_one_horizon_to_the_next() -> None:
    falling = ServedBlend("m", {"crisis": {7: LEARNT, 30: ClassWeight(1.0, 120, 0.2, 0.3)}})
    served, _ = lean(_model(), _reference(), True, falling)
    # 7 days: the outside view's 30 %; 30 days: the model's 20 %, lifted to 30 %.
    assert served[7].p == pytest.approx(0.30) and served[30].p == pytest.approx(0.30)


@pytest.fixture(scope="module")
def forecaster():
    from forecast.models.ridge_logit import RidgeLogit

    return aged_world_forecaster(
        lambda features, episodes, horizons: RidgeLogit(horizons).fit(features, episodes),
        crisis_share=0.1,
        blend=BLEND,
    )


def _incident(day: str, **extra: object):
    return parse_incident(
        {"initiator": 630, "target": 770, "date": day, "action": "attack", "hostility": 4} | extra
    )


def test_a_forecast_judged_a_crisis_leans_on_its_class_and_says_why(forecaster) -> None:
    forecast = forecaster.predict(_incident("2000-06-01", crisis="yes"))
    reference = forecast.reference
    assert reference is not None and reference.crisis is True
    assert forecast.horizons[30].p == pytest.approx(reference.rates[30].rate, abs=1e-6)
    payload = forecast.to_dict()["leaning"]
    assert payload["crisis"] is True and payload["weights"]["30"]["weight"] == 0.0
    assert any("Judged a crisis" in caveat for caveat in forecast.caveats)
    # The timing curve runs through the served numbers, not the timing model's.
    assert forecast.daily_curve[29] == pytest.approx(forecast.horizons[30].p, abs=1e-6)


def test_the_same_incident_without_the_judgement_is_the_model(forecaster) -> None:
    plain = forecaster.predict(_incident("2000-06-01"))
    assert plain.leaning == {} and not any("Judged" in c for c in plain.caveats)
    judged = forecaster.predict(_incident("2000-06-01", crisis="yes"))
    assert judged.leaning["model"]["30"] == pytest.approx(plain.horizons[30].p, abs=1e-6)
