"""Forecasts for new incidents: parsing, probabilities, timing, drivers, analogues, caveats.

The models, the feature function and the history are small stand-ins injected into Forecaster,
so each answer can be checked by eye. A few integration tests use the pipeline's real outputs.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.config import Params
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.provenance import DataProvenance
from forecast.predict import Forecast, Forecaster, Incident, parse_incident, read_incidents
from forecast.predict.result import strict_json

IRN, PAK, IND, AFG = 630, 770, 750, 700
HORIZONS = (7, 30, 90, 365)


# ---- stand-ins -------------------------------------------------------------------------------


def standin_force_events(incidents: pd.DataFrame, min_hostility: int = 4) -> pd.DataFrame:
    """Canonical incidents -> one row per (actor, victim) use of force, clashes both ways."""
    force = incidents[incidents["hostility"] >= min_hostility]
    forward = pd.DataFrame(
        {
            "incident_id": force["incident_id"].astype(str),
            "actor": force["initiator"].astype(int),
            "victim": force["target"].astype(int),
            "date": pd.to_datetime(force["date"]),
            "hostility": force["hostility"].astype(int),
            "action": force["action"].astype(str),
            "source": force["source"].astype(str),
        }
    )
    undirected = ~force["directed"].to_numpy(dtype=bool)
    reverse = forward[undirected].rename(columns={"actor": "victim", "victim": "actor"})
    return pd.concat([forward, reverse[forward.columns]], ignore_index=True)


def standin_features(
    triggers: pd.DataFrame,
    events: pd.DataFrame,
    covariates: pd.DataFrame,
    params: object,
    horizons: Sequence[int],
) -> pd.DataFrame:
    """Two features: force by the target against the initiator in the 30 days before, hostility."""
    pairs = triggers[["episode_id", "date", "initiator", "target"]].merge(
        events[["actor", "victim", "date"]].rename(columns={"date": "event_date"}),
        left_on=["target", "initiator"],
        right_on=["actor", "victim"],
        how="left",
    )
    window = (pairs["event_date"] < pairs["date"]) & (
        pairs["event_date"] >= pairs["date"] - pd.Timedelta(days=30)
    )
    counts = window.groupby(pairs["episode_id"]).sum()
    return pd.DataFrame(
        {
            "episode_id": triggers["episode_id"].to_numpy(),
            "target_force_30d": counts.reindex(triggers["episode_id"]).to_numpy(dtype=float),
            "hostility": triggers["hostility"].to_numpy(dtype=float),
        }
    )


class StandInLikelihood:
    """logit p_H = a_H + 1.5 * target_force_30d + 0.5 * (hostility - 4); interval +- 0.05."""

    name = "stand_in_logit"
    horizons = HORIZONS
    feature_names_: ClassVar[list[str]] = ["target_force_30d", "hostility"]
    reference_values_ = pd.Series({"target_force_30d": 0.0, "hostility": 4.0})
    intercepts: ClassVar[dict[int, float]] = {7: -2.0, 30: -1.0, 90: -0.5, 365: 0.0}

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> StandInLikelihood:
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        linear = 1.5 * features["target_force_30d"] + 0.5 * (features["hostility"] - 4)
        return pd.DataFrame(
            {h: 1 / (1 + np.exp(-(a + linear))) for h, a in self.intercepts.items()},
            index=features.index,
        )

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        p = self.predict_proba(features)
        return (p - 0.05).clip(0, 1), (p + 0.05).clip(0, 1)


class StandInTiming(StandInLikelihood):
    """Exponential time to retaliation: S(t) = exp(-rate t), rate = base * 3^target_force_30d."""

    name = "stand_in_exponential"

    def __init__(self, base_rate: float = 0.01) -> None:
        self.base_rate = base_rate

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        rate = self.base_rate * 3.0 ** features["target_force_30d"].to_numpy()
        t = np.asarray(days, dtype=float)
        return pd.DataFrame(np.exp(-np.outer(rate, t)), columns=list(days), index=features.index)


def history_incidents() -> pd.DataFrame:
    """Six uses of force 2010-2013, the last a clash; 'mie' coverage ends 2014-12-31."""
    rows = [
        ("mie-1", "2010-03-01", IND, PAK, "attack", True),
        ("mie-2", "2010-03-05", PAK, IND, "attack", True),
        ("mie-3", "2012-06-01", IND, PAK, "attack", True),
        ("mie-4", "2013-01-10", IRN, AFG, "attack", True),
        ("mie-5", "2013-01-20", AFG, IRN, "attack", True),
        ("mie-6", "2013-08-01", IND, PAK, "clash", False),
    ]
    table = pd.DataFrame(
        rows, columns=["incident_id", "date", "initiator", "target", "action", "directed"]
    )
    return table.assign(date=pd.to_datetime(table["date"]), hostility=4, source="mie")


def training_tables(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Episodes (with what happened) and their stand-in features, one per force event."""
    episodes = pd.DataFrame(
        {
            "episode_id": events["incident_id"] + ":" + events["actor"].astype(str),
            "incident_id": events["incident_id"],
            "date": events["date"],
            "initiator": events["actor"],
            "target": events["victim"],
            "action": events["action"],
            "hostility": events["hostility"],
            "event_observed": [True, False, False, True, False, False, False],
            "days_to_retaliation": pd.array([4, None, None, 10, None, None, None], "Int64"),
            "duration": [4, 1000, 1000, 10, 1000, 500, 500],
        }
    )
    features = standin_features(episodes, events, pd.DataFrame(), None, HORIZONS)
    return episodes, features


