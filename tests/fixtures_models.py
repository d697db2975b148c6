"""A small synthetic world of triggers with planted effects, for model and backtest tests.

The tables follow the episodes table of docs/design.md and the features seam (episode_id plus
float64 columns), so the models can be built and checked without the episode and feature pipeline.
Retaliation times are drawn from an exponential hazard whose log rate rises with the target's
answering record, contiguity, rivalry, recent force by the target and war battles, and falls
with the days since the target last used force; `noise` has no effect at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

# Model tests share a small, busy machine; nested BLAS/OpenMP threads slow fits many times over.
threadpool_limits(1)

HORIZONS = (7, 30, 90, 365)
DATA_END = pd.Timestamp("2014-12-31")

# Planted effects on the daily log hazard (the signs the models must recover).
PLANTED = {
    "target_answer_rate_30d": 2.5,
    "contiguity": 0.8,
    "rivalry": 0.7,
    "log1p_target_force_30d": 0.5,
    "days_since_target_force_log": -0.3,
    "noise": 0.0,
}
BASE_LOG_HAZARD = -5.0
WAR_BATTLE_EFFECT = 1.2


def make_world(
    n_triggers: int = 2000,
    seed: int = 0,
    start: str = "1975-01-01",
    end: pd.Timestamp = DATA_END,
    n_dyads: int = 60,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(episodes, features) for `n_triggers` triggers among `n_dyads` directed dyads."""
    rng = np.random.default_rng(seed)
    start_ts = pd.Timestamp(start)
    span = (end - start_ts).days
    dates = start_ts + pd.to_timedelta(np.sort(rng.integers(0, span + 1, n_triggers)), unit="D")

    dyad = rng.integers(0, n_dyads, n_triggers)
    initiator = 100 + 10 * (dyad // 6)
    target = initiator + 1 + dyad % 6
    dyad_effect = rng.normal(0.0, 1.0, n_dyads)[dyad]
    contiguity = (rng.random(n_dyads) < 0.5).astype(float)[dyad]
    rivalry = (rng.random(n_dyads) < 0.3).astype(float)[dyad]

    answer_rate_30 = 1 / (1 + np.exp(-(dyad_effect - 1 + rng.normal(0, 0.5, n_triggers))))
    answer_rate_7 = np.clip(answer_rate_30 * rng.uniform(0.4, 0.9, n_triggers), 0, 1)
    force_30 = rng.poisson(np.exp(0.5 * dyad_effect), n_triggers).astype(float)
    days_since = rng.exponential(200, n_triggers)
    war_battle = rng.random(n_triggers) < 0.15
    hostility = np.where(war_battle, 5, 4)
    action = np.where(
        war_battle, "war_battle", rng.choice(["attack", "clash", "seizure"], n_triggers)
    )
    fatalities_target = rng.poisson(np.where(war_battle, 20, 1), n_triggers).astype(float)

    features = pd.DataFrame(
        {
            "episode_id": [
                f"syn-{i}:{a}>{b}"
                for i, a, b in zip(range(n_triggers), initiator, target, strict=True)
            ],
            "hostility": hostility.astype(float),
            "action_war_battle": war_battle.astype(float),
            "log_fatalities_target": np.log1p(fatalities_target),
            "target_answer_rate_7d": answer_rate_7,
            "target_answer_rate_30d": answer_rate_30,
            "log1p_target_force_30d": np.log1p(force_30),
            "days_since_target_force_log": np.log1p(days_since),
            "contiguity": contiguity,
            "rivalry": rivalry,
            "capability_share": rng.uniform(0.05, 0.95, n_triggers),
            "noise": rng.normal(0, 1, n_triggers),
        }
    )
    log_hazard = BASE_LOG_HAZARD + WAR_BATTLE_EFFECT * war_battle
    for name, effect in PLANTED.items():
        log_hazard = log_hazard + effect * features[name].to_numpy()
    latent_days = np.ceil(rng.exponential(1 / np.exp(log_hazard))).astype(np.int64)
    latent_days = np.maximum(latent_days, 1)

    days_left = (end - dates).days.to_numpy()
    event_observed = latent_days <= days_left
    duration = np.where(event_observed, latent_days, days_left)
    episodes = pd.DataFrame(
        {
            "episode_id": features["episode_id"],
            "incident_id": [f"syn-{i}" for i in range(n_triggers)],
            "date": dates,
            "initiator": initiator.astype(np.int64),
            "target": target.astype(np.int64),
            "source": "synthetic",
            "hostility": hostility.astype(np.int64),
            "action": action,
            "directed": ~np.isin(action, ["clash", "war_battle"]),
            "limited_force": (hostility == 4) & ~war_battle,
            "year": dates.year.to_numpy(),
            "days_to_retaliation": pd.array(
                np.where(event_observed, latent_days, 0), dtype="Int64"
            ),
            "event_observed": event_observed,
            "duration": duration.astype(np.int64),
        }
    )
    episodes.loc[~event_observed, "days_to_retaliation"] = pd.NA
    for horizon in HORIZONS:
        label = pd.array(latent_days <= horizon, dtype="boolean")
        label[days_left < horizon] = pd.NA
        episodes[f"retaliated_{horizon}d"] = label
    return episodes, features
