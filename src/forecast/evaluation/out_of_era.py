"""Out-of-era test sets: an event-feed slice's triggers, labelled from the slice itself.

The models learn from MIE, which ends in 2014. An event-feed slice after it (ICEWS 2018, 2021)
is a test set from another era and another coder: its uses of force become triggers exactly as
the project's feed reduction and `forecast.episodes.force_events` make them (one per directed
dyad-day, ADR 8), and each is labelled from the same slice. Two things differ from MIE's labels,
both because a feed reports news, not events:

- **Distinct answers only.** A clash is one incident per day in both directions, and a story
  the next day often re-reports it from the other side. So the target's force against the
  initiator answers a trigger only from the day after it (as `include_same_day: false`), and a
  reverse-direction dyad-day on the very next day whose actions are all among the trigger day's
  actions (the mapped event code: attack, clash, ...) is read as the same clash, not an answer.
- **Censoring at the slice's end.** A trigger whose H-day window runs past the last day the
  slice covers has no H-day label, answered or not: keeping the answered ones would lift the
  observed rate near the end (the pipeline keeps a sure answer; here nothing after the end is
  seen and every label must rest on a whole window).

Triggers are put in classes the outside view uses: `opening` (the target used no force against
the initiator in the 30 days before) and `answer` (it did), read from the slice alone, so only
triggers at least 30 days after the slice's start are classed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from forecast.core.contracts import CANONICAL_ACTIONS, UNDIRECTED_ACTIONS
from forecast.episodes import (
    GroupedDays,
    Queries,
    day_numbers,
    dyad_codes,
    force_events,
    label_column,
    limited_force,
    trigger_ids,
)
from forecast.evaluation.metrics import (
    brier,
    cluster_weights,
    percentile_interval,
    roc_auc,
    weighted_auc,
    weighted_brier,
    weighted_skill,
)
from forecast.models.common import dyad_groups

# The outside view's window (forecast.predict.outside_view.OPENING_WINDOW_DAYS), restated here
# because evaluation sits below predict.
CLASS_WINDOW_DAYS = 30
# A reverse-direction report this many days after the trigger, with no action of its own, is the
# trigger's clash told again.
SAME_CLASH_DAYS = 1
OPENING, ANSWER = "opening", "answer"
_ACTION_BITS = {action: 1 << bit for bit, action in enumerate(sorted(CANONICAL_ACTIONS))}


def directed_force_days(incidents: pd.DataFrame, min_hostility: int = 4) -> pd.DataFrame:
    """One row per directed dyad-day of day-dated force, with the day's actions as a bit set.

    A clash counts for both sides (as in `force_events`); `actions` ORs one bit per distinct
    action, so "all of one day's actions are among another's" is one integer test.
    """
    force = incidents[
        (incidents["hostility"].to_numpy() >= min_hostility)
        & incidents["date_precision"].eq("day").to_numpy(dtype=bool)
    ]
    undirected = ~force["directed"].to_numpy(dtype=bool) | force["action"].isin(
        sorted(UNDIRECTED_ACTIONS)
    ).to_numpy(dtype=bool)
    forward = pd.DataFrame(
        {
            "actor": force["initiator"].to_numpy(np.int64),
            "victim": force["target"].to_numpy(np.int64),
            "day": day_numbers(force["date"]) if len(force) else np.array([], np.int64),
            "bit": force["action"].astype(str).map(_ACTION_BITS).to_numpy(np.int64),
        }
    )
    reverse = forward[undirected].rename(columns={"actor": "victim", "victim": "actor"})
    rows = pd.concat([forward, reverse], ignore_index=True).drop_duplicates()
    # Distinct bits summed are the bits ORed.
    return (
        rows.groupby(["actor", "victim", "day"], sort=True)["bit"]
        .sum()
        .rename("actions")
        .reset_index()
    )


def label_slice(
    incidents: pd.DataFrame,
    coverage: tuple[date, date],
    horizons: Iterable[int],
    *,
    min_hostility: int = 4,
) -> pd.DataFrame:
    """The slice's triggers with distinct-answer labels and classes (see the module docstring).

    `incidents` are one feed slice's canonical incidents, `coverage` the first and last day it
    observed (one window). Returns one row per directed dyad-day of force: `trigger_id`,
    `initiator`, `target`, `date`, `action`, `hostility`, `target_kind`, `limited_force`,
    `days_to_answer` (the first distinct answer in the slice, NA when none),
    `retaliated_{H}d` (NA when the window runs past the coverage end), `prior_force_30d` (the
    target's force days against the initiator in the 30 days before) and `exchange_class`
    (`opening`, `answer`, or NA in the first 30 days).
    """
    force = force_events(incidents, min_hostility)
    triggers = force[force["date_precision"].eq("day").to_numpy(dtype=bool)].reset_index(drop=True)
    days = directed_force_days(incidents, min_hostility)
    t = day_numbers(triggers["date"]) if len(triggers) else np.array([], np.int64)
    actor = triggers["actor"].to_numpy(np.int64)
    victim = triggers["victim"].to_numpy(np.int64)
    index = GroupedDays.build(
        dyad_codes(days["actor"], days["victim"]), days["day"].to_numpy(np.int64)
    )
    own = _own_actions(days, index, dyad_codes(actor, victim), t)
    delay = _distinct_answer_delay(days, index, dyad_codes(victim, actor), t, own)
    prior = dict(index.window_counts(Queries.of(dyad_codes(victim, actor), t), [CLASS_WINDOW_DAYS]))

    start, end = day_numbers(pd.to_datetime(list(coverage)))
    out = pd.DataFrame(
        {
            "trigger_id": trigger_ids(triggers),
            "initiator": actor,
            "target": victim,
            "date": triggers["date"].astype("datetime64[ns]"),
            "action": triggers["action"].astype("string"),
            "hostility": triggers["hostility"].to_numpy(np.int64),
            "target_kind": triggers["target_kind"].astype("string"),
            "limited_force": np.asarray(
                limited_force(triggers["hostility"], triggers["action"]), dtype=bool
            ),
            "days_to_answer": pd.Series(delay).astype("Int64"),
        }
    )
    for horizon in horizons:
        label = pd.array(delay <= horizon, dtype="boolean")
        label[t + horizon > end] = pd.NA
        out[label_column(horizon)] = label
    counts = prior[CLASS_WINDOW_DAYS]
    out["prior_force_30d"] = counts.astype(np.int64)
    classed = t - start >= CLASS_WINDOW_DAYS
    out["exchange_class"] = pd.array(
        np.where(classed, np.where(counts > 0, ANSWER, OPENING), None), dtype="string"
    )
    return out


def _own_actions(
    days: pd.DataFrame, index: GroupedDays, dyads: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """Each trigger's own dyad-day action bits (every trigger is a row of `days`)."""
    position = index.first_at_or_after(Queries.of(dyads, t))
    return days["actions"].to_numpy(np.int64)[index.order[np.clip(position, 0, None)]]


def _distinct_answer_delay(
    days: pd.DataFrame, index: GroupedDays, reverse: np.ndarray, t: np.ndarray, own: np.ndarray
) -> np.ndarray:
    """Days to the target's first force against the initiator that is not the trigger's clash
    told again: the first reverse dyad-day after the trigger's day, or the one after it when
    the first falls on the next day and holds only actions of the trigger's day. NaN: none."""
    if not len(index) or not len(t):
        return np.full(len(t), np.nan)
    actions = days["actions"].to_numpy(np.int64)
    position = index.first_at_or_after(Queries.of(reverse, t + 1))
    safe = np.clip(position, 0, len(index) - 1)
    found_actions = actions[index.order[safe]]
    retold = (
        (position >= 0)
        & (index.day_at(safe) - t == SAME_CLASH_DAYS)
        & ((found_actions & ~own) == 0)
    )
    following = position + 1
    position = np.where(
        retold, np.where(index.in_group(following, reverse), following, -1), position
    )
    found = position >= 0
    return np.where(found, index.day_at(np.clip(position, 0, len(index) - 1)) - t, np.nan)


def score_block(
    p: np.ndarray,
    y: np.ndarray,
    initiator: np.ndarray,
    target: np.ndarray,
    constant: float,
    *,
    replicates: int = 200,
    seed: int = 0,
    level: float = 0.9,
) -> dict[str, object]:
    """Scores of forecasts `p` against outcomes `y`, beside a constant forecast.

    n, dyads, observed rate, mean forecast, Brier score, ROC AUC, the constant's Brier score and
    the Brier skill against it; intervals come from one bootstrap over undirected dyads (a
    dyad's triggers answer one another, so drawing single triggers, or a Wilson interval on
    the rate, would understate the spread). No intervals when `replicates` is 0.
    """
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    if not len(y):
        return {"n": 0, "dyads": 0}
    clusters = dyad_groups(pd.DataFrame({"initiator": initiator, "target": target}))
    reference = np.full(len(y), constant)
    constant_brier = brier(reference, y)
    scores: dict[str, object] = {
        "n": len(y),
        "dyads": int(clusters.max()) + 1,
        "observed": float(y.mean()),
        "mean_forecast": float(p.mean()),
        "brier": brier(p, y),
        "roc_auc": roc_auc(p, y),
        "brier_constant": constant_brier,
        "bss_constant": 1 - brier(p, y) / constant_brier if constant_brier > 0 else float("nan"),
    }
    if replicates > 0:
        weights = cluster_weights(clusters, replicates, seed)
        draws = {
            "observed": weights @ y / weights.sum(axis=1),
            "brier": weighted_brier(p, y, weights),
            "roc_auc": weighted_auc(p, y, weights),
            "bss_constant": weighted_skill(p, y, reference, weights),
        }
        for name, values in draws.items():
            scores[f"{name}_ci90"] = percentile_interval(values, level)
    return scores
