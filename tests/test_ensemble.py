"""The ensemble: weights that favour the better member, learnt only from outcomes already known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.core.config import ModelParams, Params, load_params
from forecast.core.errors import ForecastError
from forecast.evaluation.forecasts import OriginForecasts
from forecast.evaluation.splits import Split
from forecast.evaluation.stacking import add_ensemble
from forecast.models.ensemble import (
    MIN_STACKING_ROWS,
    WeightedEnsemble,
    mix_members,
    stacking_weights,
    weights_from_predictions,
)
from tests.fixtures_models import HORIZONS, make_world

PARAMS = Params(
    episodes={"horizons": [30]},
    models=ModelParams(likelihood=["sharp", "vague"], timing=[], ensemble=["sharp", "vague"]),
)


def test_weights_favour_the_member_that_tracks_the_outcome():
    rng = np.random.default_rng(1)
    truth = rng.uniform(0.05, 0.95, 3000)
    outcome = rng.random(3000) < truth
    proba = np.column_stack([truth, np.full(3000, outcome.mean())])
    weights = stacking_weights(proba, outcome)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights >= 0).all()
    assert weights[0] > 0.8


def test_too_few_resolved_forecasts_mix_members_equally():
    proba = np.full((MIN_STACKING_ROWS - 1, 3), 0.4)
    assert stacking_weights(proba, np.zeros(len(proba))).tolist() == pytest.approx([1 / 3] * 3)


def test_weights_skip_triggers_without_a_known_outcome():
    predictions = pd.DataFrame(
        {
            "episode_id": np.repeat(np.arange(400), 2),
            "model": ["a", "b"] * 400,
            "horizon": 30,
            "p": np.tile([0.9, 0.1], 400),
            "y": pd.array([True] * 300 + [pd.NA] * 100, dtype="boolean").repeat(2),
        }
    )
    weights = weights_from_predictions(predictions, ["a", "b"], [30])[30]
    assert weights[0] > 0.99  # 300 known outcomes, all answered: member a, which said 0.9


def _origin_forecasts(
    flip_unresolved: bool = False, flip_resolved: bool = False
) -> tuple[list[OriginForecasts], pd.DataFrame]:
    """Two origins: 2015's test triggers feed the weights used in 2016."""
    rng = np.random.default_rng(7)
    n = 600
    dates = pd.to_datetime("2015-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365, n)), "D")
    dates = dates.append(pd.to_datetime("2016-01-01") + pd.to_timedelta(np.arange(50), "D"))
    truth = rng.uniform(0.05, 0.95, len(dates))
    answered = rng.random(len(dates)) < truth
    resolved_before_2016 = (dates + pd.Timedelta(days=30)) < pd.Timestamp("2016-01-01")
    in_2015 = dates.year == 2015
    if flip_unresolved:
        answered = np.where(in_2015 & ~resolved_before_2016, ~answered, answered)
    if flip_resolved:
        answered = np.where(in_2015 & resolved_before_2016, ~answered, answered)
    episodes = pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(len(dates))],
            "date": dates,
            "retaliated_30d": pd.array(answered, dtype="boolean"),
        }
    )
    forecasts = []
    for year, rows in ((2015, np.flatnonzero(in_2015)), (2016, np.flatnonzero(~in_2015))):
        origin = pd.Timestamp(year=year, month=1, day=1)
        split = Split(origin, origin, origin + pd.DateOffset(years=1))
        proba = {
            "sharp": truth[rows, None],
            "vague": np.full((len(rows), 1), 0.5),
        }
        forecasts.append(OriginForecasts(split, rows, proba, {}, {}))
    return forecasts, episodes


def test_ensemble_weights_use_only_outcomes_resolved_before_the_origin():
    forecasts, episodes = _origin_forecasts()
    weights = add_ensemble(forecasts, episodes, PARAMS)
    assert weights[2015][30].tolist() == pytest.approx([0.5, 0.5])  # nothing resolved yet
    assert weights[2016][30][0] > 0.8

    altered, altered_episodes = _origin_forecasts(flip_unresolved=True)
    assert add_ensemble(altered, altered_episodes, PARAMS)[2016][30] == pytest.approx(
        weights[2016][30]
    )
    np.testing.assert_array_equal(altered[1].proba["ensemble"], forecasts[1].proba["ensemble"])

    # The check above can fail: outcomes the weights may use do move them.
    moved, moved_episodes = _origin_forecasts(flip_resolved=True)
    assert add_ensemble(moved, moved_episodes, PARAMS)[2016][30][0] < 0.5


