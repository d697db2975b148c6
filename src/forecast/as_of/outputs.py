"""metrics/as_of.json read for people: one table per subset."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.table import Table

from forecast.as_of.backtest import AS_OF_LOGIT, DAY0, RENORMALISED, TIMING_CURVE
from forecast.core import tables


def read_as_of_scores(subset: str) -> dict[str, Any]:
    """The `scores` block of metrics/as_of.json; an unknown subset is named with the file."""
    return tables.read_subsets("as_of", subset, block="scores")


def _number(value: Any, digits: int = 3) -> str:
    """A score to `digits` places; "-" where there is none (null in the file, NaN in memory)."""
    return "-" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _logit_verdict(block: dict[str, Any]) -> str:
    """'better', 'worse' or 'same' by the paired interval of the Brier difference."""
    interval = (block.get("brier_difference") or {}).get("ci90") or []
    if len(interval) != 2:
        return "-"
    if interval[1] < 0:
        return "better"
    return "worse" if interval[0] > 0 else "same"


def as_of_table(scores: dict[str, Any], subset: str, day: int | None = None) -> Table:
    """Per as-of day k and horizon H: rows, the observed rate, each forecast's Brier, the
    renormalised forecast's ROC AUC and how the as-of logit compares (paired 90 % interval)."""
    table = Table(title=f"As-of forecasts, {subset}: an answer in (k, H] given none by day k")
    columns = ("k", "H", "n", "observed", "Brier day 0", "renorm.", "own curve", "logit", "AUC")
    for name in (*columns, "logit is"):
        table.add_column(name, justify="right")
    models = scores[subset]
    for k, horizons in sorted(models.get(RENORMALISED, {}).items(), key=lambda kv: int(kv[0])):
        if day is not None and int(k) != day:
            continue
        for horizon, block in sorted(horizons.items(), key=lambda kv: int(kv[0])):
            day0 = models.get(DAY0, {}).get(k, {}).get(horizon, {})
            fitted = models.get(AS_OF_LOGIT, {}).get(k, {}).get(horizon, {})
            own = models.get(TIMING_CURVE, {}).get(k, {}).get(horizon, {})
            table.add_row(
                k,
                horizon,
                str(block.get("n", 0)),
                _number(block.get("observed_rate")),
                _number(day0.get("brier")),
                _number(block.get("brier")),
                _number(own.get("brier")),
                _number(fitted.get("brier")),
                _number(block.get("roc_auc")),
                _logit_verdict(fitted),
            )
    return table
