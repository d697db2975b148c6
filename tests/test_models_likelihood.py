"""Likelihood models recover the synthetic world's planted effects and keep the interface."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score

from forecast.core.config import HistGBParams, ModelParams, Params
from forecast.core.errors import ForecastError
from forecast.models import registry
from forecast.models.base import LikelihoodModel
from forecast.models.baselines import TrailingBaseRate, answering_record_column
from forecast.models.common import binomial_band, counted_interval
from forecast.models.logit import ClusteredLogit
from tests.fixtures_models import HORIZONS, PLANTED, make_world

FAST = Params(models=ModelParams(hist_gb=HistGBParams(max_iter=40)))


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_world(1500, seed=1)


@pytest.fixture(scope="module")
def early_late(world):
    episodes, features = world
    early = (episodes["date"] < "2005-01-01").to_numpy()
    return (features[early], episodes[early]), (features[~early], episodes[~early])


def _auc(model, features, episodes, horizon=30) -> float:
    known = episodes[f"retaliated_{horizon}d"].notna().to_numpy()
    p = model.predict_proba(features)[horizon].to_numpy()[known]
    return roc_auc_score(episodes[f"retaliated_{horizon}d"][known].astype(bool), p)


def test_logit_recovers_signs_of_planted_effects(world):
    episodes, features = world
    ratios = ClusteredLogit(HORIZONS).fit(features, episodes).odds_ratios(30).set_index("feature")
    for name, effect in PLANTED.items():
        if effect > 0:
            assert ratios.loc[name, "low"] > 1, name
        elif effect < 0:
            assert ratios.loc[name, "high"] < 1, name


def test_logit_interval_for_a_null_effect_covers_one(world):
    episodes, features = world
    model = ClusteredLogit(HORIZONS).fit(features, episodes)
    ratios = model.odds_ratios(30, level=0.99).set_index("feature")
    assert ratios.loc["noise", "low"] < 1 < ratios.loc["noise", "high"]


@pytest.mark.parametrize("name", ["logit", "spline_logit", "hist_gb", "hazard_glm", "cox"])
def test_model_ranks_next_years_far_better_than_chance(early_late, name):
    (train_features, train), (test_features, test) = early_late
    model = registry.build(name, FAST).fit(train_features, train)
    assert _auc(model, test_features, test) > 0.72


def test_dyad_persistence_ranks_better_than_chance_but_worse_than_logit(early_late):
    (train_features, train), (test_features, test) = early_late
    persistence = registry.build("dyad_persistence", FAST).fit(train_features, train)
    logit = registry.build("logit", FAST).fit(train_features, train)
    assert 0.6 < _auc(persistence, test_features, test) < _auc(logit, test_features, test)


@pytest.mark.parametrize("name", sorted(registry.BUILDERS))
def test_every_model_follows_the_interface(world, name):
    episodes, features = world
    model = registry.build(name, FAST).fit(features, episodes)
    assert isinstance(model, LikelihoodModel)
    proba = model.predict_proba(features.head(7))
    low, high = model.predict_interval(features.head(7), level=0.9)
    assert list(proba.columns) == list(HORIZONS)
    assert proba.index.equals(features.head(7).index)
    assert ((proba >= 0) & (proba <= 1)).all().all()
    assert (low <= proba + 1e-12).all().all() and (proba <= high + 1e-12).all().all()
    assert set(model.feature_names_) <= set(features.columns)
    assert model.reference_values_.index.tolist() == model.feature_names_


def test_base_rate_uses_only_the_last_years_before_training_end():
    episodes, features = make_world(200, seed=2)
    episodes = episodes.copy()
    old = (episodes["date"] < "2000-01-01").to_numpy()
    episodes.loc[old, "retaliated_30d"] = True
    episodes.loc[~old, "retaliated_30d"] = False
    model = TrailingBaseRate(HORIZONS, years=5).fit(features, episodes)
    assert model.rates_[30] == 0.0


def test_censored_labels_are_not_counted_as_unanswered():
    episodes, features = make_world(300, seed=5)
    episodes = episodes.copy()
    episodes["retaliated_7d"] = pd.array([True] * 100 + [pd.NA] * 200, dtype="boolean")
    model = TrailingBaseRate(HORIZONS, years=100).fit(features, episodes)
    assert model.rates_[7] == 1.0


def test_answering_record_is_matched_to_the_nearest_window():
    names = ["target_answer_rate_7d", "target_answer_rate_30d", "hostility"]
    assert answering_record_column(names, 7) == "target_answer_rate_7d"
    assert answering_record_column(names, 90) == "target_answer_rate_30d"


def test_missing_training_feature_is_named_in_the_error(world):
    episodes, features = world
    model = registry.build("logit", FAST).fit(features, episodes)
    with pytest.raises(ForecastError, match="rivalry"):
        model.predict_proba(features.drop(columns=["rivalry"]))


def test_episodes_without_features_are_an_error(world):
    episodes, features = world
    with pytest.raises(ForecastError, match="no feature row"):
        registry.build("logit", FAST).fit(features.iloc[1:], episodes)


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ForecastError, match="known models"):
        registry.build("random_forest", FAST)


def test_boosting_calibrates_on_later_triggers_than_it_fits(world):
    episodes, features = world
    model = registry.build("hist_gb", FAST).fit(features, episodes)
    known = episodes["retaliated_30d"].notna().sum()
    assert 0 < model.calibration_counts_[30] < known
    proba = model.predict_proba(features)[30]
    assert abs(proba.mean() - episodes["retaliated_30d"].dropna().mean()) < 0.05


def test_same_seed_gives_identical_forecasts(world):
    episodes, features = world
    first = registry.build("hist_gb", FAST).fit(features, episodes).predict_proba(features)
    second = registry.build("hist_gb", FAST).fit(features, episodes).predict_proba(features)
    assert np.array_equal(first.to_numpy(), second.to_numpy())


def test_counted_interval_bands_each_horizon_by_its_own_count() -> None:
    proba = pd.DataFrame({7: [0.2, 0.5], 30: [0.2, 0.5]})
    low, high = counted_interval(proba, {7: 10, 30: 1000}, level=0.9)
    expected_low_7, expected_high_7 = binomial_band(proba[7].to_numpy(), 10, 0.9)
    assert np.allclose(low[7], expected_low_7) and np.allclose(high[7], expected_high_7)
    assert ((high[30] - low[30]) < (high[7] - low[7])).all()


def test_logit_scores_new_rows_as_statsmodels_scores_its_own_design(world):
    episodes, features = world
    model = ClusteredLogit(HORIZONS).fit(features, episodes)
    rows = features.head(25)
    matrix = model._matrix(rows)
    for horizon in HORIZONS:
        columns = [model.feature_names_.index(c) for c in model.columns_[horizon]]
        design = sm.add_constant(matrix[:, columns], has_constant="add")
        expected = model.results_[horizon].predict(design, which="linear")
        np.testing.assert_allclose(model.linear_predictor(rows, horizon), expected, rtol=1e-12)


# Their scoring copies walk the boosters' trees in numpy: the same raw scores, and the expit's
# rounding alone may differ from scipy's (tests/test_links.py).
NUMPY_TREE_COPIES = frozenset({"hazard_gb", "hazard_gb_cure"})


@pytest.mark.parametrize("name", sorted(registry.BUILDERS))
def test_a_scoring_copy_forecasts_exactly_as_the_fitted_model(world, name):
    episodes, features = world
    model = registry.build(name, FAST).fit(features, episodes)
    copy = pickle.loads(pickle.dumps(model.for_scoring()))
    rows = features.sample(9, random_state=2)
    same = {"rtol": 1e-13} if name in NUMPY_TREE_COPIES else {"check_exact": True}
    pd.testing.assert_frame_equal(copy.predict_proba(rows), model.predict_proba(rows), **same)
    for kept, fitted in zip(copy.predict_interval(rows), model.predict_interval(rows), strict=True):
        pd.testing.assert_frame_equal(kept, fitted, **same)
    if registry.is_timing(name):
        days = [1, 10, 100, 365]
        expected = model.predict_survival(rows, days)
        pd.testing.assert_frame_equal(copy.predict_survival(rows, days), expected, **same)


def test_scoring_copies_of_the_statistical_models_load_without_statsmodels_or_sklearn(
    world, tmp_path
):
    episodes, features = world
    # hazard_gb too: its copy keeps the booster's trees as numpy arrays.
    names = ["logit", "severity_logit", "hazard_glm", "cox", "hazard_gb"]
    copies = {n: registry.build(n, FAST).fit(features, episodes).for_scoring() for n in names}
    (tmp_path / "models.pkl").write_bytes(pickle.dumps(copies))
    features.head(3).to_parquet(tmp_path / "rows.parquet")
    script = (
        "import pickle, sys; import pandas as pd\n"
        f"models = pickle.loads(open({str(tmp_path / 'models.pkl')!r}, 'rb').read())\n"
        f"rows = pd.read_parquet({str(tmp_path / 'rows.parquet')!r})\n"
        "for model in models.values(): model.predict_interval(rows)\n"
        "heavy = {'statsmodels', 'sklearn', 'scipy.stats', 'mlflow'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_odds_ratios_of_a_scoring_copy_say_where_the_full_fit_is(world):
    episodes, features = world
    copy = ClusteredLogit(HORIZONS).fit(features, episodes).for_scoring()
    with pytest.raises(ForecastError, match="scoring only"):
        copy.odds_ratios(30)
