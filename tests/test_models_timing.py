"""Timing models: survival curves that fall with time and recover the planted hazard ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.models.timing import CoxTiming, HazardGLM
from tests.fixtures_models import HORIZONS, PLANTED, make_world


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_world(1500, seed=11)


@pytest.fixture(scope="module", params=[HazardGLM, CoxTiming], ids=["hazard_glm", "cox"])
def fitted(request, world):
    episodes, features = world
    return request.param(HORIZONS).fit(features, episodes)


def test_hazard_ratios_have_the_planted_signs(fitted):
    ratios = fitted.hazard_ratios().set_index("feature")
    for name, effect in PLANTED.items():
        if effect > 0:
            assert ratios.loc[name, "low"] > 1, name
        elif effect < 0:
            assert ratios.loc[name, "high"] < 1, name


def test_planted_answer_record_hazard_ratio_is_recovered(fitted):
    ratio = fitted.hazard_ratios().set_index("feature").loc["target_answer_rate_30d"]
    planted = PLANTED["target_answer_rate_30d"]
    if isinstance(fitted, HazardGLM):
        # The world's delays are whole days drawn from a grouped-time proportional-hazards
        # process: exactly the discrete-time cloglog model, so its interval must cover the truth.
        assert ratio["low"] < np.exp(planted) < ratio["high"]
    else:
        # A continuous-time Cox fit on whole-day delays (most of them one or two days) is
        # attenuated toward zero by the grouping; it must still land within about 30 %.
        assert abs(np.log(ratio["hazard_ratio"]) - planted) < 0.35


def test_timing_models_keep_one_of_two_nearly_collinear_windows(world):
    episodes, features = world
    # Not an exact copy (rank checks would catch that): correlated at about 0.97.
    jitter = np.random.default_rng(0).normal(0, 0.05, len(features))
    twin = features.assign(target_answer_rate_30d_copy=features["target_answer_rate_30d"] + jitter)
    assert twin["target_answer_rate_30d"].corr(twin["target_answer_rate_30d_copy"]) > 0.9
    model = HazardGLM(HORIZONS).fit(twin, episodes)
    chosen = {"target_answer_rate_30d", "target_answer_rate_30d_copy"} & set(model.columns_)
    assert len(chosen) == 1


def test_probability_within_horizon_is_one_minus_survival(fitted, world):
    _, features = world
    proba = fitted.predict_proba(features.head(20))
    survival = fitted.predict_survival(features.head(20), list(HORIZONS))
    assert np.allclose(proba.to_numpy(), 1 - survival.to_numpy())


@settings(max_examples=25, deadline=None)
@given(days=st.lists(st.integers(0, 2000), min_size=2, max_size=12, unique=True))
def test_survival_never_rises_with_time(fitted, world, days):
    _, features = world
    curve = fitted.predict_survival(features.head(30), sorted(days)).to_numpy()
    assert np.all(np.diff(curve, axis=1) <= 1e-12)
    assert np.all((curve >= 0) & (curve <= 1))


def test_forecast_mean_matches_observed_rate(fitted, world):
    episodes, features = world
    known = episodes["retaliated_30d"].notna().to_numpy()
    predicted = fitted.predict_proba(features)[30].to_numpy()[known].mean()
    assert abs(predicted - episodes["retaliated_30d"][known].mean()) < 0.03


def test_trigger_on_the_last_day_does_not_break_the_fit(world):
    episodes, features = world
    episodes = episodes.copy()
    episodes.loc[episodes.index[-1], ["duration", "event_observed"]] = [0, False]
    model = CoxTiming(HORIZONS).fit(features, episodes)
    assert np.isfinite(model.cov_).all()