def test_ensemble_member_not_run_is_a_clear_error(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("models:\n  likelihood: [logit]\n  timing: []\n  ensemble: [logit, cox]\n")
    with pytest.raises(ForecastError, match=r"models\.ensemble lists cox"):
        load_params(path)


def _fitted_members(n_triggers: int, seed: int) -> tuple[dict[str, object], pd.DataFrame]:
    """A logit and a hazard GLM fitted on a small synthetic world, and its features."""
    from forecast.models.logit import ClusteredLogit
    from forecast.models.timing import HazardGLM

    episodes, features = make_world(n_triggers, seed=seed)
    members = {
        "logit": ClusteredLogit(HORIZONS).fit(features, episodes),
        "hazard_glm": HazardGLM(HORIZONS).fit(features, episodes),
    }
    return members, features


def test_fitted_ensemble_mixes_members_and_never_falls_with_horizon():
    members, features = _fitted_members(800, seed=3)
    weights = {h: np.array([0.25, 0.75]) for h in HORIZONS}
    ensemble = WeightedEnsemble(members, weights, HORIZONS)
    sample = features.head(30)
    expected = 0.25 * members["logit"].predict_proba(sample) + 0.75 * members[
        "hazard_glm"
    ].predict_proba(sample)
    proba = ensemble.predict_proba(sample)
    assert np.all(np.diff(proba.to_numpy(), axis=1) >= 0)
    # Where the mix is already monotone the ensemble is exactly the mix.
    ordered = (np.diff(expected.to_numpy(), axis=1) >= 0).all(axis=1)
    np.testing.assert_allclose(proba.to_numpy()[ordered], expected.to_numpy()[ordered])
    low, high = ensemble.predict_interval(sample)
    assert (low.to_numpy() <= proba.to_numpy() + 1e-12).all()
    assert (high.to_numpy() >= proba.to_numpy() - 1e-12).all()
    assert set(members["logit"].feature_names_) <= set(ensemble.feature_names_)
    assert ensemble.weight_table()["30"] == {"logit": 0.25, "hazard_glm": 0.75}
    scoring = ensemble.for_scoring()
    assert not hasattr(scoring.members["logit"], "results_")
    pd.testing.assert_frame_equal(scoring.predict_proba(sample), proba)


def test_ensemble_needs_weights_for_every_horizon():
    with pytest.raises(ForecastError, match="missing"):
        WeightedEnsemble({"a": object()}, {7: np.array([1.0])}, [7, 30])


def test_mixing_follows_the_given_horizon_order_and_restores_monotonicity():
    # Columns in params order (90 before 30); the second row's raw mix falls from 30 to 90 days.
    first = np.array([[0.6, 0.2], [0.1, 0.5]])
    second = np.array([[0.8, 0.4], [0.3, 0.9]])
    weights = {90: np.array([0.5, 0.5]), 30: np.array([1.0, 0.0])}
    mixed = mix_members([first, second], weights, (90, 30))
    np.testing.assert_array_equal(mixed[:, 1], [0.2, 0.5])
    np.testing.assert_array_equal(mixed[:, 0], [0.7, 0.5])


def test_backtest_and_fitted_ensemble_mix_alike():
    members, features = _fitted_members(600, seed=5)
    weights = {h: np.array([0.4, 0.6]) for h in HORIZONS}
    sample = features.head(40)
    fitted = WeightedEnsemble(members, weights, HORIZONS).predict_proba(sample)
    arrays = [m.predict_proba(sample)[list(HORIZONS)].to_numpy() for m in members.values()]
    np.testing.assert_array_equal(fitted.to_numpy(), mix_members(arrays, weights, HORIZONS))
