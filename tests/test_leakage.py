"""The leakage guard: nothing dated on or after a trigger's day reaches its features.

Two independent checks: deleting the future must not move a trigger's features (property
test), and the columnar build must agree with the plain per-trigger oracle on a large table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.core.config import EpisodeParams, FeatureParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, conform
from forecast.episodes import build_episodes, force_events
from forecast.features.computation import build_features
from tests.reference_features import random_incidents, reference_features

HORIZONS = [7, 30, 90]
PARAMS = FeatureParams(windows=[7, 30, 90, 365], escalation_short_days=30, escalation_long_days=365)
STATES = [2, 20, 365, 630]

event_rows = st.lists(
    st.tuples(
        st.integers(0, 200),
        st.sampled_from(STATES),
        st.sampled_from(STATES),
        st.sampled_from(["attack", "clash", "war_battle", "seizure"]),
        st.sampled_from(["day", "day", "day", "month"]),
        st.sampled_from(["d1", "d2", None]),
    ).filter(lambda r: r[1] != r[2]),
    min_size=1,
    max_size=25,
)


def table_from(rows: list[tuple]) -> pd.DataFrame:
    start = pd.Timestamp("2000-01-01")
    dates = [start + pd.Timedelta(days=r[0]) for r in rows]
    return conform(
        pd.DataFrame(
            {
                "incident_id": [f"e{i}" for i in range(len(rows))],
                "source": "test",
                "date": [
                    d.replace(day=1) if r[4] == "month" else d
                    for d, r in zip(dates, rows, strict=True)
                ],
                "date_precision": [r[4] for r in rows],
                "initiator": [r[1] for r in rows],
                "target": [r[2] for r in rows],
                "action": [r[3] for r in rows],
                "hostility": [5 if r[3] == "war_battle" else 4 for r in rows],
                "directed": [r[3] not in UNDIRECTED_ACTIONS for r in rows],
                "dispute_id": pd.array([r[5] for r in rows], dtype="string"),
                "target_kind": "state",
            }
        )
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_rows, st.booleans())
def test_deleting_the_future_leaves_a_triggers_features_unchanged(
    rows: list[tuple], same_day: bool
) -> None:
    table = table_from(rows)
    episodes = build_episodes(table, EpisodeParams(horizons=HORIZONS, include_same_day=same_day))
    events = force_events(table)
    kwargs = {"params": PARAMS, "horizons": HORIZONS, "include_same_day": same_day}
    full = build_features(episodes, events, None, **kwargs).set_index("episode_id")
    for trigger in episodes.itertuples():
        # Everything dated on or after the trigger's day goes, except the trigger itself.
        past = events[
            (events["date"] < trigger.date) | (events["incident_id"] == trigger.incident_id)
        ]
        alone = build_features(episodes.iloc[[trigger.Index]], past, None, **kwargs)
        pd.testing.assert_series_equal(
            alone.set_index("episode_id").iloc[0], full.loc[trigger.episode_id], check_names=False
        )


def test_columnar_features_match_the_per_trigger_oracle_on_20000_events() -> None:
    incidents = random_incidents(20_000, seed=7, n_states=20, years=30)
    episodes = build_episodes(incidents, EpisodeParams())
    events = force_events(incidents)
    horizons = EpisodeParams().horizons
    fast = build_features(episodes, events, None, FeatureParams(), horizons).set_index("episode_id")
    sample = episodes.sample(300, random_state=np.random.default_rng(7))
    oracle = reference_features(sample, events, FeatureParams(), horizons).set_index("episode_id")
    pd.testing.assert_frame_equal(
        fast.loc[oracle.index, oracle.columns],
        oracle,
        check_exact=False,
        rtol=1e-12,
        check_index_type=False,
    )


def test_oracle_agrees_when_same_day_answers_count() -> None:
    incidents = random_incidents(2_000, seed=11, n_states=6, years=4)
    params = EpisodeParams(include_same_day=True)
    episodes = build_episodes(incidents, params)
    events = force_events(incidents)
    fast = build_features(
        episodes, events, None, FeatureParams(), params.horizons, include_same_day=True
    ).set_index("episode_id")
    sample = episodes.sample(60, random_state=np.random.default_rng(11))
    oracle = reference_features(
        sample, events, FeatureParams(), params.horizons, include_same_day=True
    ).set_index("episode_id")
    pd.testing.assert_frame_equal(
        fast.loc[oracle.index, oracle.columns],
        oracle,
        check_exact=False,
        rtol=1e-12,
        check_index_type=False,
    )
