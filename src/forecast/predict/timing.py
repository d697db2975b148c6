"""The timing curve read for people: median and range of the days to retaliation."""

from __future__ import annotations

import numpy as np

from forecast.core.wording import horizon_text, percent
from forecast.predict.incident import Incident
from forecast.predict.result import Timing


def timing_summary(curve: np.ndarray | None, incident: Incident) -> Timing:
    """Median and 80 % range of the time to retaliation, read off P(retaliation by day t).

    These are quantiles of the full distribution, including "never": when less than half the
    probability falls before the last horizon, the median lies beyond it and we say so rather
    than extrapolate the curve.
    """
    if curve is None or not np.all(np.isfinite(curve)):
        return Timing(
            median_days=None,
            low_days=None,
            high_days=None,
            beyond_last_horizon=None,
            statement="The timing model gave no curve for this incident.",
        )
    last = len(curve)
    days = np.arange(1, last + 1)

    def first_day(level: float) -> int | None:
        hit = np.flatnonzero(curve >= level)
        return int(days[hit[0]]) if len(hit) else None

    median, low, high = first_day(0.5), first_day(0.1), first_day(0.9)
    who = f"{incident.target_name}"
    if median is None:
        statement = (
            f"Most of the probability lies beyond {last} days: the model gives "
            f"{percent(float(curve[-1]))} that {who} uses force against "
            f"{incident.initiator_name} {horizon_text(last)}."
        )
    else:
        upper = f"{high} days" if high is not None else f"more than {last} days"
        statement = (
            f"Half of the probability falls {horizon_text(median)}; 80 % range {low} to {upper}."
        )
    checkpoints = sorted(
        {d for d in (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365) if d <= last}
        | {last}
    )
    return Timing(
        median_days=median,
        low_days=low if median is not None else None,
        high_days=high if median is not None else None,
        beyond_last_horizon=median is None,
        statement=statement,
        curve=tuple((int(d), round(float(curve[d - 1]), 6)) for d in checkpoints),
    )


def daily_curve(curve: np.ndarray | None) -> list[float]:
    if curve is None or not np.all(np.isfinite(curve)):
        return []
    return [round(float(v), 6) for v in curve]
