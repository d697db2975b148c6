"""Timing beyond proportional hazards: the models whose curves may cross, and the scores that
tell whether they rank triggers better in time (truncated C, time-dependent AUC, paired C
differences)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from forecast.core.config import BacktestParams, ModelParams, Params
from forecast.evaluation import metrics, timing_ranking
from forecast.evaluation.backtest import headline, run_backtest
from forecast.models import registry
from forecast.models.timing import BoostedHazard, TimeVaryingHazard
from tests.fixtures_models import HORIZONS, make_world

# The crossing world: `noise`'s effect on the daily log hazard is CROSS_EARLY on day 1 and
# falls by CROSS_SLOPE per unit of log days, so it is reversed after about a week.
CROSS_EARLY = 1.5
CROSS_SLOPE = 0.8
BASE = -4.0
DAYS = 3000


def crossing_world(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """make_world's triggers with times drawn from a hazard that is not proportional.

    Triggers high on `noise` are answered quickly or not at all; low ones slowly but surely,
    so their survival curves cross. Drawn on whole days by inverting the cumulative hazard.
    """
    episodes, features = make_world(n, seed=seed, start="1960-01-01")
    rng = np.random.default_rng(seed + 1)
    z = features["noise"].to_numpy()
    log_day = np.log(np.arange(1, DAYS + 1, dtype=float))
    log_hazard = BASE + z[:, None] * (CROSS_EARLY - CROSS_SLOPE * log_day[None, :])
    cumulative = np.cumsum(np.exp(log_hazard), axis=1)
    threshold = rng.exponential(1.0, n)
    latent = np.argmax(cumulative >= threshold[:, None], axis=1) + 1
    latent = np.where(cumulative[:, -1] >= threshold, latent, DAYS * 10)
    days_left = (pd.Timestamp("2014-12-31") - episodes["date"]).dt.days.to_numpy()
    observed = latent <= days_left
    episodes = episodes.assign(
        event_observed=observed, duration=np.where(observed, latent, days_left).astype(np.int64)
    )
    for horizon in HORIZONS:
        label = pd.array(latent <= horizon, dtype="boolean")
        label[days_left < horizon] = pd.NA
        episodes[f"retaliated_{horizon}d"] = label
    return episodes, features


@pytest.fixture(scope="module")
def crossing() -> dict[str, object]:
    episodes, features = crossing_world(3000, seed=5)
    half = len(episodes) // 2
    train, test = episodes.iloc[:half], episodes.iloc[half:]
    fitted = {
        name: registry.build(name, Params()).fit(features.iloc[:half], train)
        for name in ("hazard_glm", "hazard_glm_tv", "hazard_gb")
    }
    return {"fitted": fitted, "test": test, "features": features.iloc[half:]}


def _test_concordance(crossing: dict, name: str, tau: float) -> float:
    test, features = crossing["test"], crossing["features"]
    grid = (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)
    survival = crossing["fitted"][name].predict_survival(features, grid).to_numpy()
    risk = metrics.restricted_time_lost(survival, np.asarray(grid, dtype=float), tau)
    return metrics.uno_c(
        test["duration"].to_numpy(float), test["event_observed"].to_numpy(bool), risk, tau
    )


@pytest.mark.parametrize("name", ["hazard_glm_tv", "hazard_gb"])
@pytest.mark.parametrize("tau", [7.0, 30.0])
def test_models_without_proportional_hazards_rank_crossing_curves_better(crossing, name, tau):
    # One effect for all days averages the early and the late one: in the first week the
    # proportional model ranks worse than chance (about 0.30 against the others' 0.65+).
    proportional = _test_concordance(crossing, "hazard_glm", tau)
    assert _test_concordance(crossing, name, tau) > proportional + 0.03


@pytest.mark.parametrize("name", ["hazard_glm_tv", "hazard_gb"])
def test_models_without_proportional_hazards_are_no_worse_over_the_year(crossing, name):
    assert _test_concordance(crossing, name, 365.0) > _test_concordance(
        crossing, "hazard_glm", 365.0
    )


def test_time_varying_hazard_recovers_the_planted_slope(crossing):
    model = crossing["fitted"]["hazard_glm_tv"]
    slope = model.slope_[model.columns_.index("noise")]
    # The planted slope per log day is -0.8; grouped intervals blur it a little.
    assert -1.1 < slope < -0.5
    # At 30 days the planted effect is 1.5 - 0.8 * log(30), about -1.2.
    effect_at_30 = model.coef_[model.columns_.index("noise")]
    assert -1.6 < effect_at_30 < -0.8


@pytest.fixture(scope="module", params=[TimeVaryingHazard, BoostedHazard])
def fitted(request):
    episodes, features = make_world(1200, seed=3)
    return request.param(HORIZONS).fit(features, episodes), features


@settings(max_examples=20, deadline=None)
@given(days=st.lists(st.integers(0, 2000), min_size=2, max_size=10, unique=True))
def test_new_models_survival_never_rises_with_time(fitted, days):
    model, features = fitted
    curve = model.predict_survival(features.head(25), sorted(days)).to_numpy()
    assert np.all(np.diff(curve, axis=1) <= 1e-12)
    assert np.all((curve >= 0) & (curve <= 1))


def test_new_models_give_probabilities_within_their_band(fitted):
    model, features = fitted
    proba = model.predict_proba(features.head(40))
    survival = model.predict_survival(features.head(40), list(HORIZONS))
    assert np.allclose(proba.to_numpy(), 1 - survival.to_numpy())
    low, high = model.predict_interval(features.head(40))
    assert np.all(low.to_numpy() <= proba.to_numpy() + 1e-12)
    assert np.all(proba.to_numpy() <= high.to_numpy() + 1e-12)
    assert np.all(high.to_numpy() - low.to_numpy() > 0)


def test_scoring_copy_forecasts_the_same(fitted):
    model, features = fitted
    copy = pickle.loads(pickle.dumps(model.for_scoring()))
    pd.testing.assert_frame_equal(
        copy.predict_survival(features.head(10), [7, 30]),
        model.predict_survival(features.head(10), [7, 30]),
    )


def test_registry_builds_the_new_timing_models():
    params = Params()
    assert isinstance(registry.build("hazard_glm_tv", params), TimeVaryingHazard)
    booster = registry.build("hazard_gb", params)
    assert isinstance(booster, BoostedHazard)
    assert booster.booster_params["max_iter"] == params.models.hist_gb.max_iter
    assert registry.is_timing("hazard_glm_tv") and registry.is_timing("hazard_gb")


# Metrics ------------------------------------------------------------------------------------


def _survival_times(n: int, seed: int, censor: bool) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    marker = rng.normal(size=n)
    time = np.ceil(rng.exponential(40 * np.exp(-marker))).astype(float)
    follow = np.ceil(rng.exponential(150, n)) if censor else np.full(n, np.inf)
    event = time <= follow
    return np.minimum(time, follow), event, marker, rng.integers(0, n // 5, n)


@pytest.mark.parametrize("day", [7.0, 30.0, 90.0])
def test_dynamic_auc_without_censoring_is_the_plain_auc(day):
    time, event, marker, _ = _survival_times(400, seed=1, censor=False)
    expected = roc_auc_score(time <= day, marker)
    assert metrics.cumulative_dynamic_auc(time, event, marker, day) == pytest.approx(expected)


def test_dynamic_auc_corrects_for_censoring():
    # The same latent times, heavily censored: the IPCW estimate stays near the uncensored AUC.
    full_time, _, marker, _ = _survival_times(20000, seed=2, censor=False)
    rng = np.random.default_rng(3)
    follow = np.ceil(rng.exponential(60, len(full_time)))
    event = full_time <= follow
    truth = roc_auc_score(full_time <= 30, marker)
    estimate = metrics.cumulative_dynamic_auc(np.minimum(full_time, follow), event, marker, 30.0)
    assert (~event).mean() > 0.25
    assert estimate == pytest.approx(truth, abs=0.01)


def test_restricted_time_lost_integrates_one_minus_survival():
    rate = np.array([0.01, 0.05])
    days = np.arange(1, 366, dtype=float)
    survival = np.exp(-np.outer(rate, days))
    lost = metrics.restricted_time_lost(survival, days, 90.0)
    expected = 90.0 - (1 - np.exp(-rate * 90.0)) / rate
    assert lost == pytest.approx(expected, rel=1e-3)


def test_restricted_time_lost_orders_proportional_hazards_as_one_minus_survival():
    rng = np.random.default_rng(4)
    baseline = np.cumsum(rng.uniform(0.001, 0.02, 16))
    survival = np.exp(-np.outer(np.exp(rng.normal(size=50)), baseline))
    days = np.array([1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365], float)
    lost = metrics.restricted_time_lost(survival, days, 365.0)
    assert (np.argsort(lost) == np.argsort(1 - survival[:, -1])).all()


def test_ranking_scores_match_the_plain_scores_and_bracket_them():
    time, event, marker, clusters = _survival_times(600, seed=5, censor=True)
    block = metrics.timing_ranking_scores(
        time, event, {"c_30": (30.0, marker)}, {"auc_7": (7.0, marker)}, clusters, 100, 0
    )
    assert block["c_30"] == pytest.approx(metrics.uno_c(time, event, marker, 30.0))
    assert block["auc_7"] == pytest.approx(metrics.cumulative_dynamic_auc(time, event, marker, 7.0))
    for name in ("c_30", "auc_7"):
        low, high = block[f"{name}_ci90"]
        assert low < block[name] < high
    again = metrics.timing_ranking_scores(
        time, event, {"c_30": (30.0, marker)}, {"auc_7": (7.0, marker)}, clusters, 100, 0
    )
    assert again == block
    unreplicated = metrics.timing_ranking_scores(
        time, event, {"c_30": (30.0, marker)}, {}, clusters, 0, 0
    )
    assert set(unreplicated) == {"c_30"}


def test_paired_difference_of_a_risk_with_itself_is_zero():
    time, event, marker, clusters = _survival_times(300, seed=6, censor=True)
    block = metrics.paired_timing_difference(time, event, marker, marker, 90.0, clusters, 50, 0)
    assert block["difference"] == 0.0
    assert block["difference_ci90"] == [0.0, 0.0]


def test_paired_difference_is_the_difference_and_finds_the_better_risk():
    time, event, marker, clusters = _survival_times(500, seed=7, censor=True)
    noisy = marker + np.random.default_rng(8).normal(0, 2, len(marker))
    block = metrics.paired_timing_difference(time, event, marker, noisy, 90.0, clusters, 100, 0)
    expected = metrics.uno_c(time, event, marker, 90.0) - metrics.uno_c(time, event, noisy, 90.0)
    assert block["difference"] == pytest.approx(expected)
    assert block["difference_ci90"][0] > 0
    assert block["share_above_zero"] == 1.0


# The backtest's timing file ---------------------------------------------------------------


def test_backtest_reports_truncated_scores_the_reference_and_comparisons():
    episodes, features = make_world(700, seed=21, start="2002-01-01")
    params = Params(
        backtest=BacktestParams(first_origin=2012, bootstrap_replicates=10),
        models=ModelParams(
            likelihood=["logit"], timing=["cox", "hazard_glm_tv"], ensemble=["logit"]
        ),
    )
    result = run_backtest(episodes, features, params, progress=False)
    timing = result.timing
    line = headline(result, params).splitlines()[1]
    assert line.startswith("timing: best Uno's C on limited_force: hazard_glm_tv")
    assert "against cox" in line and "logit_30d" in line
    for key in ("c_index_30", "c_index_90", "td_auc_7", "td_auc_30", "td_auc_90"):
        assert 0.5 < timing["hazard_glm_tv"][key] <= 1, key
        low, high = timing["hazard_glm_tv"]["limited_force"][f"{key}_ci90"]
        assert low <= timing["hazard_glm_tv"]["limited_force"][key] <= high
    reference = timing["references"][timing_ranking.REFERENCE_NAME]
    assert 0.5 < reference["c_index"] <= 1 and "limited_force" in reference
    comparisons = timing["comparisons"]["all"]
    assert set(comparisons) == {"hazard_glm_tv - cox", "hazard_glm_tv - logit_30d"}
    difference = comparisons["hazard_glm_tv - cox"]["c_index"]["difference"]
    assert difference == pytest.approx(
        timing["hazard_glm_tv"]["c_index"] - timing["cox"]["c_index"]
    )


def test_the_best_timing_model_is_compared_with_every_other_on_paired_draws():
    """A timing variant is judged against the best (and the best against it) by the same
    resamples: every other timing model gets its paired difference."""
    rng = np.random.default_rng(5)
    n = 400
    time = rng.integers(1, 400, n).astype(float)
    event = rng.random(n) < 0.6
    clusters = rng.integers(0, 40, n)
    grid = (1, 7, 30, 90, 180, 365)
    days = np.asarray(grid, dtype=float)
    truth = np.exp(-np.outer(1 / time, days))  # sooner answers fall faster: a good ranking
    noise = np.exp(-np.outer(rng.random(n) / 100, days))
    survival = {"hazard_gb": truth, "hazard_gb_cure": truth**0.9, "cox": noise}
    timing = {
        "hazard_gb": {"c_index": 0.9},
        "hazard_gb_cure": {"c_index": 0.8},
        "cox": {"c_index": 0.5},
    }
    params = Params(backtest=BacktestParams(bootstrap_replicates=20))
    proba = np.tile([0.1, 0.3, 0.5, 0.7], (n, 1))
    found = timing_ranking.yardsticks(
        (time, event, clusters), {"all": np.ones(n, bool)}, survival, proba, timing, grid, params
    )
    comparisons = found["comparisons"]["all"]
    assert set(comparisons) == {
        "hazard_gb - cox",
        "hazard_gb - hazard_gb_cure",
        "hazard_gb - logit_30d",
    }
    against_cox = comparisons["hazard_gb - cox"]["c_index"]
    assert against_cox["difference"] > 0 and against_cox["difference_ci90"][0] > 0
