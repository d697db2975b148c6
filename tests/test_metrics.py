"""Scores checked by hand on tiny tables, plus invariants of the weighted and IPCW versions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from forecast.evaluation import metrics


def test_brier_of_a_perfect_forecast_is_zero():
    y = np.array([0.0, 1.0, 1.0])
    assert metrics.brier(y, y) == 0.0


def test_brier_by_hand():
    # (0.2-0)^2 + (0.6-1)^2 = 0.04 + 0.16, mean 0.1
    assert metrics.brier(np.array([0.2, 0.6]), np.array([0.0, 1.0])) == pytest.approx(0.1)


def test_brier_skill_against_itself_is_zero_and_perfect_is_one():
    p, y = np.array([0.3, 0.7]), np.array([0.0, 1.0])
    assert metrics.brier_skill(p, y, p) == 0.0
    assert metrics.brier_skill(y, y, p) == 1.0


def test_log_loss_stays_finite_for_a_confident_miss():
    assert np.isfinite(metrics.log_loss(np.array([0.0]), np.array([1.0])))


def test_auc_is_nan_when_only_one_outcome_occurs():
    assert np.isnan(metrics.roc_auc(np.array([0.1, 0.2]), np.array([1.0, 1.0])))


@pytest.mark.parametrize("distinct", [5, 50, 10_000])
def test_auc_is_scikit_learns_area(distinct: int):
    """Few distinct forecasts make many ties (counted half by both), many make almost none."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(distinct)
    p = rng.integers(0, distinct, 3000) / distinct
    y = (rng.uniform(size=3000) < 0.2 + 0.5 * p).astype(float)
    assert metrics.roc_auc(p, y) == pytest.approx(roc_auc_score(y, p), rel=1e-13, abs=0)
    assert metrics.roc_auc(p, y.astype(bool)) == metrics.roc_auc(p, y)


def test_auc_by_hand():
    # Pairs (positive, negative): (0.8, 0.2), (0.8, 0.5), (0.4, 0.2) and (0.5, 0.2) right,
    # (0.4, 0.5) wrong, and the tie (0.5 positive, 0.5 negative) half: 4.5 of 6.
    p = np.array([0.8, 0.4, 0.5, 0.2, 0.5])
    y = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    assert metrics.roc_auc(p, y) == pytest.approx(4.5 / 6)


def test_ece_by_hand():
    # Bin 0-0.1 holds two forecasts of 0.05 with one event: |0.05 - 0.5| = 0.45 over 2 of 4.
    # Bin 0.9-1 holds two forecasts of 0.95 with two events: |0.95 - 1| = 0.05 over 2 of 4.
    p = np.array([0.05, 0.05, 0.95, 0.95])
    y = np.array([0.0, 1.0, 1.0, 1.0])
    assert metrics.ece(p, y, bins=10) == pytest.approx((2 * 0.45 + 2 * 0.05) / 4)


def test_reliability_table_skips_empty_bins_and_counts_rows():
    table = metrics.reliability_table(np.array([0.05, 0.15, 0.17]), np.array([0, 1, 0]), bins=10)
    assert table["bin"].tolist() == [0, 1]
    assert table["n"].tolist() == [1, 2]
    assert table["observed"].tolist() == [0.0, 0.5]


def test_forecast_of_one_lands_in_the_top_bin():
    table = metrics.reliability_table(np.array([1.0]), np.array([1]), bins=10)
    assert table["bin"].tolist() == [9]


@pytest.mark.parametrize("k", range(10))
def test_a_forecast_on_a_bin_edge_opens_that_bin(k: int) -> None:
    # 0.3, 0.6 and 0.7 sit one bin too low against np.linspace's edges (0.30000000000000004).
    table = metrics.reliability_table(np.array([k / 10]), np.array([1]), bins=10)
    assert table["bin"].tolist() == [k]


@pytest.mark.parametrize("k", range(1, 11))
def test_the_double_just_below_an_edge_stays_in_the_bin_below(k: int) -> None:
    # 10 * 0.8999999999999999 rounds to 9.0, so floor(p * bins) would misplace it.
    below = np.nextafter(k / 10, 0.0)
    table = metrics.reliability_table(np.array([below]), np.array([0]), bins=10)
    assert table["bin"].tolist() == [k - 1]


