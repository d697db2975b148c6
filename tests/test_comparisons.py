"""Paired differences between models, and the champion rule that prefers the simpler model."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.evaluation import metrics
from forecast.evaluation.comparisons import (
    champion_by_rule,
    complexity_rank,
    model_difference,
    paired_difference,
)


def _cases(n: int = 3000, seed: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    return {
        "y": (rng.random(n) < truth).astype(float),
        "sharp": truth,
        "noisy": np.clip(truth + rng.normal(0, 0.25, n), 0.01, 0.99),
        "flat": np.full(n, 0.5),
        "clusters": rng.integers(0, 300, n),
    }


def _difference(cases, metric, first, second):
    return model_difference(
        metric,
        cases[first],
        cases[second],
        cases["y"],
        cases["flat"],
        cases["clusters"],
        replicates=200,
        seed=1,
    )


@pytest.mark.parametrize("metric", ["roc_auc", "brier", "bss", "ece"])
def test_a_model_against_itself_differs_by_exactly_zero(metric):
    cases = _cases()
    result = _difference(cases, metric, "noisy", "noisy")
    assert result["difference"] == 0.0
    assert result["ci90"] == [0.0, 0.0]


def test_point_difference_is_the_difference_of_the_scores():
    cases = _cases()
    result = _difference(cases, "roc_auc", "sharp", "noisy")
    expected = metrics.roc_auc(cases["sharp"], cases["y"]) - metrics.roc_auc(
        cases["noisy"], cases["y"]
    )
    assert result["difference"] == pytest.approx(expected)
    low, high = result["ci90"]
    assert 0 < low <= expected <= high


def test_paired_interval_is_narrower_than_the_two_separate_intervals():
    cases = _cases()
    paired = _difference(cases, "brier", "sharp", "noisy")["ci90"]
    weights = metrics.cluster_weights(cases["clusters"], 200, 1)
    sharp, noisy = (
        metrics.percentile_interval(metrics.weighted_brier(cases[m], cases["y"], weights), 0.9)
        for m in ("sharp", "noisy")
    )
    assert paired[1] - paired[0] < (sharp[1] - sharp[0]) + (noisy[1] - noisy[0])


def test_weighted_ece_under_unit_weights_is_the_ece():
    cases = _cases()
    ones = np.ones((1, len(cases["y"])))
    assert metrics.weighted_ece(cases["noisy"], cases["y"], ones)[0] == pytest.approx(
        metrics.ece(cases["noisy"], cases["y"])
    )


def test_recalibrated_model_ranks_just_above_its_base():
    rank = complexity_rank(["base_rate", "logit", "ensemble"])
    ordered = sorted(["ensemble", "logit+recal", "base_rate", "logit", "cox"], key=rank)
    assert ordered == ["base_rate", "logit", "logit+recal", "ensemble", "cox"]


def test_rule_keeps_the_simpler_model_unless_the_interval_excludes_zero():
    cases = _cases()

    def difference(candidate, champion):
        return _difference(cases, "bss", candidate, champion)

    order = ["flat", "sharp", "noisy"]
    champion, steps = champion_by_rule(["noisy", "flat", "sharp"], "bss", order, difference)
    assert champion == "sharp"  # beats flat clearly; noisy never beats sharp
    assert [s["candidate"] for s in steps] == ["sharp", "noisy"]
    assert steps[0]["better"] and not steps[1]["better"]

    # A more complex model no better than the champion (its forecasts plus noise) stays out.
    noise = np.random.default_rng(9).normal(0, 0.01, len(cases["y"]))
    cases["sharp_plus"] = np.clip(cases["sharp"] + noise, 0.01, 0.99)
    champion, _ = champion_by_rule(
        ["sharp", "sharp_plus"], "bss", ["sharp", "sharp_plus"], difference
    )
    assert champion == "sharp"


def test_rule_reads_loss_metrics_the_right_way_round():
    cases = _cases()

    def difference(candidate, champion):
        return _difference(cases, "brier", candidate, champion)

    champion, steps = champion_by_rule(["flat", "sharp"], "brier", ["flat", "sharp"], difference)
    assert champion == "sharp"
    assert steps[0]["difference"] < 0


def test_without_replicates_the_difference_has_no_interval():
    cases = _cases(n=50)
    result = paired_difference(
        lambda w: metrics.weighted_brier(cases["sharp"], cases["y"], w),
        lambda w: metrics.weighted_brier(cases["flat"], cases["y"], w),
        cases["clusters"],
        replicates=0,
        seed=1,
    )
    assert result["ci90"] == []
    assert result["difference"] == pytest.approx(
        metrics.brier(cases["sharp"], cases["y"]) - metrics.brier(cases["flat"], cases["y"])
    )
