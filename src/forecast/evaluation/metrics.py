"""Scores for probability forecasts and survival curves, and dyad-bootstrap intervals.

Proper scores (Brier, log loss) judge the probabilities themselves; ROC and PR AUC judge ranking;
ECE and the reliability table judge calibration. For timing, Uno's C and the IPCW Brier score
weight each case by the inverse probability of still being followed up, estimated by Kaplan-Meier
on the censoring times, so that late, often-censored triggers are not silently under-counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_curve
from statsmodels.duration.survfunc import SurvfuncRight

from forecast.models.common import survival_to_proba

_EPS = 1e-15


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between probability and outcome (0 is perfect)."""
    return float(np.mean((p - y) ** 2))


def brier_skill(p: np.ndarray, y: np.ndarray, p_reference: np.ndarray) -> float:
    """1 - Brier / Brier of the reference forecast; positive means better than the reference."""
    reference = brier(p_reference, y)
    return float("nan") if reference == 0 else 1.0 - brier(p, y) / reference


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood; probabilities are clipped so one 0 or 1 stays finite."""
    clipped = np.clip(p, _EPS, 1 - _EPS)
    return float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))


def roc_auc(p: np.ndarray, y: np.ndarray) -> float:
    """Area under the ROC curve (tied forecasts count half); NaN when only one outcome occurs.

    `weighted_auc` with every weight one: the pairs a forecast ranks correctly, counted exactly
    and divided once, so it is scikit-learn's area up to the rounding of its trapezoid sums
    (tests/test_metrics.py), and the point estimate is the bootstrap replicates' own formula.
    A backtest asks for thousands of small areas; scikit-learn's input checks were most of
    their cost.
    """
    return float(weighted_auc(p, np.asarray(y, dtype=float), np.ones((1, len(y))))[0])


def pr_auc(p: np.ndarray, y: np.ndarray) -> float:
    """Average precision (area under the precision-recall curve); NaN without positives."""
    return float(average_precision_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def reliability_table(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per equal-width probability bin: mean forecast, observed rate and count (empty bins out).

    Bin k holds k/bins <= p < (k+1)/bins, and p = 1 joins the last bin. The edges are compared
    as the doubles `k / bins`, so a forecast written as 0.3, 0.6 or 0.7 opens its own bin:
    `np.digitize` against `np.linspace(0, 1, bins + 1)` would put it one bin lower, because
    linspace's 0.3 is 0.30000000000000004; and `floor(p * bins)` puts the double just below
    0.9 into the 0.9 bin, because 10 * 0.8999999999999999 rounds to 9.0. This table is the
    one the backtest writes to plots/reliability.csv, the brief draws and ECE sums.
    """
    edges = np.arange(bins + 1) / bins
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    forecast_sum = np.bincount(which, weights=p, minlength=bins)
    outcome_sum = np.bincount(which, weights=y.astype(float), minlength=bins)
    filled = count > 0
    return pd.DataFrame(
        {
            "bin": np.arange(bins)[filled],
            "predicted": forecast_sum[filled] / count[filled],
            "observed": outcome_sum[filled] / count[filled],
            "n": count[filled],
        }
    )


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: count-weighted mean |forecast - observed| over the bins."""
    table = reliability_table(p, y, bins)
    return float(np.sum(table["n"] * np.abs(table["predicted"] - table["observed"])) / len(p))


def roc_table(p: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """The ROC curve's points (false and true positive rates) for plots."""
    fpr, tpr, _ = roc_curve(y, p)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr})


def probability_scores(
    p: np.ndarray,
    y: np.ndarray,
    p_base_rate: np.ndarray,
    p_persistence: np.ndarray,
    bins: int = 10,
) -> dict[str, float]:
    """The per-model, per-horizon metric block of metrics/likelihood.json (docs/design.md)."""
    return {
        "brier": brier(p, y),
        "bss": brier_skill(p, y, p_base_rate),
        "bss_persistence": brier_skill(p, y, p_persistence),
        "log_loss": log_loss(p, y),
        "roc_auc": roc_auc(p, y),
        "pr_auc": pr_auc(p, y),
        "ece": ece(p, y, bins),
        "n": len(y),
    }


def cell_scores(
    p: np.ndarray, y: np.ndarray, reference: np.ndarray, bins: int = 10
) -> dict[str, float]:
    """One scored cell: ROC AUC (NaN with one outcome), Brier, Brier skill over `reference`,
    ECE, the mean forecast against the observed rate, and n."""
    return {
        "roc_auc": roc_auc(p, y),
        "brier": brier(p, y),
        "bss": brier_skill(p, y, reference),
        "ece": ece(p, y, bins),
        "mean_forecast": float(np.mean(p)),
        "observed_rate": float(np.mean(y)),
        "n": len(y),
    }