def test_edge_forecasts_fill_one_bin_each_with_their_own_outcomes():
    p = np.array([0.0, 0.3, 0.6, 0.7, 1.0])
    y = np.array([0, 1, 0, 1, 1])
    table = metrics.reliability_table(p, y, bins=10)
    assert table["bin"].tolist() == [0, 3, 6, 7, 9]
    assert table["predicted"].tolist() == p.tolist()
    assert table["observed"].tolist() == y.astype(float).tolist()


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.integers(0, 5), min_size=4, max_size=40),
    seed=st.integers(0, 1000),
)
def test_weighted_auc_with_unit_weights_matches_sklearn(scores, seed):
    p = np.array(scores, dtype=float) / 5
    y = np.random.default_rng(seed).integers(0, 2, len(p)).astype(float)
    if y.min() == y.max():
        return
    weighted = metrics.weighted_auc(p, y, np.ones((1, len(p))))[0]
    assert weighted == pytest.approx(roc_auc_score(y, p))


def test_bootstrap_interval_contains_the_point_estimate_and_is_seeded():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=400)
    y = (rng.uniform(size=400) < p).astype(float)
    clusters = rng.integers(0, 40, 400)
    base = np.full(400, y.mean())
    first = metrics.bootstrap_intervals(p, y, base, clusters, 100, seed=7)
    second = metrics.bootstrap_intervals(p, y, base, clusters, 100, seed=7)
    assert first == second
    low, high = first["roc_auc_ci90"]
    assert low < metrics.roc_auc(p, y) < high


def test_uno_c_without_censoring_is_harrell_c_by_hand():
    # Times 1, 2, 3 all observed; risk ordered perfectly except the pair (2, 3).
    time = np.array([1.0, 2.0, 3.0])
    event = np.array([True, True, True])
    risk = np.array([0.9, 0.1, 0.5])
    # Comparable pairs: (1,2) concordant, (1,3) concordant, (2,3) discordant -> 2/3.
    assert metrics.uno_c(time, event, risk, tau=10) == pytest.approx(2 / 3)


def test_uno_c_of_perfect_risk_is_one_under_censoring():
    rng = np.random.default_rng(1)
    time = rng.exponential(100, 300)
    event = rng.uniform(size=300) < 0.7
    assert metrics.uno_c(time, event, -time, tau=1e9) == pytest.approx(1.0)


def test_ipcw_brier_without_censoring_is_the_plain_brier():
    time = np.array([1.0, 5.0, 10.0, 20.0])
    event = np.ones(4, dtype=bool)
    survival = np.array([[0.2], [0.4], [0.6], [0.9]])
    # By day 7, triggers 1 and 2 were answered (outcome 1), 3 and 4 not.
    expected = metrics.brier(1 - survival[:, 0], np.array([1.0, 1.0, 0.0, 0.0]))
    assert metrics.ipcw_brier(time, event, survival, np.array([7]))[0] == pytest.approx(expected)


def test_integrated_brier_of_a_constant_score_is_that_score():
    days = np.array([1.0, 7.0, 30.0])
    assert metrics.integrated_brier(np.array([0.2, 0.2, 0.2]), days) == pytest.approx(0.2)


def _survival_sample(n: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)
    time = np.ceil(rng.exponential(30 * np.exp(-risk))).astype(float)
    event = rng.random(n) < 0.95
    days = np.array([1.0, 7.0, 30.0, 90.0])
    survival = np.exp(-np.outer(np.exp(risk), days / 30))
    clusters = rng.integers(0, 25, n)
    return time, event, risk, days, survival, clusters


def test_weighted_uno_c_with_integer_weights_equals_c_on_repeated_rows():
    time, _, risk, _, _, _ = _survival_sample(120, seed=3)
    # Without censoring G is 1 everywhere, so repeating rows and weighting them must agree.
    event = np.ones(len(time), dtype=bool)
    counts = np.random.default_rng(4).integers(0, 3, len(time))
    repeated = np.repeat(np.arange(len(time)), counts)
    weighted = metrics.weighted_uno_c(time, event, risk, 90.0, counts[None, :].astype(float))
    expected = metrics.uno_c(time[repeated], event[repeated], risk[repeated], 90.0)
    assert weighted[0] == pytest.approx(expected)


def test_timing_bootstrap_intervals_bracket_the_point_estimates_and_are_seeded():
    time, event, risk, days, survival, clusters = _survival_sample(400, seed=5)
    args = (time, event, risk, 90.0, survival, days, clusters, 200)
    first = metrics.timing_bootstrap_intervals(*args, seed=1)
    assert first == metrics.timing_bootstrap_intervals(*args, seed=1)
    c_low, c_high = first["c_index_ci90"]
    assert c_low < metrics.uno_c(time, event, risk, 90.0) < c_high
    ibs = metrics.integrated_brier(metrics.ipcw_brier(time, event, survival, days), days)
    ibs_low, ibs_high = first["ibs_ci90"]
    assert ibs_low < ibs < ibs_high
    assert c_high - c_low < 0.2
