"""`forecast predict --as-of`: the chance of an answer from a later day on, given none yet.

The stand-in forecaster of test_predict serves; its episodes give the timing shape when no
as-of model was written, and a hand-made as-of model stands in for the written one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.as_of.model import AS_OF_LOGIT, TIMING_CURVE, AsOfModel
from forecast.as_of.renormalise import timing_shape
from forecast.core.errors import ForecastError
from forecast.predict import Forecaster
from tests.conftest import run_forecast
from tests.test_predict import HORIZONS, incident, make_forecaster

STRIKE = {"initiator": "IRN", "target": "PAK", "date": "2024-01-16"}


def _written_model(data_hash: str) -> AsOfModel:
    """An as-of model serving a logit in which a threat counts, built on `data_hash`."""
    return AsOfModel(
        HORIZONS,
        timing_shape(np.arange(1, 366, dtype=float), 365),
        {h: np.array([1.0, 0.0]) for h in HORIZONS},
        dict.fromkeys(HORIZONS, AS_OF_LOGIT),
        data_hash=data_hash,
    )


def _logit_forecaster() -> Forecaster:
    """A forecaster whose written as-of model matches its data."""
    model = _written_model("written")
    return make_forecaster(as_of_model=lambda: model, data_hash="written")


def test_five_quiet_days_lower_the_chance_from_then_on() -> None:
    """The stand-in's training answers came on days 4 and 10: by day 5 half the timing
    shape has passed."""
    day0 = make_forecaster().predict(incident())
    later = make_forecaster().predict(incident(as_of="2024-01-21"))
    block = later.as_of
    assert block["days_elapsed"] == 5 and not block["answer_known"]
    for horizon in HORIZONS:
        cell = block["horizons"][str(horizon)]
        assert cell["day0"] == pytest.approx(day0.horizons[horizon].p, abs=1e-6)
        assert cell["p"] < cell["day0"]
        assert cell["served"] == "renormalised"
    assert later.horizons[30].p == day0.horizons[30].p  # the day-0 numbers stay as they were
    assert block["statement"].startswith("As of 21 January 2024 (day 5")
    assert "no as-of backtest has been run" in block["basis"]
    assert later.to_dict()["as_of"]["date"] == "2024-01-21"
    assert day0.to_dict()["as_of"] is None


def test_on_the_trigger_day_the_as_of_numbers_are_the_day0_numbers() -> None:
    block = make_forecaster().predict(incident(as_of="2024-01-16")).as_of
    for cell in block["horizons"].values():
        assert cell["p"] == pytest.approx(cell["day0"], abs=1e-6)


def test_a_passed_horizon_has_nothing_left_to_forecast() -> None:
    block = make_forecaster().predict(incident(as_of="2024-02-20")).as_of
    assert block["horizons"]["7"]["p"] is None and block["horizons"]["30"]["p"] is None
    assert block["horizons"]["90"]["p"] is not None


def test_a_threat_given_since_the_trigger_raises_the_logits_number() -> None:
    strike = incident(as_of="2024-01-19")
    threat = incident(
        initiator="PAK", target="IRN", date="2024-01-17", action="threat_to_use_force", hostility=2
    )
    quiet = _logit_forecaster().predict_many([strike])[0].as_of
    threatened = _logit_forecaster().predict_many([strike, threat])
    assert len(threatened) == 1  # the threat is a known event, not forecast
    block = threatened[0].as_of
    assert block["evidence"]["target_signals"] == 1
    assert block["horizons"]["30"]["p"] > quiet["horizons"]["30"]["p"]
    assert block["horizons"]["30"]["served"] == AS_OF_LOGIT
    assert "as-of backtest" in block["basis"]


def test_a_threat_after_the_as_of_day_is_not_read() -> None:
    strike = incident(as_of="2024-01-19")
    late = incident(
        initiator="PAK", target="IRN", date="2024-01-25", action="threat_to_use_force", hostility=2
    )
    block = _logit_forecaster().predict_many([strike, late])[0].as_of
    assert block["evidence"]["target_signals"] == 0


def test_an_answer_already_known_leaves_no_as_of_forecast() -> None:
    strike = incident(as_of="2024-01-20")
    answer = incident(initiator="PAK", target="IRN", date="2024-01-18")
    forecasts = make_forecaster().predict_many([strike, answer])
    block = forecasts[0].as_of
    assert block["answer_known"]
    assert all(cell["p"] is None for cell in block["horizons"].values())
    assert "already known" in block["statement"]


def test_a_written_model_for_other_data_is_not_served() -> None:
    model = _written_model("other data")
    forecaster = make_forecaster(as_of_model=lambda: model, data_hash="these data")
    block = forecaster.predict(incident(as_of="2024-01-19")).as_of
    assert block["horizons"]["30"]["served"] == "renormalised"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"as_of": "2024-01-10"}, "as_of: 2024-01-10 is before the incident's day"),
        ({"as_of": "2024-01"}, "give the day"),
        ({"date": "2024-01", "as_of": "2024-01-20"}, "give the day"),
        ({"hostility": 2, "as_of": "2024-01-20"}, "only a use of force"),
        ({"as_of": "20.01.2024"}, "as_of: '20.01.2024' is not a date"),
    ],
)
def test_a_bad_as_of_day_is_refused_by_name(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ForecastError, match=message):
        incident(**fields)


def test_the_cli_refuses_an_as_of_day_before_the_strike_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_forecast(
        [
            "predict",
            "--initiator", "IRN", "--target", "PAK", "--date", "2024-01-16",
            "--action", "attack", "--hostility", "4", "--as-of", "2024-01-01",
        ],
        capsys,
        monkeypatch,
    )  # fmt: skip
    assert code != 0
    assert "--as-of, as_of: 2024-01-01 is before the day of every incident given" in err
    assert "Traceback" not in out + err


def test_a_batch_as_of_a_day_leaves_the_incidents_after_it_to_their_own_day() -> None:
    from forecast.predict.incident import with_as_of

    first = incident()
    later = incident(initiator="PAK", target="IRN", date="2024-01-18")
    dated = with_as_of([first, later], "2024-01-17")
    assert dated[0].as_of == pd.Timestamp("2024-01-17") and dated[1].as_of is None
    forecasts = make_forecaster().predict_many(dated)
    # Pakistan's strike on the 18th is after the as-of day: no answer is known by then.
    assert not forecasts[0].as_of["answer_known"] and forecasts[1].as_of == {}
    with pytest.raises(ForecastError, match=r"--as-of, as_of: '17\.01\.2024' is not a date"):
        with_as_of([first], "17.01.2024")


def test_evidence_reads_the_records_threats_and_month_dated_ones_only_whole(tmp_path) -> None:
    """Signals in the record reach the as-of evidence: a month-dated threat counts only once
    its whole month lies between the trigger and the as-of day."""
    record = pd.DataFrame(
        {
            "initiator": [770, 770],
            "target": [630, 630],
            "date": pd.to_datetime(["2024-02-01", "2024-01-17"]),
            "date_precision": ["month", "day"],
            "hostility": [3, 2],
        }
    )
    forecaster = make_forecaster(signals=record)
    early = forecaster.predict(incident(as_of="2024-02-20")).as_of
    late = forecaster.predict(incident(as_of="2024-03-01")).as_of
    assert early["evidence"]["target_signals"] == 1
    assert late["evidence"]["target_signals"] == 2


def test_a_served_timing_curve_reads_the_days_passed_off_the_incidents_own_curve() -> None:
    model = AsOfModel(
        HORIZONS,
        timing_shape(np.arange(1, 366, dtype=float), 365),
        dict.fromkeys(HORIZONS),
        dict.fromkeys(HORIZONS, TIMING_CURVE),
        data_hash="written",
    )
    forecaster = make_forecaster(as_of_model=lambda: model, data_hash="written")
    forecast = forecaster.predict(incident(as_of="2024-01-21"))
    cell = forecast.as_of["horizons"]["30"]
    assert cell["served"] == TIMING_CURVE and cell["p"] == cell["timing_curve"]
    # The stand-in timer's curve is exponential, not the shared (uniform) shape.
    assert cell["timing_curve"] != pytest.approx(cell["renormalised"], abs=1e-4)
    curve = np.asarray(forecast.daily_curve)
    by_5 = forecast.horizons[7].p * curve[4] / curve[6]
    assert cell["timing_curve"] == pytest.approx(
        (forecast.horizons[30].p - by_5) / (1 - by_5), abs=1e-5
    )
    assert "own timing curve" in forecast.as_of["statement"]