def make_forecaster(
    *, kind: str = "real", timing: StandInTiming | None = None, **extra: object
) -> Forecaster:
    events = standin_force_events(history_incidents())
    episodes, features = training_tables(events)
    provenance = DataProvenance(
        kind=kind,
        sources=("mie",) if kind == "real" else ("synthetic",),
        data_start="2010-03-01",
        data_end="2013-08-01",
        content_hash="0" * 64,
    )
    covariates = pd.DataFrame({"ccode1": [IRN, PAK], "ccode2": [PAK, IRN], "year": [2013, 2013]})
    return Forecaster(
        likelihood_model=StandInLikelihood(),
        timing_model=timing or StandInTiming(),
        history_events=events,
        covariates=covariates,
        episodes=episodes,
        features=features,
        provenance=provenance,
        params=Params(),
        coverage={"mie": date(2014, 12, 31)},
        model_version="stand-in v1",
        feature_builder=standin_features,
        event_builder=standin_force_events,
        feature_meanings={
            "target_force_30d": "uses of force by the target against the initiator in the "
            "last 30 days",
            "hostility": "hostility level of the trigger",
        },
        **extra,  # type: ignore[arg-type]
    )


def incident(**overrides: object) -> Incident:
    record = {
        "initiator": "IRN",
        "target": "PAK",
        "date": "2024-01-16",
        "action": "attack",
        "hostility": 4,
        "fatalities_target": 2,
    }
    record.update(overrides)
    return parse_incident(record)


# ---- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("iran", ["IRN", "630", 630, "Iran"])
def test_country_may_be_iso3_cow_code_or_name(iran: object) -> None:
    assert incident(initiator=iran).initiator == IRN


def test_unknown_country_names_the_field() -> None:
    with pytest.raises(ForecastError, match=r"initiator.*Atlantis"):
        incident(initiator="Atlantis")


def test_missing_fields_are_all_listed() -> None:
    with pytest.raises(ForecastError, match="missing action, hostility"):
        parse_incident({"initiator": "IRN", "target": "PAK", "date": "2024-01-16"})


def test_bad_date_says_how_to_write_one() -> None:
    with pytest.raises(ForecastError, match="YYYY-MM-DD"):
        incident(date="16/13/2024")


def test_a_threat_is_a_known_event_never_a_trigger() -> None:
    threat = incident(hostility=2)
    assert not threat.is_force
    with pytest.raises(ForecastError, match="no use of force to forecast"):
        make_forecaster().predict(threat)
    with pytest.raises(ForecastError, match="hostility: 1 is no militarized action"):
        incident(hostility=1)


def test_same_country_on_both_sides_is_refused() -> None:
    with pytest.raises(ForecastError, match="same country"):
        incident(target="IRN")


def test_action_accepts_mid_code_and_spaced_names() -> None:
    assert incident(action="16").action == "attack"
    assert incident(action="Show of force").action == "show_of_force"


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ForecastError, match="unknown action 'bombing'"):
        incident(action="bombing")


