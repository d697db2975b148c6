"""A forecaster over a random world whose systematic record ends on 31 December 2001.

Forecasts dated after that day stand on a record some years old and are served by the
record-aware logits; forecasts inside it by the champion the caller fits. The record-age tests
and the architecture traces both read forecasts from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from forecast.core.config import validated_params
from forecast.core.coverage import Coverage
from forecast.core.provenance import provenance_of
from forecast.episodes import build_episodes, force_events
from forecast.features.computation import build_features
from tests.reference_features import random_incidents

# The random world's state codes as real COW codes, so forecasts can name the countries.
REAL_CODES = {20: 2, 30: 20, 40: 200, 50: 220, 60: 255, 70: 365, 80: 630, 90: 770}
REAL_CODES |= {code + 5: real + 1 for code, real in REAL_CODES.items()}
RECORD_END = date(2001, 12, 31)

# champion(features, episodes, horizons) -> a fitted likelihood model.
ChampionOf = Callable[[pd.DataFrame, pd.DataFrame, Sequence[int]], object]


def aged_world_forecaster(champion_of: ChampionOf, crisis_share: float = 0.0, blend=None):
    """The forecaster, its champion fitted by `champion_of` on every trigger.

    With `crisis_share` > 0 that share of triggers (drawn at random, seeded) carries ICB's
    crisis label and the rest are labelled not a crisis; `blend` is the outside-view blend.
    """
    from forecast.predict import Forecaster
    from forecast.predict.history import NEW_SOURCE, KeptHistoryFeatures
    from forecast.record_age.bands import fit_record_models
    from forecast.record_age.view import RecordView

    incidents = random_incidents(6_000, seed=21, n_states=8, years=12)
    for side in ("initiator", "target"):
        incidents[side] = incidents[side].map(REAL_CODES).astype("int64")
    incidents = incidents[incidents["initiator"] != incidents["target"]].reset_index(drop=True)
    params = validated_params(
        {"episodes": {"horizons": [7, 30, 90, 365]}, "record_age": {"ages": [0, 2, 5, 10]}}, "t"
    )
    coverage = {"test": Coverage(windows=((date(1990, 1, 1), RECORD_END),))}
    episodes = build_episodes(incidents, params.episodes, {"test": RECORD_END})
    if crisis_share:
        draws = np.random.default_rng(23).random(len(episodes))
        episodes["crisis"] = pd.array(draws < crisis_share, dtype="boolean")
    events = force_events(incidents)
    features = build_features(episodes, events, None, params.features, params.episodes.horizons)
    record = RecordView(
        coverage=coverage,
        models=fit_record_models(incidents, episodes, None, coverage, params),
        skill={},
    )
    return Forecaster(
        likelihood_model=champion_of(features, episodes, params.episodes.horizons),
        timing_model=None,
        history_events=events,
        covariates=None,
        episodes=episodes,
        features=features,
        provenance=provenance_of(incidents),
        params=params,
        coverage={"test": RECORD_END},
        model_version="test",
        feature_builder=KeptHistoryFeatures(
            events, coverage={"test": RECORD_END}, selective_sources={NEW_SOURCE}
        ),
        event_builder=force_events,
        record=record,
        blend=blend,
    )
