"""Timing models: survival curves that fall with time and recover the planted hazard ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.errors import ForecastError
from forecast.models.timing import BoostedHazard, BoostedTrees, CoxTiming, HazardGLM
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


# ---- the boosted hazard's trees in numpy --------------------------------------------------------


@pytest.fixture(scope="module")
def booster_and_rows() -> tuple[object, np.ndarray]:
    """A booster fitted on rows with gaps (so its splits route missing values) and new rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(5)
    inputs = rng.normal(size=(3000, 6))
    inputs[rng.random(inputs.shape) < 0.1] = np.nan
    answered = np.nan_to_num(inputs[:, 0]) + 0.5 * np.nan_to_num(inputs[:, 1]) > rng.normal(
        size=3000
    )
    booster = HistGradientBoostingClassifier(max_iter=60, early_stopping=False, random_state=0)
    booster.fit(inputs, answered, sample_weight=rng.random(3000))
    rows = rng.normal(size=(400, 6))
    rows[rng.random(rows.shape) < 0.1] = np.nan
    return booster, rows


def test_the_trees_in_numpy_give_the_boosters_raw_scores_exactly(booster_and_rows) -> None:
    booster, rows = booster_and_rows
    trees = BoostedTrees.of(booster)
    assert trees is not None
    np.testing.assert_array_equal(trees.raw_score(rows), booster._raw_predict(rows)[:, 0])
    # The probabilities then differ only by the expit's rounding (tests/test_links.py).
    np.testing.assert_allclose(
        trees.predict_proba(rows), booster.predict_proba(rows), rtol=1e-14, atol=1e-15
    )


def test_the_trees_refuse_rows_of_another_width(booster_and_rows) -> None:
    booster, rows = booster_and_rows
    with pytest.raises(ForecastError, match="6 inputs"):
        BoostedTrees.of(booster).predict_proba(rows[:, :5])


def test_a_booster_with_categorical_splits_is_kept_as_it_is() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(6)
    kind = rng.integers(0, 4, 500)
    booster = HistGradientBoostingClassifier(
        max_iter=5, categorical_features=[0], early_stopping=False, random_state=0
    ).fit(kind[:, None].astype(float), kind == 2)
    assert BoostedTrees.of(booster) is None


def test_the_scoring_copy_of_the_boosted_hazard_holds_numpy_trees(world) -> None:
    episodes, features = world
    model = BoostedHazard(HORIZONS, max_iter=30).fit(features, episodes)
    copy = model.for_scoring()
    assert isinstance(copy.booster_, BoostedTrees)
    rows = features.sample(50, random_state=3)
    days = [1, 10, 100, 365]
    pd.testing.assert_frame_equal(
        copy.predict_survival(rows, days), model.predict_survival(rows, days), rtol=1e-13
    )


def test_cox_without_covariance_has_the_same_coefficients_and_curves(world):
    episodes, features = world
    full = CoxTiming(HORIZONS).fit(features, episodes)
    light = CoxTiming(HORIZONS)
    light.with_covariance = False
    light.fit(features, episodes)
    np.testing.assert_array_equal(full.coef_, light.coef_)
    np.testing.assert_array_equal(
        full.predict_survival(features, HORIZONS).to_numpy(),
        light.predict_survival(features, HORIZONS).to_numpy(),
    )
    assert np.isnan(light.cov_).all() and np.isfinite(full.cov_).all()