def test_negative_fatalities_are_refused() -> None:
    with pytest.raises(ForecastError, match="fatalities_target"):
        incident(fatalities_target=-1)


def test_csv_errors_name_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(
        "initiator,target,date,action,hostility\n"
        "IRN,PAK,2024-01-16,attack,4\n"
        "PAK,Narnia,2024-01-18,attack,4\n"
    )
    with pytest.raises(ForecastError, match=r"batch.csv row 2, target"):
        read_incidents(path)


def test_csv_missing_column_lists_expected_columns(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text("initiator,target,date\nIRN,PAK,2024-01-16\n")
    with pytest.raises(DataFileError, match="missing column"):
        read_incidents(path)


def test_json_accepts_object_list_and_wrapper(tmp_path: Path) -> None:
    one = {
        "initiator": "IRN",
        "target": "PAK",
        "date": "2024-01-16",
        "action": "attack",
        "hostility": 4,
    }
    for payload in (one, [one, one], {"incidents": [one]}):
        path = tmp_path / "in.json"
        path.write_text(json.dumps(payload))
        parsed = read_incidents(path)
        assert all(i.target == PAK for i in parsed)
        assert len(parsed) == (2 if isinstance(payload, list) else 1)


def test_folder_reads_every_incident_file_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text(
        "initiator,target,date,action,hostility\nPAK,IRN,2024-01-18,attack,4\n"
    )
    (tmp_path / "a.csv").write_text(
        "initiator,target,date,action,hostility\nIRN,PAK,2024-01-16,attack,4\n"
    )
    (tmp_path / "README.md").write_text("not incidents")
    assert [i.initiator for i in read_incidents(tmp_path)] == [IRN, PAK]


# ---- forecasts -------------------------------------------------------------------------------


def test_every_horizon_has_p_inside_its_interval() -> None:
    forecast = make_forecaster().predict(incident())
    assert set(forecast.horizons) == set(HORIZONS)
    for values in forecast.horizons.values():
        assert values.low <= values.p <= values.high


def test_probability_is_the_models_for_the_incidents_features() -> None:
    # No force by Pakistan against Iran before 2024 in the history: target_force_30d = 0.
    forecast = make_forecaster().predict(incident())
    assert forecast.horizons[30].p == pytest.approx(1 / (1 + math.exp(1.0)), abs=1e-6)


def test_phrase_and_key_judgment_use_the_headline_horizon() -> None:
    forecast = make_forecaster().predict(incident())
    assert forecast.headline_horizon == 30
    # p(30) = 0.269: "unlikely"; the responder (Pakistan) is the subject.
    assert forecast.phrase == "unlikely (20-45 %)"
    assert forecast.key_judgment.startswith(
        "Pakistan is unlikely (20-45 %) to use force against Iran within 30 days"
    )


def test_counter_strike_in_the_same_batch_sees_the_first_strike() -> None:
    strike = incident()
    counter = incident(initiator="PAK", target="IRN", date="2024-01-18")
    first, second = make_forecaster().predict_many([strike, counter])
    assert first.horizons[30].p < second.horizons[30].p
    assert second.drivers[0].feature == "target_force_30d"


def test_the_incident_itself_and_later_events_never_reach_its_features() -> None:
    alone = make_forecaster().predict(incident(date="2013-08-01", initiator="PAK", target="IND"))
    later = incident(date="2013-08-02", initiator="IND", target="PAK")
    with_later = make_forecaster().predict_many(
        [incident(date="2013-08-01", initiator="PAK", target="IND"), later]
    )[0]
    assert alone.horizons == with_later.horizons


def test_timing_median_reads_off_the_survival_curve() -> None:
    # S(t) = exp(-0.05 t): median ln 2 / 0.05 = 13.9 -> day 14; 10 % at day 3; 90 % at day 47.
    forecast = make_forecaster(timing=StandInTiming(base_rate=0.05)).predict(incident())
    assert forecast.timing.median_days == 14
    assert (forecast.timing.low_days, forecast.timing.high_days) == (3, 47)
    assert forecast.timing.beyond_last_horizon is False


def test_timing_says_when_most_mass_lies_beyond_the_last_horizon() -> None:
    forecast = make_forecaster(timing=StandInTiming(base_rate=0.0005)).predict(incident())
    assert forecast.timing.median_days is None
    assert forecast.timing.beyond_last_horizon is True
    assert "beyond 365 days" in forecast.timing.statement


def test_drivers_name_the_feature_direction_and_countries() -> None:
    counter = incident(initiator="PAK", target="IRN", date="2024-01-18")
    forecast = make_forecaster().predict_many([incident(), counter])[1]
    top = forecast.drivers[0]
    assert top.direction == "raises"
    assert top.value == 1.0 and top.typical == 0.0
    assert "uses of force by Iran against Pakistan" in top.meaning


def test_a_typical_incident_has_no_drivers() -> None:
    assert make_forecaster().predict(incident()).drivers == []


def test_analogues_are_past_triggers_nearest_first() -> None:
    forecast = make_forecaster().predict(incident(date="2015-01-01"))
    dates = [a.date for a in forecast.analogues]
    assert all(d < "2015-01-01" for d in dates)
    assert len(forecast.analogues) == 5
    distances = [a.distance for a in forecast.analogues]
    assert distances == sorted(distances)


def test_analogue_says_what_happened_with_names() -> None:
    # India's strike of 1 March 2010 was answered on 5 March: known by 6 March.
    forecast = make_forecaster().predict(incident(date="2010-03-06", initiator="IND", target="PAK"))
    (only,) = forecast.analogues
    assert only.dyad == "India → Pakistan"
    assert only.date_text == "1 March 2010"
    assert only.what_happened == "Pakistan used force against India after 4 days."


def test_an_analogue_with_a_month_dated_answer_says_the_day_is_unknown() -> None:
    from forecast.predict.analogues import _analogue_record

    row = {"episode_id": "e", "date": "2010-03-01", "initiator": 750, "target": 770}
    row |= {"action": "attack", "event_observed": False, "days_to_retaliation": pd.NA}
    answered = _analogue_record(row | {"duration": 12, "retaliated_365d": True}, 0.1, 365)
    assert answered.outcome == "answered"
    assert "known only to the month" in answered.what_happened
    unknown = _analogue_record(row | {"duration": 12, "retaliated_365d": pd.NA}, 0.1, 365)
    assert unknown.outcome == "not answered"
    assert "known in the 12 days after it" in unknown.what_happened


def test_a_trigger_answered_by_this_incident_is_not_its_analogue() -> None:
    # Pakistan's answer of 5 March 2010 must not be compared with the strike it answers.
    forecast = make_forecaster().predict(incident(date="2010-03-05", initiator="PAK", target="IND"))
    assert forecast.analogues == []


def test_unanswered_triggers_qualify_once_their_last_horizon_has_passed() -> None:
    # Pakistan's strike of 5 March 2010 went unanswered: its outcome is known a year later.
    before = make_forecaster().predict(incident(date="2011-03-05"))
    after = make_forecaster().predict(incident(date="2011-03-06"))
    assert "2010-03-05" not in [a.date for a in before.analogues]
    assert "2010-03-05" in [a.date for a in after.analogues]


def test_gap_between_data_end_and_incident_is_a_caveat() -> None:
    caveats = " ".join(make_forecaster().predict(incident()).caveats)
    assert "end on 31 December 2014, 9.0 years before this incident" in caveats


def test_dyad_without_history_is_a_caveat() -> None:
    caveats = " ".join(make_forecaster().predict(incident()).caveats)
    assert "no earlier use of force between Iran and Pakistan" in caveats


def test_covariates_missing_for_the_dyad_is_a_caveat() -> None:
    forecast = make_forecaster().predict(incident(initiator="IND", target="PAK"))
    assert any("No covariates" in c for c in forecast.caveats)


def test_synthetic_data_is_a_caveat_and_in_the_data_source() -> None:
    forecast = make_forecaster(kind="synthetic").predict(incident())
    assert forecast.data_source["synthetic"] is True
    assert any("SYNTHETIC" in c for c in forecast.caveats)


def test_real_data_source_names_its_end() -> None:
    source = make_forecaster().predict(incident()).data_source
    assert (source["synthetic"], source["event_data_end"]) == (False, "2014-12-31")


def test_date_before_the_data_start_is_an_error() -> None:
    with pytest.raises(ForecastError, match="data start on 1 March 2010"):
        make_forecaster().predict(incident(date="1999-05-01"))


def test_json_round_trips_with_string_horizon_keys() -> None:
    forecast = make_forecaster().predict(incident())
    payload = json.loads(forecast.to_json())
    assert payload["horizons"]["30"]["p"] == forecast.horizons[30].p
    assert payload["incident"]["target_name"] == "Pakistan"
    assert payload["model_version"] == "stand-in v1"


def test_forecast_json_keeps_its_shape_key_for_key() -> None:
    """The typed forecast writes the JSON the dict-based one wrote, byte for byte (the file was
    written before Forecast held typed horizons, timing, drivers and analogues)."""
    batch = [
        incident(notes="first strike"),
        incident(initiator="PAK", target="IRN", date="2024-01-18", incident_id="counter-1"),
        incident(initiator="IND", target="PAK", date="2013-09-01", action="clash", hostility=5),
    ]
    forecasts = make_forecaster(timing=StandInTiming(base_rate=0.05)).predict_many(batch)
    expected = (Path(__file__).parent / "fixtures" / "forecast_standin.json").read_text()
    assert strict_json([f.to_dict() for f in forecasts]) + "\n" == expected
    assert forecasts[1].drivers and forecasts[0].analogues


def test_html_card_escapes_hostile_notes() -> None:
    from forecast.report.card import forecast_card_html

    forecast = make_forecaster().predict(incident(notes="<script>alert('x')</script>"))
    card = forecast_card_html(forecast)
    assert "<script>" not in card
    assert "&lt;script&gt;" in card
    assert "Pakistan" in card


def test_same_inputs_give_the_same_numbers() -> None:
    first = make_forecaster().predict(incident()).to_json()
    assert make_forecaster().predict(incident()).to_json() == first


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days_after=st.integers(min_value=0, max_value=6000),
    hostility=st.sampled_from([4, 5]),
    pair=st.sampled_from([("IRN", "PAK"), ("PAK", "IND"), ("AFG", "IRN"), ("IND", "PAK")]),
)
def test_forecast_invariants_hold_for_any_incident(
    days_after: int, hostility: int, pair: tuple[str, str]
) -> None:
    date = (pd.Timestamp("2010-03-01") + pd.Timedelta(days=days_after)).date().isoformat()
    forecast = FORECASTER.predict(
        incident(initiator=pair[0], target=pair[1], date=date, hostility=hostility)
    )
    daily = np.asarray(forecast.daily_curve)
    assert np.all(np.diff(daily) >= -1e-12)
    assert all(a.date < date for a in forecast.analogues)
    assert isinstance(forecast, Forecast)
    assert 0.0 <= forecast.headline_probability <= 1.0


