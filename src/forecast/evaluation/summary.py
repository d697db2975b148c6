"""The backtest's headline numbers: the few a reader compares between two runs.

metrics/likelihood.json and metrics/timing.json hold every model, subset, horizon and
interval (hundreds of numbers); `dvc metrics diff` of them is unreadable. This file is what
dvc.yaml declares as the backtest's metric: per subset, the rule's likelihood champion with its
7- and 30-day ROC AUC, 30-day Brier skill and calibration error (each with its 90% interval as
`_low` and `_high`) and count, and the timing model with the best Uno's C. Every number is
copied from the full files, never recomputed, so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecast.evaluation.timing_ranking import best_timing_model

SUBSETS = ("all", "limited_force")
# (horizon, score) pairs copied for the likelihood champion, each with its interval if any.
HEADLINE_SCORES = (("7", "roc_auc"), ("30", "roc_auc"), ("30", "bss"), ("30", "ece"))


def headline_summary(
    likelihood: Mapping[str, Any], timing: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """{subset: headline numbers} from the backtest's likelihood and timing scores."""
    champion = likelihood.get("comparisons", {}).get("champion")
    summary: dict[str, dict[str, Any]] = {}
    for subset in SUBSETS:
        block: dict[str, Any] = {"likelihood_champion": champion}
        scores = likelihood.get(subset, {}).get(champion, {}) if champion else {}
        for horizon, score in HEADLINE_SCORES:
            values = scores.get(horizon, {})
            block[f"{score}_{horizon}"] = values.get(score)
            block |= _interval(f"{score}_{horizon}", values.get(f"{score}_ci90"))
        block["n_30"] = scores.get("30", {}).get("n")
        best = best_timing_model(timing, subset)
        timing_block = (
            (timing.get(best, {}) if subset == "all" else timing.get(best, {}).get(subset, {}))
            if best
            else {}
        )
        block["timing_best"] = best
        block["c_index"] = timing_block.get("c_index")
        block |= _interval("c_index", timing_block.get("c_index_ci90"))
        summary[subset] = block
    return summary


def _interval(name: str, bounds: list[float] | None) -> dict[str, float | None]:
    """The 90% interval as two numbers: `dvc metrics show` prints numbers, not lists."""
    low, high = bounds if bounds else (None, None)
    return {f"{name}_low": low, f"{name}_high": high}
