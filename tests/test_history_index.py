"""A history indexed once answers every later batch exactly as `build_features` does.

A forecaster keeps the index of its history and scores one incident at a time; these tests
hold that path to the numbers of the one-shot build over the whole trigger table.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast.core.config import EpisodeParams, FeatureParams
from forecast.episodes import build_episodes, force_events
from forecast.features.computation import build_features
from forecast.predict.history import KeptHistoryFeatures
from tests.reference_features import random_incidents

HORIZONS = EpisodeParams().horizons
PARAMS = FeatureParams()
# The test source stops covering events part-way, so censored answering windows are exercised.
COVERAGE = {"test": date(1999, 6, 30)}


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents = random_incidents(4000, seed=5, n_states=8, years=12)
    return build_episodes(incidents, EpisodeParams()), force_events(incidents)


@pytest.mark.parametrize("same_day", [False, True])
def test_kept_index_gives_the_full_builds_numbers_one_trigger_at_a_time(world, same_day) -> None:
    episodes, events = world
    full = build_features(
        episodes, events, None, PARAMS, HORIZONS, include_same_day=same_day, coverage=COVERAGE
    ).set_index("episode_id")
    kept = KeptHistoryFeatures(events, include_same_day=same_day, coverage=COVERAGE)
    sample = episodes.sample(40, random_state=np.random.default_rng(5))
    for row in range(len(sample)):
        one = kept(sample.iloc[[row]], events, None, PARAMS, HORIZONS).set_index("episode_id")
        pd.testing.assert_frame_equal(one, full.loc[one.index], check_exact=True)
    batch = kept(sample, events, None, PARAMS, HORIZONS).set_index("episode_id")
    pd.testing.assert_frame_equal(batch, full.loc[batch.index], check_exact=True)


def test_a_confrontation_the_history_never_saw_has_no_prior_events(world) -> None:
    episodes, events = world
    triggers = episodes.iloc[[10, 200, 3000]].assign(
        dispute_id=pd.array(["never-seen", None, "7"], dtype="string")
    )
    expected = build_features(triggers, events, None, PARAMS, HORIZONS, coverage=COVERAGE)
    kept = KeptHistoryFeatures(events, coverage=COVERAGE)
    found = kept(triggers, events, None, PARAMS, HORIZONS)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    assert found["dispute_prior_events"].iloc[0] == 0.0


def test_another_history_is_indexed_for_its_call_not_answered_from_the_kept_one(world) -> None:
    episodes, events = world
    kept = KeptHistoryFeatures(events, coverage=COVERAGE)
    shorter = events.iloc[: len(events) // 2]
    triggers = episodes.tail(20)
    expected = build_features(triggers, shorter, None, PARAMS, HORIZONS, coverage=COVERAGE)
    found = kept(triggers, shorter, None, PARAMS, HORIZONS)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    assert not found.equals(kept(triggers, events, None, PARAMS, HORIZONS))