FORECASTER = make_forecaster()


# ---- models that give no number --------------------------------------------------------------


class SilentLikelihood(StandInLikelihood):
    """Gives NaN where its inputs are extreme, as an overflowing model would."""

    def __init__(self, nan_in: str = "p") -> None:
        self.nan_in = nan_in

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        p = super().predict_proba(features)
        return p * np.nan if self.nan_in == "p" else p

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        low, high = super().predict_interval(features, level)
        return (low * np.nan, high) if self.nan_in == "interval" else (low, high)


def test_a_model_without_a_probability_is_an_error_not_a_number() -> None:
    forecaster = make_forecaster()
    forecaster.likelihood_model = SilentLikelihood("p")
    with pytest.raises(ForecastError, match="gave no probability at 7, 30, 90, 365 days"):
        forecaster.predict(incident())


def test_a_missing_interval_is_a_caveat() -> None:
    forecaster = make_forecaster()
    forecaster.likelihood_model = SilentLikelihood("interval")
    forecast = forecaster.predict(incident())
    assert forecast.horizons[30].low is None
    assert any("could not give an interval" in c for c in forecast.caveats)


def test_a_timing_curve_with_gaps_is_reported_as_missing() -> None:
    forecast = make_forecaster(timing=StandInTiming(base_rate=float("nan"))).predict(incident())
    assert forecast.timing.median_days is None
    assert forecast.timing.statement == "The timing model gave no curve for this incident."


