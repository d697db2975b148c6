"""SYRK's Hessian is scikit-learn's, and the spline logit fitted with it forecasts the same."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import _linear_loss

from forecast.models import symmetric_hessian
from forecast.models.sklearn_models import SplineLogit
from tests.fixtures_models import HORIZONS, make_world

pytestmark = pytest.mark.skipif(
    not symmetric_hessian.applies(), reason="this scikit-learn has another Hessian helper"
)


def test_symmetric_sandwich_equals_the_general_product() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(2000, 40))
    weights = rng.uniform(0, 0.25, 2000)
    ours = symmetric_hessian.symmetric_sandwich(matrix, weights)
    np.testing.assert_allclose(ours, matrix.T @ (weights[:, None] * matrix), rtol=1e-12)
    np.testing.assert_array_equal(ours, ours.T)


def test_swap_is_undone_and_odd_inputs_keep_the_general_product() -> None:
    general = _linear_loss.sandwich_dot
    rng = np.random.default_rng(4)
    matrix = rng.normal(size=(50, 3))
    signed = rng.normal(size=50)
    with symmetric_hessian.symmetric_hessian():
        assert _linear_loss.sandwich_dot is not general
        # Negative weights have no square root: the general product answers.
        np.testing.assert_array_equal(
            _linear_loss.sandwich_dot(matrix, signed), general(matrix, signed)
        )
        single = matrix.astype(np.float32)
        np.testing.assert_array_equal(
            _linear_loss.sandwich_dot(single, signed.astype(np.float32) ** 2),
            general(single, signed.astype(np.float32) ** 2),
        )
    assert _linear_loss.sandwich_dot is general


def test_spline_logit_forecasts_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    episodes, features = make_world(1500, seed=5)
    fast = SplineLogit(HORIZONS).fit(features, episodes)
    monkeypatch.setattr(symmetric_hessian, "applies", lambda: False)
    slow = SplineLogit(HORIZONS).fit(features, episodes)
    np.testing.assert_allclose(
        fast.predict_proba(features).to_numpy(),
        slow.predict_proba(features).to_numpy(),
        rtol=1e-10,
        atol=1e-12,
    )
    for horizon in HORIZONS:
        solver = (fast.pipelines_[horizon][-1], slow.pipelines_[horizon][-1])
        assert solver[0].n_iter_ == solver[1].n_iter_
