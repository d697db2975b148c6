"""The one-sort binning of weighted features gives scikit-learn's own edges, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble._hist_gradient_boosting import binning

from forecast.models import weighted_bins
from forecast.models.timing import BoostedHazard
from tests.fixtures_models import HORIZONS, make_world

pytestmark = pytest.mark.skipif(
    not weighted_bins.applies(), reason="this scikit-learn bins without the per-rank loop"
)


def _column(kind: str, rng: np.random.Generator, n: int) -> np.ndarray:
    if kind == "continuous":
        return rng.normal(size=n)
    if kind == "ties":
        return rng.integers(0, 400, n).astype(float)
    if kind == "few":
        return rng.integers(0, 5, n).astype(float)
    column = rng.exponential(size=n)
    column[rng.random(n) < 0.1] = np.nan
    return column


@pytest.mark.parametrize("kind", ["continuous", "ties", "few", "missing"])
@pytest.mark.parametrize("weighted", [True, False])
def test_thresholds_equal_scikit_learns(kind: str, weighted: bool) -> None:
    rng = np.random.default_rng(7)
    column = _column(kind, rng, 5000)
    weights = None
    if weighted:
        # Like the person-period weights: mostly 1, some shares, a few zeros.
        weights = np.where(rng.random(5000) < 0.7, 1.0, rng.uniform(0, 1, 5000))
        weights[rng.random(5000) < 0.02] = 0.0
    ours = weighted_bins.find_binning_thresholds(column, 255, weights)
    theirs = binning._find_binning_thresholds(column, 255, weights)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("weights", ["unit", "shares", "counts"])
@pytest.mark.parametrize("kind", ["continuous", "ties", "few"])
def test_weighted_ranks_equal_the_librarys_loop(kind: str, weights: str) -> None:
    """Unit and whole-number weights put ranks exactly on a cumulative weight (the averaging
    branch); shares put them between (the next-value branch); ties test the sort order."""
    from sklearn.utils.stats import _weighted_percentile

    rng = np.random.default_rng(11)
    column = np.sort(_column(kind, rng, 3000))
    weight = {
        "unit": np.ones(3000),
        "shares": rng.uniform(0.01, 1, 3000),
        "counts": rng.integers(1, 4, 3000).astype(float),
    }[weights]
    ranks = np.linspace(0, 100, num=256)[1:-1]
    ours = weighted_bins.weighted_ranks(column, weight, ranks)
    theirs = np.asarray(_weighted_percentile(column, weight, ranks, average=True))
    np.testing.assert_array_equal(ours, theirs)


def test_swap_is_undone_after_the_block() -> None:
    original = binning._find_binning_thresholds
    with weighted_bins.faster_weighted_binning():
        assert binning._find_binning_thresholds is weighted_bins.find_binning_thresholds
        with weighted_bins.faster_weighted_binning():
            pass
    assert binning._find_binning_thresholds is original


def test_boosted_hazard_fits_the_same_booster_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    episodes, features = make_world(400, seed=3)
    settings = {"max_iter": 20, "max_leaf_nodes": 7, "min_samples_leaf": 10}
    fast = BoostedHazard(HORIZONS, seed=1, **settings).fit(features, episodes)
    monkeypatch.setattr(weighted_bins, "applies", lambda: False)
    slow = BoostedHazard(HORIZONS, seed=1, **settings).fit(features, episodes)
    np.testing.assert_array_equal(
        fast.predict_survival(features, HORIZONS).to_numpy(),
        slow.predict_survival(features, HORIZONS).to_numpy(),
    )