def test_target_kind_and_dispute_are_read_and_checked() -> None:
    parsed = incident(target_kind="non-state", dispute_id="iran-pakistan-2024-01")
    assert (parsed.target_kind, parsed.dispute_id) == ("non_state", "iran-pakistan-2024-01")
    with pytest.raises(ForecastError, match="target_kind"):
        incident(target_kind="navy")


def test_missing_dispute_id_is_a_caveat() -> None:
    without = make_forecaster().predict(incident())
    with_id = make_forecaster().predict(incident(dispute_id="d1"))
    assert any("dispute" in c for c in without.caveats)
    assert not any("dispute" in c for c in with_id.caveats)


# ---- integration on the real data ------------------------------------------------------------


class QuickLogit:
    """A plain scikit-learn logistic regression per horizon: a fast stand-in for the champion."""

    name = "quick_logit"
    horizons = HORIZONS

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> QuickLogit:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        labels = [f"retaliated_{h}d" for h in self.horizons]
        # The latest 6,000 triggers are plenty for a stand-in and keep the fixture fast.
        table = features.merge(
            episodes[["episode_id", *labels]], on="episode_id", validate="one_to_one"
        ).tail(6000)
        self.feature_names_ = [c for c in features.columns if c != "episode_id"]
        self.reference_values_ = features[self.feature_names_].median()
        self.models_ = {}
        for h in self.horizons:
            known = table[f"retaliated_{h}d"].notna().to_numpy()
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
            self.models_[h] = model.fit(
                table.loc[known, self.feature_names_].to_numpy(float),
                table.loc[known, f"retaliated_{h}d"].astype(bool).to_numpy(),
            )
        return self

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        values = features[self.feature_names_].to_numpy(float)
        return pd.DataFrame(
            {h: m.predict_proba(values)[:, 1] for h, m in self.models_.items()},
            index=features.index,
        )

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        p = self.predict_proba(features)
        return (p - 0.03).clip(0, 1), (p + 0.03).clip(0, 1)


