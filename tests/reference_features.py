"""A plain, per-trigger implementation of the features: the oracle for `build_features`.

Written for clarity, not speed: for each trigger it filters the history with the definitions
of docs/features.md read literally. The columnar version must agree with it to the last digit.
Covariate features are not covered here (they are a single as-of join, tested on their own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecast.core.config import FeatureParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, conform
from forecast.features.registry import ACTION_GROUPS, ACTIVITY_DAYS, NEUTRAL_RATE

EPOCH = pd.Timestamp("1970-01-01")


def _day(timestamp: pd.Timestamp) -> int:
    return (timestamp - EPOCH).days


def _month_end_day(timestamp: pd.Timestamp) -> int:
    return _day(timestamp + pd.offsets.MonthEnd(0))


def _month_start_day(timestamp: pd.Timestamp) -> int:
    return _day(timestamp.replace(day=1))


def answered_within(
    events: pd.DataFrame, horizons: Sequence[int], include_same_day: bool
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """({horizon: answered?}, {horizon: label known?}) per event row seen as a past trigger
    (False for month-dated rows).

    For each day-dated event A -> B: did B use force against A on a day in (t, t+H] (from t when
    same-day answers count, but never the opposite side of a clash that day), or in a month
    lying wholly in that window? Unanswered, the label is unknown when a month-dated use of
    force by B against A may fall in that window.
    """
    is_day = (events["date_precision"] == "day").to_numpy()
    directed = events["directed"].to_numpy(dtype=bool)
    day = np.array([_day(d) for d in events["date"]])
    month_first = np.array([_month_start_day(d) for d in events["date"]])
    month_last = np.array([_month_end_day(d) for d in events["date"]])
    rows_of_dyad: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (actor, victim) in enumerate(zip(events["actor"], events["victim"], strict=True)):
        rows_of_dyad[(actor, victim)].append(i)
    answered = {horizon: np.zeros(len(events), dtype=bool) for horizon in horizons}
    known = {horizon: np.zeros(len(events), dtype=bool) for horizon in horizons}
    for i, (actor, victim) in enumerate(zip(events["actor"], events["victim"], strict=True)):
        if not is_day[i]:
            continue
        t = day[i]
        start = t if include_same_day else t + 1
        answers = np.array(rows_of_dyad[(victim, actor)], dtype=np.int64)
        own_clash = is_day[answers] & (day[answers] == t) & ~directed[answers] & ~directed[i]
        answers = answers[~own_clash]
        first_possible = np.where(is_day[answers], day[answers], month_first[answers])
        seen_by = np.where(is_day[answers], day[answers], month_last[answers])
        after = first_possible >= start
        monthly = ~is_day[answers]
        may_start = np.maximum(month_first[answers], start)
        for horizon in horizons:
            answered[horizon][i] = bool((after & (seen_by <= t + horizon)).any())
            unsure = monthly & (month_last[answers] >= start) & (may_start <= t + horizon)
            known[horizon][i] = answered[horizon][i] or not unsure.any()
    return answered, known


def reference_features(
    triggers: pd.DataFrame,
    events: pd.DataFrame,
    params: FeatureParams,
    horizons: Sequence[int],
    include_same_day: bool = False,
) -> pd.DataFrame:
    """The non-covariate features, one trigger at a time."""
    events = events.reset_index(drop=True)
    known_by = np.array(
        [
            _day(d) if p == "day" else _month_end_day(d)
            for d, p in zip(events["date"], events["date_precision"], strict=True)
        ]
    )
    answered, known = answered_within(events, horizons, include_same_day)
    dated = events["date_precision"].to_numpy() == "day"
    start_day = np.array([_day(d) for d in events["date"]])
    actor, victim = events["actor"].to_numpy(), events["victim"].to_numpy()
    cap = max(params.windows)
    rows = []
    for trigger in triggers.itertuples():
        t = _day(trigger.date)
        a, b = trigger.initiator, trigger.target
        before = events[known_by < t].assign(days_ago=t - known_by[known_by < t])
        a_to_b = before[(before["actor"] == a) & (before["victim"] == b)]
        b_to_a = before[(before["actor"] == b) & (before["victim"] == a)]
        out: dict[str, float] = {"hostility": float(trigger.hostility)}
        in_a_group = False
        for group, actions in ACTION_GROUPS.items():
            out[f"action_{group}"] = float(trigger.action in actions)
            in_a_group |= trigger.action in actions
        out["action_other"] = float(not in_a_group)
        for side in ("initiator", "target"):
            value = getattr(trigger, f"fatalities_{side}")
            out[f"log_fatalities_{side}"] = 0.0 if pd.isna(value) else float(np.log1p(value))
            out[f"fatalities_{side}_missing"] = float(pd.isna(value))
        out["target_is_state"] = float(trigger.target_kind == "state")
        out["target_kind_missing"] = float(trigger.target_kind not in ("state", "non_state"))
        for days in params.response_windows:
            out[f"is_response_{days}d"] = float((b_to_a["days_ago"] <= days).any())
        for days in params.windows:
            out[f"force_{days}d_initiator_to_target"] = float((a_to_b["days_ago"] <= days).sum())
            out[f"force_{days}d_target_to_initiator"] = float((b_to_a["days_ago"] <= days).sum())
        for name, history in (("initiator_to_target", a_to_b), ("target_to_initiator", b_to_a)):
            never = history.empty
            out[f"days_since_force_{name}"] = (
                float(cap) if never else float(min(history["days_ago"].min(), cap))
            )
            out[f"never_force_{name}"] = float(never)
        for horizon in horizons:
            # Past triggers whose H-day window closed before the trigger's day, label known.
            closed = dated & (start_day + horizon < t) & known[horizon]
            hits = answered[horizon]
            overall = hits[closed].mean() if closed.any() else NEUTRAL_RATE
            dyad = hits[closed & (actor == a) & (victim == b)]
            anyone = hits[closed & (victim == b)]
            k = params.shrinkage_strength
            for name, record in (("", dyad), ("_any", anyone)):
                n = len(record)
                rate = (record.sum() + k * overall) / (n + k) if n + k > 0 else overall
                out[f"target_answer_rate{name}_{horizon}d"] = float(rate)
            out[f"target_answer_record_{horizon}d"] = float(len(dyad))
        out[f"initiator_force_any_{ACTIVITY_DAYS}d"] = float(
            ((before["actor"] == a) & (before["days_ago"] <= ACTIVITY_DAYS)).sum()
        )
        out[f"target_force_any_{ACTIVITY_DAYS}d"] = float(
            ((before["actor"] == b) & (before["days_ago"] <= ACTIVITY_DAYS)).sum()
        )
        short, long = params.escalation_short_days, params.escalation_long_days
        both = pd.concat([a_to_b, b_to_a])
        recent = (both["days_ago"] <= short).sum()
        longer = (both["days_ago"] <= long).sum()
        out["escalation_trend"] = float(np.log((recent + 1) / (longer * short / long + 1)))
        dispute = trigger.dispute_id
        out["dispute_id_missing"] = float(pd.isna(dispute))
        # Dyad-days of force (ADR 8), a day holding a clash once for the pair.
        once = before["directed"] | (before["actor"] < before["victim"])
        out["dispute_prior_events"] = (
            0.0 if pd.isna(dispute) else float((once & (before["dispute_id"] == dispute)).sum())
        )
        rows.append({"episode_id": trigger.episode_id, **out})
    return pd.DataFrame(rows)


def random_incidents(n: int, seed: int, n_states: int = 8, years: int = 12) -> pd.DataFrame:
    """A random canonical incident table: a few states, clustered days, some month-dated rows."""
    rng = np.random.default_rng(seed)
    states = np.arange(2, 2 + n_states) * 10
    initiator = rng.choice(states, n)
    target = rng.choice(states, n)
    target = np.where(target == initiator, initiator + 5, target)
    actions = np.array(["attack", "attack", "clash", "war_battle", "seizure", "strike", "blockade"])
    action = rng.choice(actions, n)
    days = rng.integers(0, 365 * years, n)
    precision = np.where(rng.random(n) < 0.1, "month", "day")
    dates = pd.Timestamp("1990-01-01") + pd.to_timedelta(days, unit="D")
    dates = dates.where(precision == "day", dates.to_period("M").to_timestamp())
    fatalities = rng.poisson(3, (2, n)).astype(float)
    fatalities[rng.random((2, n)) < 0.3] = np.nan
    return conform(
        pd.DataFrame(
            {
                "incident_id": [f"syn-{i}" for i in range(n)],
                "source": "test",
                "date": dates,
                "date_precision": precision,
                "initiator": initiator,
                "target": target,
                "action": action,
                "hostility": np.where(action == "war_battle", 5, 4),
                "directed": ~np.isin(action, sorted(UNDIRECTED_ACTIONS)),
                "fatalities_initiator": pd.array(fatalities[0], dtype="Float64"),
                "fatalities_target": pd.array(fatalities[1], dtype="Float64"),
                "dispute_id": pd.array(
                    np.where(rng.random(n) < 0.2, None, rng.integers(0, 40, n).astype(str)),
                    dtype="string",
                ),
                "target_kind": rng.choice(["state", "state", "non_state", "unknown"], n),
            }
        )
    )
