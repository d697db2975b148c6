"""Differences between two models with paired dyad-bootstrap intervals, and the champion rule.

Two models scored on the same triggers share most of their noise: a year of unusual dyads
lifts or sinks both. Their difference is therefore judged on the *same* resamples of dyads
(`metrics.paired_differences`, one seed), which gives a far narrower interval than comparing
two separate intervals. `paired_difference` takes any score that can be computed under a
matrix of resampling weights; the timing models' Uno's C differences go through the same
`metrics.paired_differences` (`metrics.paired_timing_difference`).

The champion rule (docs/adr/0001-champion-rule.md) walks the models from simplest to most
complex and lets a model take over only when it beats the current champion by a paired
interval that excludes zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from forecast.evaluation import metrics
from forecast.models.recalibration import RECALIBRATED_SUFFIX, base_name

WeightedScore = Callable[[np.ndarray], np.ndarray]
# Scores where lower is better: a positive difference (first - second) favours the second.
LOWER_IS_BETTER = frozenset({"brier", "ece", "log_loss", "ibs"})


def paired_difference(
    first: WeightedScore,
    second: WeightedScore,
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    level: float = 0.9,
) -> dict[str, float | list[float]]:
    """`first - second` on all triggers and its percentile interval over dyad resamples.

    Each score maps an (r, n) matrix of row weights to r values; both see the same draws.
    """
    draws = replicates if len(clusters) else 0
    values = metrics.paired_differences(first, second, clusters, draws, seed)
    if draws <= 0:
        return {"difference": float(values[0]), "ci90": []}
    return {
        "difference": float(values[0]),
        "ci90": metrics.percentile_interval(values[1:], level),
    }


def probability_score(
    metric: str, p: np.ndarray, y: np.ndarray, reference: np.ndarray, bins: int
) -> WeightedScore:
    """A likelihood metric (docs/design.md, section "Rules") as a function of resampling weights."""
    if metric == "brier":
        return lambda w: metrics.weighted_brier(p, y, w)
    if metric == "bss":
        return lambda w: metrics.weighted_skill(p, y, reference, w)
    if metric == "roc_auc":
        return lambda w: metrics.weighted_auc(p, y, w)
    if metric == "ece":
        return lambda w: metrics.weighted_ece(p, y, w, bins)
    raise ValueError(f"no paired interval for metric '{metric}' (use brier, bss, roc_auc, ece)")


def model_difference(
    metric: str,
    first: np.ndarray,
    second: np.ndarray,
    y: np.ndarray,
    reference: np.ndarray,
    clusters: np.ndarray,
    replicates: int,
    seed: int,
    bins: int = 10,
    level: float = 0.9,
) -> dict[str, float | list[float]]:
    """`metric(first) - metric(second)` on the same triggers, with its paired interval."""
    return paired_difference(
        probability_score(metric, first, y, reference, bins),
        probability_score(metric, second, y, reference, bins),
        clusters,
        replicates,
        seed,
        level,
    )


def complexity_rank(order: Sequence[str]) -> Callable[[str], float]:
    """A model's place in `order`; `<name>+recal` just above `<name>`, unknown names last."""
    position = {name: float(i) for i, name in enumerate(order)}

    def rank(name: str) -> float:
        base = base_name(name)
        return position.get(base, float(len(order))) + (
            0.5 if name.endswith(RECALIBRATED_SUFFIX) else 0.0
        )

    return rank


def _better(metric: str, difference: Mapping[str, object]) -> bool:
    """Whether `candidate - incumbent` is in the candidate's favour by its whole interval."""
    interval = difference["ci90"]
    if len(interval) != 2:
        return False
    low, high = interval
    return high < 0 if metric in LOWER_IS_BETTER else low > 0


def champion_by_rule(
    names: Sequence[str],
    metric: str,
    order: Sequence[str],
    difference: Callable[[str, str], Mapping[str, object]],
) -> tuple[str, list[dict[str, object]]]:
    """The simplest model that no more complex model beats by a paired interval excluding zero.

    Models are taken from simplest to most complex (`complexity_rank`, ties by name); each is
    compared with the current champion through `difference(candidate, champion)` (candidate
    minus champion, with `ci90`), and takes over only when the whole interval favours it.
    Returns the champion and every comparison made, in order.
    """
    rank = complexity_rank(order)
    ordered = sorted(names, key=lambda n: (rank(n), n))
    champion = ordered[0]
    steps: list[dict[str, object]] = []
    for candidate in ordered[1:]:
        result = dict(difference(candidate, champion))
        won = _better(metric, result)
        steps.append({"candidate": candidate, "against": champion, **result, "better": won})
        if won:
            champion = candidate
    return champion, steps