class CurveFromLikelihood(QuickLogit):
    """Exponential timing whose 30-day chance equals the likelihood model's."""

    def __init__(self, likelihood: QuickLogit) -> None:
        self.likelihood = likelihood
        self.feature_names_ = likelihood.feature_names_
        self.reference_values_ = likelihood.reference_values_

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        p30 = self.likelihood.predict_proba(features)[30].clip(1e-6, 1 - 1e-6).to_numpy()
        rate = -np.log1p(-p30) / 30
        return pd.DataFrame(np.exp(-np.outer(rate, days)), columns=list(days))


_REAL: dict[str, Forecaster] = {}


@pytest.fixture
def real_forecaster(real_data_dir: Path) -> Forecaster:
    """MIE plus the hand-coded files, the real episode and feature code, a quick model."""
    if "forecaster" not in _REAL:
        from functools import partial

        from forecast.core.provenance import provenance_of
        from forecast.episodes import build_episodes, force_events
        from forecast.features.computation import build_features
        from forecast.sources.handcoded import read_handcoded
        from forecast.sources.mie import read_mie

        mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
        hand = read_handcoded(Path(__file__).resolve().parents[1] / "data" / "incidents")
        incidents = pd.concat([mie.incidents, hand.incidents], ignore_index=True)
        coverage = {"mie": mie.coverage.end, "handcoded": hand.coverage.end}
        params = Params()
        episodes = build_episodes(incidents, params.episodes, coverage)
        events = force_events(incidents, params.episodes.min_hostility)
        build = partial(build_features, coverage=coverage)
        features = build(episodes, events, None, params.features, params.episodes.horizons)
        likelihood = QuickLogit().fit(features, episodes)
        _REAL["forecaster"] = Forecaster(
            likelihood_model=likelihood,
            timing_model=CurveFromLikelihood(likelihood),
            history_events=events,
            covariates=None,
            episodes=episodes,
            features=features,
            provenance=provenance_of(incidents),
            params=params,
            coverage=coverage,
            model_version="quick_logit (test)",
            feature_builder=build,
            event_builder=force_events,
        )
    return _REAL["forecaster"]


SEED_FILE = Path(__file__).resolve().parents[1] / "data" / "incidents" / "iran_pakistan_2024.csv"