def cluster_weights(clusters: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """(replicates, n) row weights: how often each row's dyad was drawn in each replicate."""
    codes, _ = pd.factorize(pd.Series(clusters))
    n_clusters = int(codes.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=replicates)
    return draws[:, codes].astype(float)


def weighted_auc(p: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC under each row of `weights`, ties counted half, all replicates at once."""
    order = np.argsort(p, kind="stable")
    ordered = p[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    w = weights[:, order]
    positive = np.add.reduceat(w * y[order], starts, axis=1)
    negative = np.add.reduceat(w * (1 - y[order]), starts, axis=1)
    negatives_below = np.cumsum(negative, axis=1) - negative
    pairs = positive.sum(axis=1) * negative.sum(axis=1)
    concordant = np.sum(positive * (negatives_below + 0.5 * negative), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, concordant / pairs, np.nan)


def weighted_brier(p: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Brier score under each row of `weights` (how often each trigger is drawn)."""
    return weights @ ((p - y) ** 2) / weights.sum(axis=1)


def weighted_skill(
    p: np.ndarray, y: np.ndarray, p_reference: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Brier skill against `p_reference` under each row of `weights`."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - weighted_brier(p, y, weights) / weighted_brier(p_reference, y, weights)


def weighted_ece(p: np.ndarray, y: np.ndarray, weights: np.ndarray, bins: int = 10) -> np.ndarray:
    """`ece` under each row of `weights`: the bins are the forecasts', the counts weighted."""
    which = np.minimum((p * bins).astype(int), bins - 1)
    members = np.zeros((len(p), bins))
    members[np.arange(len(p)), which] = 1.0
    gap = weights @ (members * (p - y)[:, None])
    return np.abs(gap).sum(axis=1) / weights.sum(axis=1)


def bootstrap_intervals(
    p: np.ndarray,
    y: np.ndarray,
    p_base_rate: np.ndarray,
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    level: float = 0.9,
    bins: int = 10,
) -> dict[str, list[float]]:
    """Percentile intervals for Brier, BSS, ROC AUC and ECE, resampling whole dyads.

    Triggers within a dyad move together, so resampling single triggers would make the
    intervals too narrow; drawing dyads keeps that dependence.
    """
    if replicates <= 0 or len(y) == 0:
        return {}
    weights = cluster_weights(clusters, replicates, seed)
    return {
        "brier_ci90": percentile_interval(weighted_brier(p, y, weights), level),
        "bss_ci90": percentile_interval(weighted_skill(p, y, p_base_rate, weights), level),
        "roc_auc_ci90": percentile_interval(weighted_auc(p, y, weights), level),
        "ece_ci90": percentile_interval(weighted_ece(p, y, weights, bins), level),
    }


def percentile_interval(values: np.ndarray, level: float) -> list[float]:
    """The central `level` range of the finite bootstrap replicates ([] if there are none)."""
    finite = values[np.isfinite(values)]
    tails = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    return [float(v) for v in np.percentile(finite, tails)] if finite.size else []


# Timing metrics ---------------------------------------------------------------------------


def censoring_survival(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier of the censoring distribution G(t) = P(still followed up after t)."""
    fit = SurvfuncRight(np.asarray(time, dtype=float), 1 - np.asarray(event, dtype=float))
    return np.asarray(fit.surv_times, dtype=float), np.asarray(fit.surv_prob, dtype=float)


def _step(times: np.ndarray, values: np.ndarray, at: np.ndarray, left: bool) -> np.ndarray:
    """A right-continuous step function (1 before the first step) at `at` or just before it."""
    if times.size == 0:  # nothing was censored: everyone was followed to the end
        return np.ones(np.shape(at))
    position = np.searchsorted(times, at, side="left" if left else "right") - 1
    return np.where(position >= 0, values[np.maximum(position, 0)], 1.0)


def uno_c(time: np.ndarray, event: np.ndarray, risk: np.ndarray, tau: float) -> float:
    """Uno's concordance truncated at `tau`: IPCW-weighted share of correctly ordered pairs.

    A comparable pair is an observed retaliation at T_i < tau and any trigger still unanswered
    after T_i; it counts as concordant when the earlier-answered trigger had the higher risk.
    Each pair is weighted by 1 / G(T_i-)^2.
    """
    return float(weighted_uno_c(time, event, risk, tau, np.ones((1, len(time))))[0])


def weighted_uno_c(
    time: np.ndarray,
    event: np.ndarray,
    risk: np.ndarray,
    tau: float,
    weights: np.ndarray,
    chunk: int = 1024,
) -> np.ndarray:
    """Uno's C under each row of `weights` (how often each trigger is drawn), all at once.

    A pair (i, j) counts w_i * w_j times. The censoring curve G comes from the full sample in
    every replicate: with almost nothing censored it barely moves, and refitting it per draw
    would cost a Kaplan-Meier fit each time.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    risk = np.asarray(risk, dtype=float)
    g_times, g_values = censoring_survival(time, event)
    anchors = np.flatnonzero(event & (time < tau))
    g_anchor = _step(g_times, g_values, time[anchors], left=True)
    usable = g_anchor > 0
    anchors, anchor_weight = anchors[usable], 1.0 / g_anchor[usable] ** 2
    numerator = np.zeros(len(weights))
    denominator = np.zeros(len(weights))
    for start in range(0, len(anchors), chunk):
        block = anchors[start : start + chunk]
        later = (time[None, :] > time[block, None]).astype(float)
        higher = (risk[block, None] > risk[None, :]) + 0.5 * (risk[block, None] == risk[None, :])
        drawn = weights[:, block] * anchor_weight[start : start + chunk]
        numerator += np.sum((drawn @ (later * higher)) * weights, axis=1)
        denominator += np.sum((drawn @ later) * weights, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def restricted_time_lost(survival: np.ndarray, days: np.ndarray, tau: float) -> np.ndarray:
    """Expected days before `tau` spent already answered: the integral of 1 - S(t) over [0, tau].

    One number per trigger that ranks by the whole curve up to `tau` (tau minus the restricted
    mean time to an answer), the risk score of Uno's C truncated at `tau`. For a
    proportional-hazards model it orders triggers exactly as 1 - S(tau) does; when curves
    cross, a trigger answered quickly but rarely late still ranks ahead of one answered
    slowly. Trapezoids over the days in `days` up to `tau`, with S(0) = 1.
    """
    days = np.asarray(days, dtype=float)
    within = days <= tau
    grid = np.r_[0.0, days[within]]
    lost = np.hstack([np.zeros((len(survival), 1)), survival_to_proba(survival[:, within])])
    return np.trapezoid(lost, grid, axis=1)


def weighted_dynamic_auc(
    time: np.ndarray, event: np.ndarray, marker: np.ndarray, day: float, weights: np.ndarray
) -> np.ndarray:
    """Cumulative/dynamic AUC at `day` under each row of `weights`, all replicates at once.

    Cases were answered by `day`, controls were still waiting after it; the AUC is the
    IPCW-weighted share of case-control pairs where the case has the higher marker (ties
    half), each case weighted by 1 / G(T_i-) (Uno et al. 2007; Hung and Chiang 2010), so
    triggers censored before `day` are neither cases nor controls without biasing the rest.
    Use P(T <= day | x) as the marker.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    g_times, g_values = censoring_survival(time, event)
    case = event & (time <= day)
    rows = case | (time > day)
    g_case = _step(g_times, g_values, time, left=True)
    with np.errstate(divide="ignore"):
        case_weight = np.where(case, 1.0 / np.where(g_case > 0, g_case, np.inf), 1.0)
    return weighted_auc(
        np.asarray(marker, dtype=float)[rows],
        case[rows].astype(float),
        weights[:, rows] * case_weight[rows],
    )


def cumulative_dynamic_auc(
    time: np.ndarray, event: np.ndarray, marker: np.ndarray, day: float
) -> float:
    """Time-dependent (cumulative/dynamic) AUC at `day`; see `weighted_dynamic_auc`."""
    return float(weighted_dynamic_auc(time, event, marker, day, np.ones((1, len(time))))[0])


def _with_replicates(n: int, clusters: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """Row weights: the sample itself first, then the dyad-bootstrap replicates."""
    draws = cluster_weights(clusters, replicates, seed) if replicates > 0 else np.empty((0, n))
    return np.vstack([np.ones((1, n)), draws])


def paired_differences(
    first: Callable[[np.ndarray], np.ndarray],
    second: Callable[[np.ndarray], np.ndarray],
    clusters: np.ndarray,
    replicates: int,
    seed: int,
) -> np.ndarray:
    """`first - second` on the sample (element 0), then on each dyad-bootstrap replicate.

    Each score maps an (r, n) matrix of row weights to r values; both see the same draws, so
    what two models share cancels and the spread is that of their difference.
    """
    weights = _with_replicates(len(clusters), clusters, replicates, seed)
    return first(weights) - second(weights)


def timing_ranking_scores(
    time: np.ndarray,
    event: np.ndarray,
    concordance: Mapping[str, tuple[float, np.ndarray]],
    dynamic_auc: Mapping[str, tuple[float, np.ndarray]],
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    level: float = 0.9,
) -> dict[str, float | list[float]]:
    """Uno's C per `name: (tau, risk)` and td-AUC per `name: (day, marker)`, with intervals.

    Each score is written under its name and its dyad-bootstrap percentile interval under
    `<name>_ci90`; the draws are those of `bootstrap_intervals` for the same seed.
    """
    weights = _with_replicates(len(time), clusters, replicates, seed)
    scored = {
        **{k: weighted_uno_c(time, event, r, tau, weights) for k, (tau, r) in concordance.items()},
        **{
            k: weighted_dynamic_auc(time, event, m, day, weights)
            for k, (day, m) in dynamic_auc.items()
        },
    }
    block: dict[str, float | list[float]] = {}
    for name, values in scored.items():
        block[name] = float(values[0])
        if replicates > 0:
            block[f"{name}_ci90"] = percentile_interval(values[1:], level)
    return block


def paired_timing_difference(
    time: np.ndarray,
    event: np.ndarray,
    risk_a: np.ndarray,
    risk_b: np.ndarray,
    tau: float,
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    level: float = 0.9,
) -> dict[str, float | list[float]]:
    """Uno's C of risk A minus that of risk B, with its interval from the same dyad draws.

    Both scores are computed on every replicate, so what the two share (the same hard and
    easy dyads) cancels and the interval is that of the difference, much narrower than the
    two separate intervals suggest. `share_above_zero` is the share of replicates where A
    ranks better.
    """
    difference = paired_differences(
        lambda w: weighted_uno_c(time, event, risk_a, tau, w),
        lambda w: weighted_uno_c(time, event, risk_b, tau, w),
        clusters,
        replicates,
        seed,
    )
    block: dict[str, float | list[float]] = {"difference": float(difference[0])}
    if replicates > 0:
        replicated = difference[1:][np.isfinite(difference[1:])]
        block["difference_ci90"] = percentile_interval(replicated, level)
        block["share_above_zero"] = float(np.mean(replicated > 0)) if replicated.size else np.nan
    return block


def ipcw_brier_terms(
    time: np.ndarray, event: np.ndarray, survival: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """Each trigger's IPCW-weighted squared error at each day: (n, len(days)), NaN if unusable.

    Kept per trigger so that the score and its dyad-bootstrap replicates are weighted means
    of one matrix.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    days = np.asarray(days, dtype=float)
    g_times, g_values = censoring_survival(time, event)
    g_own = _step(g_times, g_values, time, left=True)
    g_day = _step(g_times, g_values, days, left=False)
    answered = event[:, None] & (time[:, None] <= days[None, :])
    waiting = time[:, None] > days[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        from_answered = np.where(answered, survival**2 / g_own[:, None], 0.0)
        from_waiting = np.where(waiting, survival_to_proba(survival) ** 2 / g_day[None, :], 0.0)
    return from_answered + from_waiting


def ipcw_brier(
    time: np.ndarray, event: np.ndarray, survival: np.ndarray, days: np.ndarray
) -> np.ndarray:
    """IPCW Brier score at each day in `days`, given S(day | x) as an (n, len(days)) matrix."""
    return np.nanmean(ipcw_brier_terms(time, event, survival, days), axis=0)


def timing_bootstrap_intervals(
    time: np.ndarray,
    event: np.ndarray,
    risk: np.ndarray,
    tau: float,
    survival: np.ndarray,
    days: np.ndarray,
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    level: float = 0.9,
) -> dict[str, list[float]]:
    """Percentile intervals for Uno's C and the integrated Brier score, resampling dyads."""
    if replicates <= 0 or len(time) == 0:
        return {}
    weights = cluster_weights(clusters, replicates, seed)
    terms = ipcw_brier_terms(time, event, survival, days)
    usable = np.isfinite(terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_day = (weights @ np.where(usable, terms, 0.0)) / (weights @ usable)
    integrated = np.array([integrated_brier(row, days) for row in by_day])
    return {
        "c_index_ci90": percentile_interval(weighted_uno_c(time, event, risk, tau, weights), level),
        "ibs_ci90": percentile_interval(integrated, level),
    }


def integrated_brier(brier_by_day: np.ndarray, days: np.ndarray) -> float:
    """Trapezoidal mean of the IPCW Brier score over the day grid."""
    days = np.asarray(days, dtype=float)
    if len(days) < 2:
        return float(brier_by_day[0])
    return float(np.trapezoid(brier_by_day, days) / (days[-1] - days[0]))
