"""Final models take every choice the backtest made, by the same rules, on all its forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from forecast.core.config import ModelParams, Params
from forecast.models.final import fit_final_models
from forecast.models.recalibration import RecalibratedModel, fit_platt
from tests.fixtures_models import HORIZONS, make_world

PARAMS = Params(
    models=ModelParams(
        likelihood=["logit"], timing=["hazard_glm"], ensemble=[], recalibrate=["logit"]
    ),
)


def _predictions(episodes: pd.DataFrame, seed: int = 8) -> pd.DataFrame:
    """Out-of-sample forecasts of `logit` that are too extreme, one row per trigger and horizon."""
    rng = np.random.default_rng(seed)
    rows = []
    for horizon in HORIZONS:
        truth = rng.uniform(0.05, 0.95, len(episodes))
        rows.append(
            pd.DataFrame(
                {
                    "episode_id": episodes["episode_id"].to_numpy(),
                    "origin": 2010,
                    "model": "logit",
                    "horizon": horizon,
                    "p": expit(2 * logit(truth)),
                    "y": pd.array(rng.random(len(truth)) < truth, dtype="boolean"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_recalibrated_final_model_uses_the_map_of_all_backtest_forecasts():
    episodes, features = make_world(600, seed=12)
    predictions = _predictions(episodes)
    fitted = fit_final_models(
        episodes,
        features,
        PARAMS,
        predictions,
        progress=False,
        correlation_limits={"hazard_glm": 0.9},
    )
    assert fitted["hazard_glm"].correlation_limit == 0.9
    wrapped = fitted["logit+recal"]
    assert isinstance(wrapped, RecalibratedModel) and wrapped.model is fitted["logit"]
    at_30 = predictions[predictions["horizon"] == 30]
    expected = fit_platt(at_30["p"].to_numpy(), at_30["y"].to_numpy(dtype=float))
    assert wrapped.maps[30] == expected
    assert expected.slope == pytest.approx(0.5, abs=0.1)


def test_without_backtest_forecasts_there_is_no_recalibrated_model():
    episodes, features = make_world(400, seed=13)
    fitted = fit_final_models(episodes, features, PARAMS, progress=False)
    assert set(fitted) == {"base_rate", "dyad_persistence", "logit", "hazard_glm"}
    assert fitted["hazard_glm"].correlation_limit == 0.95
