"""Recalibration: a Platt map that undoes a known miscalibration and never reverses a ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from forecast.models.recalibration import (
    MIN_RECALIBRATION_ROWS,
    PlattMap,
    RecalibratedModel,
    base_name,
    fit_platt,
    platt_maps,
    recalibrated_name,
)
from tests.fixtures_models import HORIZONS, make_world


def _overconfident(n: int, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts whose logit is twice the truth's, shifted down by 0.5."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    outcome = (rng.random(n) < truth).astype(float)
    return expit(2.0 * logit(truth) - 0.5), outcome


def test_platt_map_recovers_the_planted_distortion():
    p, y = _overconfident(20_000)
    fitted = fit_platt(p, y)
    # truth = expit((logit p + 0.5) / 2): slope 0.5, intercept 0.25.
    assert fitted.slope == pytest.approx(0.5, abs=0.05)
    assert fitted.intercept == pytest.approx(0.25, abs=0.06)
    assert np.mean((fitted.apply(p) - y) ** 2) < np.mean((p - y) ** 2)


def test_too_few_cases_one_outcome_or_a_reversing_slope_keep_the_identity():
    p, y = _overconfident(MIN_RECALIBRATION_ROWS - 1)
    assert fit_platt(p, y) == PlattMap(n=len(y))
    p, _ = _overconfident(500)
    assert fit_platt(p, np.ones(500)).slope == 1.0
    reversed_outcome = (p < 0.5).astype(float)
    assert (fit_platt(p, reversed_outcome).intercept, fit_platt(p, reversed_outcome).slope) == (
        0.0,
        1.0,
    )


def test_maps_per_horizon_skip_unknown_outcomes():
    p, y = _overconfident(1000)
    table = pd.DataFrame(
        {
            "model": "m",
            "horizon": 30,
            "p": p,
            "y": pd.array(np.where(np.arange(1000) < 900, y.astype(bool), pd.NA), "boolean"),
        }
    )
    maps = platt_maps(table, "m", [30])
    assert maps[30].n == 900


def test_recalibrated_model_keeps_the_ranking_the_horizon_order_and_a_scoring_copy():
    from forecast.models.logit import ClusteredLogit

    episodes, features = make_world(800, seed=5)
    model = ClusteredLogit(HORIZONS).fit(features, episodes)
    maps = {h: PlattMap(0.3, 0.7, 500) for h in HORIZONS}
    wrapped = RecalibratedModel(model, maps, HORIZONS)
    sample = features.head(50)
    raw = model.predict_proba(sample)
    mapped = wrapped.predict_proba(sample)
    assert wrapped.name == "logit+recal" and base_name(wrapped.name) == "logit"
    assert recalibrated_name("ensemble") == "ensemble+recal"
    assert (np.diff(mapped.to_numpy(), axis=1) >= 0).all()
    # The shortest horizon is not touched by the horizon order: its ranking is the model's.
    first = HORIZONS[0]
    order = np.argsort(raw[first].to_numpy(), kind="stable")
    assert (np.diff(mapped[first].to_numpy()[order]) >= -1e-15).all()
    low, high = wrapped.predict_interval(sample)
    assert (low.to_numpy() <= mapped.to_numpy() + 1e-12).all()
    assert (high.to_numpy() >= mapped.to_numpy() - 1e-12).all()
    assert wrapped.map_table()["30"] == {"intercept": 0.3, "slope": 0.7, "n": 500}
    pd.testing.assert_frame_equal(wrapped.for_scoring().predict_proba(sample), mapped)
