"""metrics/classes.json: the served forecasts, the outside view and the model alone, class by class.

Shape: subset (`all`, `limited_force`) -> class (forecast.classes.membership.CLASSES) ->
forecaster -> record age in whole years -> horizon in days -> `roc_auc` (with a 90 % interval),
`brier`, `bss`, `ece`, `mean_forecast`, `observed_rate`, `n`. Forecasters:

- `served`: what a user would have got with ICB's crisis label as the analyst's answer: the
  champion at age 0, the record-aware logit chosen for the age otherwise, leaning on the outside
  view by the blend learnt inside each origin (forecast.classes.blend);
- `served_crisis_unknown`: the same forecaster without the crisis judgement (the model's number);
- `reference`: the outside view alone, the rate of the trigger's class at the cutoff.

`bss` is against the scored class's own trailing rate (its rate among earlier triggers of the
same subset and class resolved before the cutoff). Every forecaster of a cell is scored on the
same triggers: label known, the class's own rate and the reference defined.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.classes.membership import CLASSES, SUBSETS, in_subset
from forecast.classes.references import own_rates
from forecast.core.rates import Z_90
from forecast.evaluation import metrics

FORECASTERS = {"served": "p_served", "served_crisis_unknown": "p", "reference": "reference"}


def auc_interval(auc: float, positives: int, negatives: int) -> tuple[float, float]:
    """A 90 % interval for a ROC AUC from its Hanley-McNeil standard error."""
    if not np.isfinite(auc) or not positives or not negatives:
        return float("nan"), float("nan")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    ) / (positives * negatives)
    half = Z_90 * float(np.sqrt(max(variance, 0.0)))
    return max(auc - half, 0.0), min(auc + half, 1.0)


def score_block(p: np.ndarray, y: np.ndarray, own: np.ndarray, bins: int) -> dict[str, float]:
    """One cell's scores; `own` is the class's trailing rate, the skill score's reference."""
    block = metrics.cell_scores(p, y, own, bins)
    low, high = auc_interval(block["roc_auc"], int(y.sum()), int(len(y) - y.sum()))
    return block | {"roc_auc_low": low, "roc_auc_high": high}


def class_scores(served: pd.DataFrame, triggers: pd.DataFrame, bins: int) -> dict:
    """{subset: {class: {forecaster: {age: {horizon: block}}}}} over the served forecasts."""
    scores: dict = {}
    for subset in SUBSETS:
        for name, rule in CLASSES.items():
            member = rule(triggers)
            rows = served[in_subset(served, subset) & rule(served) & ~served["y"].isna()]
            if rows.empty:
                continue
            cells = rows.groupby(["record_age", "horizon"], sort=True).indices
            for (age, horizon), positions in cells.items():
                cell = rows.iloc[positions]
                own = own_rates(cell, triggers, int(horizon), subset, member)
                keep = np.isfinite(own) & np.isfinite(cell["reference"].to_numpy(dtype=float))
                if not keep.any():
                    continue
                y = cell["y"].to_numpy(dtype=float)[keep]
                for forecaster, column in FORECASTERS.items():
                    p = cell[column].to_numpy(dtype=float)[keep]
                    scores.setdefault(subset, {}).setdefault(name, {}).setdefault(
                        forecaster, {}
                    ).setdefault(str(int(age)), {})[str(int(horizon))] = score_block(
                        p, y, own[keep], bins
                    )
    return scores


def class_table(scores: dict, subset: str, horizon: int) -> pd.DataFrame:
    """One row per (class, forecaster, age) at `horizon`: the plot's and the show command's
    table."""
    rows = [
        {"class": name, "forecaster": forecaster, "record_age": int(age), **by_horizon[key]}
        for name, by_forecaster in scores.get(subset, {}).items()
        for forecaster, by_age in by_forecaster.items()
        for age, by_horizon in by_age.items()
        if (key := str(horizon)) in by_horizon
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(
        ["class", "forecaster", "record_age"], kind="stable", ignore_index=True
    )
