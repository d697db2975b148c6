"""The mixture cure timing model: a share never answered, the timing of the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.models.cure import CureHazard
from forecast.models.timing import BoostedTrees
from tests.fixtures_models import HORIZONS, make_world


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_world(1500, seed=11)


@pytest.fixture(scope="module")
def fitted(world) -> CureHazard:
    episodes, features = world
    return CureHazard(HORIZONS, max_iter=40, seed=3).fit(features, episodes)


def test_survival_falls_to_one_minus_the_answered_share(fitted, world) -> None:
    _, features = world
    days = [0, 1, 7, 30, 90, 365, 400]
    survival = fitted.predict_survival(features, days).to_numpy()
    assert np.all(np.diff(survival, axis=1) <= 1e-12)
    np.testing.assert_allclose(survival[:, 0], 1.0)
    np.testing.assert_allclose(survival[:, 5], 1.0 - fitted._answered(features))
    np.testing.assert_allclose(survival[:, 6], survival[:, 5])


def test_its_rates_match_the_observed_rates(fitted, world) -> None:
    episodes, features = world
    for horizon in (30, 365):
        known = episodes[f"retaliated_{horizon}d"].notna().to_numpy()
        predicted = fitted.predict_proba(features)[horizon].to_numpy()[known].mean()
        observed = episodes[f"retaliated_{horizon}d"][known].astype(float).mean()
        assert abs(predicted - observed) < 0.04


def test_the_scoring_copy_gives_the_same_curves_from_numpy_trees(fitted, world) -> None:
    _, features = world
    copy = fitted.for_scoring()
    assert isinstance(copy.classifier_, BoostedTrees)
    assert isinstance(copy.timing_.booster_, BoostedTrees)
    rows = features.sample(50, random_state=3)
    days = [1, 10, 100, 365]
    # The same raw scores; the expit's rounding alone may differ (tests/test_links.py).
    pd.testing.assert_frame_equal(
        copy.predict_survival(rows, days), fitted.predict_survival(rows, days), rtol=1e-13
    )
