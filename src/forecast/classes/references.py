"""A class's trailing rate as of any day: the outside view a forecaster had at its cutoff.

The rate of a class at a cutoff is the share answered among the class's triggers whose H-day
label had resolved before it (trigger date + H < cutoff), the rule that decides which training
labels a model may read (forecast.evaluation.splits.censor_at). All cutoffs are answered at
once with a sorted cumulative count, so scoring thousands of forecasts costs one sort a class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.classes.membership import MIN_CLASS_TRIGGERS, in_subset
from forecast.episodes import label_column


def trailing_rates(
    resolved_on: np.ndarray, labels: np.ndarray, member: np.ndarray, cutoffs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, n) at each cutoff among member triggers resolved strictly before it; the rate is
    NaN where no such trigger exists. `labels` are floats, NaN where censored."""
    keep = member & ~np.isnan(labels)
    order = np.argsort(resolved_on[keep], kind="stable")
    times = resolved_on[keep][order]
    answered = np.concatenate([[0.0], np.cumsum(labels[keep][order])])
    n = np.searchsorted(times, np.asarray(cutoffs, dtype=times.dtype), side="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, answered[n] / np.maximum(n, 1), np.nan)
    return rate, n


def resolution_days(triggers: pd.DataFrame, horizon: int) -> np.ndarray:
    """The day each trigger's H-day label resolved: its date + H days."""
    return (triggers["date"] + pd.Timedelta(days=horizon)).to_numpy(dtype="datetime64[ns]")


def outside_view(
    rows: pd.DataFrame, triggers: pd.DataFrame, horizon: int, crisis_known: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, n) of each row's reference class at its cutoff, as the forecaster shows it.

    The class is the row's subset (limited force or not), its crisis label when `crisis_known`
    (the analyst's answer; left out when NaN), and opening or answer where the forecaster
    knew the days before the trigger (`opening_known`) and both parts hold MIN_CLASS_TRIGGERS
    resolved triggers at the cutoff, as forecast.predict.outside_view builds it for a served
    forecast. `rows` carry those columns and a `cutoff`.
    """
    row_crisis = (
        rows["crisis"].to_numpy(dtype=float) if crisis_known else np.full(len(rows), np.nan)
    )
    row_answer = np.where(
        rows["opening_known"].to_numpy(dtype=bool), rows["answered_before"].to_numpy(float), np.nan
    )
    rate, n = _class_rates(rows, triggers, horizon, row_crisis, np.full(len(rows), np.nan))
    split = ~np.isnan(row_answer)
    if split.any():
        opening = _class_rates(rows, triggers, horizon, row_crisis, np.zeros(len(rows)))[1]
        answer = _class_rates(rows, triggers, horizon, row_crisis, np.ones(len(rows)))[1]
        credible = split & (np.minimum(opening, answer) >= MIN_CLASS_TRIGGERS)
        finer = _class_rates(rows, triggers, horizon, row_crisis, row_answer)
        rate, n = np.where(credible, finer[0], rate), np.where(credible, finer[1], n)
    return rate, n


def _class_rates(
    rows: pd.DataFrame,
    triggers: pd.DataFrame,
    horizon: int,
    row_crisis: np.ndarray,
    row_answer: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, n) of each row's class: its subset, crisis (NaN: left out) and answered-before
    (NaN: left out), at its cutoff."""
    labels = triggers[label_column(horizon)].to_numpy(dtype=float)
    resolved_on = resolution_days(triggers, horizon)
    limited = triggers["limited_force"].to_numpy(dtype=bool)
    crisis = triggers["crisis"].to_numpy(dtype=float)
    answered = triggers["answered_before"].to_numpy(dtype=float)
    keys = pd.DataFrame(
        {
            "limited": rows["limited_force"].to_numpy(dtype=bool),
            "crisis": np.nan_to_num(row_crisis, nan=-1.0),
            "answer": np.nan_to_num(row_answer, nan=-1.0),
        }
    )
    rate = np.full(len(rows), np.nan)
    n = np.zeros(len(rows), dtype=int)
    cutoffs = rows["cutoff"].to_numpy(dtype="datetime64[ns]")
    for (is_limited, crisis_key, answer_key), positions in keys.groupby(
        ["limited", "crisis", "answer"], sort=True
    ).indices.items():
        member = limited == is_limited
        if crisis_key >= 0:
            member &= crisis == crisis_key
        if answer_key >= 0:
            member &= answered == answer_key
        rate[positions], n[positions] = trailing_rates(
            resolved_on, labels, member, cutoffs[positions]
        )
    return rate, n


def own_rates(
    rows: pd.DataFrame, triggers: pd.DataFrame, horizon: int, subset: str, member: np.ndarray
) -> np.ndarray:
    """The trailing rate, at each row's cutoff, of the (subset, class) the rows are scored in:
    the reference of a class's Brier skill. `member` marks the class among `triggers`."""
    rate, _ = trailing_rates(
        resolution_days(triggers, horizon),
        triggers[label_column(horizon)].to_numpy(dtype=float),
        member & in_subset(triggers, subset),
        rows["cutoff"].to_numpy(dtype="datetime64[ns]"),
    )
    return rate