def test_real_seed_case_is_forecast_with_the_gap_stated(real_forecaster: Forecaster) -> None:
    strike, counter = real_forecaster.predict_many(read_incidents(SEED_FILE))
    assert strike.key_judgment.startswith("Pakistan ")
    assert counter.key_judgment.startswith("Iran ")
    assert any("end on 31 December 2014" in c for c in strike.caveats)
    assert strike.data_source == {**strike.data_source, "synthetic": False, "kind": "real"}


def test_real_counter_strike_is_seen_as_a_response(real_forecaster: Forecaster) -> None:
    strike, counter = real_forecaster.predict_many(read_incidents(SEED_FILE))
    assert strike.features["is_response_7d"] == 0.0
    assert counter.features["is_response_7d"] == 1.0
    assert counter.features["force_7d_target_to_initiator"] == 1.0


def test_real_analogues_are_named_past_triggers(real_forecaster: Forecaster) -> None:
    strike = real_forecaster.predict_many(read_incidents(SEED_FILE))[0]
    assert len(strike.analogues) == 5
    for analogue in strike.analogues:
        assert analogue.date < "2024-01-16"
        assert "COW" not in analogue.dyad and " → " in analogue.dyad


def test_real_drivers_are_in_plain_words(real_forecaster: Forecaster) -> None:
    counter = real_forecaster.predict_many(read_incidents(SEED_FILE))[1]
    assert counter.drivers
    for driver in counter.drivers:
        assert driver.direction in {"raises", "lowers"}
        assert "_" not in driver.meaning


def test_inputs_outside_the_training_range_are_a_caveat() -> None:
    # Every stand-in training trigger has hostility 4; a war-level incident is new ground.
    forecast = make_forecaster().predict(incident(hostility=5))
    assert any("rarely or never saw in training: hostility level" in c for c in forecast.caveats)


def test_inputs_inside_the_training_range_give_no_extrapolation_caveat() -> None:
    forecast = make_forecaster().predict(incident())
    assert not any("extrapolation" in c for c in forecast.caveats)


def test_features_receive_every_covariate_row_of_the_incidents_dyad_and_no_other() -> None:
    seen: list[pd.DataFrame] = []

    def recording_features(triggers, events, covariates, params, horizons):  # type: ignore[no-untyped-def]
        seen.append(covariates)
        return standin_features(triggers, events, covariates, params, horizons)

    forecaster = make_forecaster()
    forecaster._feature_builder = recording_features
    forecaster.predict(incident())
    (received,) = seen
    assert received[["ccode1", "ccode2", "year"]].values.tolist() == [[IRN, PAK, 2013]]


def test_a_lone_new_incident_is_scored_against_the_history_as_it_is() -> None:
    # Nothing dated on or after an incident's day reaches its forecast, so a lone incident
    # need not be added to the history (whose feature index the forecaster keeps).
    forecaster = make_forecaster()
    assert forecaster._history_with([incident()], ["new-1"]) is forecaster.history_events
    counter = incident(initiator="PAK", target="IRN", date="2024-01-18")
    grown = forecaster._history_with([incident(), counter], ["new-1", "new-2"])
    assert len(grown) == len(forecaster.history_events) + 1


def test_kept_history_index_forecasts_as_the_full_feature_build(
    real_forecaster: Forecaster,
) -> None:
    from forecast.predict.history import KeptHistoryFeatures

    kept = copy.copy(real_forecaster)
    coverage = real_forecaster._feature_builder.keywords["coverage"]
    kept._feature_builder = KeptHistoryFeatures(real_forecaster.history_events, coverage=coverage)
    triggers = real_forecaster._analogue_index.table.sample(12, random_state=3)
    incidents = [
        parse_incident(
            {
                "initiator": int(row.initiator),
                "target": int(row.target),
                "date": (row.date + pd.Timedelta(days=3)).date().isoformat(),
                "action": row.action,
                "hostility": 4,
            }
        )
        for row in triggers.itertuples()
    ]
    for case in [*incidents, *read_incidents(SEED_FILE)]:
        assert kept.predict(case).to_dict() == real_forecaster.predict(case).to_dict()
    batch = read_incidents(SEED_FILE)
    assert [f.to_dict() for f in kept.predict_many(batch)] == [
        f.to_dict() for f in real_forecaster.predict_many(batch)
    ]
