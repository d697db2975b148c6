"""Settings chosen inside each origin read only outcomes resolved before it (nested design)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.core.config import ModelParams, Params
from forecast.evaluation.choices import (
    add_recalibrated,
    apply_limits,
    limit_variant,
    limit_variants,
)
from forecast.evaluation.forecasts import OriginForecasts
from forecast.evaluation.splits import Split
from forecast.models.ensemble import choose_members, weights_from_predictions

YEARS = (2014, 2015, 2016)
PARAMS = Params(
    episodes={"horizons": [30]},
    models=ModelParams(
        likelihood=[],
        timing=["hazard_glm"],
        ensemble=[],
        correlation_limits=[0.9, 0.95, 0.99],
        correlation_limit_default=0.95,
        recalibrate=["hazard_glm"],
    ),
)


def _world(flip_after: pd.Timestamp | None = None, flip_before: pd.Timestamp | None = None):
    """Three yearly origins; `hazard_glm@0.9` tracks the truth, the other limits say 0.5.

    `flip_after` flips every 30-day label resolved on or after that day, `flip_before` every
    label resolved before it.
    """
    rng = np.random.default_rng(11)
    frames = []
    for year in YEARS:
        days = np.sort(rng.integers(0, 365, 400))
        frames.append(pd.Timestamp(year=year, month=1, day=1) + pd.to_timedelta(days, "D"))
    dates = frames[0].append(frames[1:])
    truth = rng.uniform(0.05, 0.95, len(dates))
    answered = rng.random(len(dates)) < truth
    resolved = dates + pd.Timedelta(days=30)
    if flip_after is not None:
        answered = np.where(resolved >= flip_after, ~answered, answered)
    if flip_before is not None:
        answered = np.where(resolved < flip_before, ~answered, answered)
    episodes = pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(len(dates))],
            "date": dates,
            "retaliated_30d": pd.array(answered, dtype="boolean"),
        }
    )
    forecasts = []
    for year in YEARS:
        rows = np.flatnonzero(dates.year == year)
        origin = pd.Timestamp(year=year, month=1, day=1)
        split = Split(origin, origin, origin + pd.DateOffset(years=1))
        sharp = truth[rows, None]
        vague = np.full((len(rows), 1), 0.5)
        # Over-confident: the recalibration has something to undo.
        proba = {"hazard_glm": vague, limit_variant("hazard_glm", 0.9): sharp**2}
        proba[limit_variant("hazard_glm", 0.99)] = vague + 0.1
        survival = {name: 1 - values for name, values in proba.items()}
        forecasts.append(OriginForecasts(split, rows, proba, survival, {}))
    return forecasts, episodes


def test_variants_are_every_other_limit_of_every_timing_model():
    assert limit_variants(PARAMS) == {
        "hazard_glm@0.9": ("hazard_glm", 0.9),
        "hazard_glm@0.99": ("hazard_glm", 0.99),
    }


def test_limit_is_chosen_from_resolved_earlier_forecasts_and_variants_are_dropped():
    forecasts, episodes = _world()
    chosen, final = apply_limits(forecasts, episodes, PARAMS)
    assert chosen[2014] == {"hazard_glm": 0.95}  # nothing resolved yet: the default
    assert chosen[2015]["hazard_glm"] == 0.9
    assert chosen[2016]["hazard_glm"] == 0.9
    assert final == {"hazard_glm": 0.9}
    assert set(forecasts[2].proba) == {"hazard_glm"}
    assert set(forecasts[2].survival) == {"hazard_glm"}
    assert forecasts[2].proba["hazard_glm"].std() > 0  # now the 0.9 variant's forecasts


def test_a_choice_at_an_origin_ignores_every_label_resolved_after_its_cutoff():
    cutoff = pd.Timestamp("2016-01-01")
    forecasts, episodes = _world()
    flipped, flipped_episodes = _world(flip_after=cutoff)
    chosen, _ = apply_limits(forecasts, episodes, PARAMS)
    chosen_flipped, _ = apply_limits(flipped, flipped_episodes, PARAMS)
    assert chosen_flipped[2016] == chosen[2016]
    _, maps = add_recalibrated(forecasts, episodes, PARAMS, ["hazard_glm"])
    _, maps_flipped = add_recalibrated(flipped, flipped_episodes, PARAMS, ["hazard_glm"])
    assert maps_flipped[2016] == maps[2016]
    np.testing.assert_array_equal(
        flipped[2].proba["hazard_glm+recal"], forecasts[2].proba["hazard_glm+recal"]
    )

    # The check can fail: flipping labels resolved before the cutoff moves both choices.
    moved, moved_episodes = _world(flip_before=cutoff)
    assert apply_limits(moved, moved_episodes, PARAMS)[0][2016]["hazard_glm"] != 0.9
    _, maps_moved = add_recalibrated(moved, moved_episodes, PARAMS, ["hazard_glm"])
    assert maps_moved[2016] != maps[2016]


def test_recalibration_starts_as_the_identity_and_then_bends_forecasts():
    forecasts, episodes = _world()
    apply_limits(forecasts, episodes, PARAMS)
    added, maps = add_recalibrated(forecasts, episodes, PARAMS, ["hazard_glm"])
    assert added == ["hazard_glm+recal"]
    assert maps[2014]["hazard_glm"]["30"] == {"intercept": 0.0, "slope": 1.0, "n": 0}
    np.testing.assert_allclose(
        forecasts[0].proba["hazard_glm+recal"], forecasts[0].proba["hazard_glm"], atol=1e-9
    )
    y = episodes["retaliated_30d"].to_numpy(dtype=float)[forecasts[2].positions]
    raw = np.mean((forecasts[2].proba["hazard_glm"][:, 0] - y) ** 2)
    mapped = np.mean((forecasts[2].proba["hazard_glm+recal"][:, 0] - y) ** 2)
    assert mapped < raw


def _stack_inputs(n: int = 3000, seed: int = 5):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    outcome = (rng.random(n) < truth).astype(float)
    folds = np.repeat(np.arange(6), n // 6)
    return truth, outcome, folds, rng


def test_a_member_that_adds_nothing_is_left_out():
    truth, outcome, folds, rng = _stack_inputs()
    noise = rng.uniform(0.05, 0.95, len(truth))
    proba = np.column_stack([truth, noise])
    assert choose_members(proba, outcome, folds, ["sharp", "noise"]) == ["sharp"]


def test_members_that_know_different_things_are_both_kept():
    truth, outcome, folds, rng = _stack_inputs()
    half = rng.random(len(truth)) < 0.5
    knows_first = np.where(half, truth, 0.5)
    knows_second = np.where(half, 0.5, truth)
    proba = np.column_stack([knows_first, knows_second])
    assert choose_members(proba, outcome, folds, ["a", "b"]) == ["a", "b"]


def test_too_little_history_keeps_every_candidate():
    truth, outcome, folds, _ = _stack_inputs(n=120)
    proba = np.column_stack([truth, np.full(len(truth), 0.5)])
    assert choose_members(proba, outcome, folds, ["a", "b"]) == ["a", "b"]


def test_weights_of_left_out_members_are_zero():
    truth, outcome, folds, rng = _stack_inputs()
    noise = rng.uniform(0.05, 0.95, len(truth))
    table = pd.DataFrame(
        {
            "episode_id": np.tile(np.arange(len(truth)), 2),
            "origin": np.tile(folds, 2),
            "model": np.repeat(["sharp", "noise"], len(truth)),
            "horizon": 30,
            "p": np.r_[truth, noise],
            "y": pd.array(np.tile(outcome.astype(bool), 2), dtype="boolean"),
        }
    )
    weights = weights_from_predictions(table, ["sharp", "noise"], [30])[30]
    assert weights.tolist() == pytest.approx([1.0, 0.0])
