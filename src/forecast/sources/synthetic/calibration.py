"""Figures that tie the synthetic world to MIE, and the one function that measures them.

The same measurement runs on the real MIE file (scripts/measure_mie.py writes the figures to
synthetic_calibration.yaml) and on a generated world (tests check that the world reproduces
them roughly), so "matches MIE" always means "the same numbers, measured the same way".
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

CALIBRATION_FILE = "calibration.yaml"
HORIZONS = (7, 30, 365)
# Day numbers fit in 17 bits (1800-2158), so (directed dyad, day) packs into one sortable int64.
_DAY_BITS = 17
_EPOCH = np.datetime64("1800-01-01", "D")


@lru_cache(maxsize=1)
def load_calibration() -> dict[str, Any]:
    """The committed MIE figures the generator is set from."""
    path = resources.files("forecast.sources.synthetic") / CALIBRATION_FILE
    return yaml.safe_load(path.read_text())


def _day_numbers(dates: pd.Series) -> np.ndarray:
    return (dates.to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)


def force_by_side(incidents: pd.DataFrame) -> pd.DataFrame:
    """Uses of force as (actor, victim, day) rows; undirected incidents count for both sides."""
    force = incidents[incidents["hostility"].to_numpy() >= 4]
    day = _day_numbers(force["date"])
    day_precision = force["date_precision"].to_numpy() == "day"
    both = ~force["directed"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "actor": np.concatenate([force["initiator"], force["target"][both]]),
            "victim": np.concatenate([force["target"], force["initiator"][both]]),
            "day": np.concatenate([day, day[both]]),
            "day_precision": np.concatenate([day_precision, day_precision[both]]),
        }
    )


def first_response_delay(force: pd.DataFrame) -> np.ndarray:
    """Days from each day-precise use of force to the victim's next force against the actor.

    Same-day answers are skipped (daily data cannot order them); NaN where none ever follows.
    Month-precision events are neither triggers nor answers because their day is unknown.
    """
    dated = force[force["day_precision"]]
    key = dated["actor"].to_numpy(np.int64) * 1000 + dated["victim"].to_numpy(np.int64)
    packed = np.sort((key << _DAY_BITS) + dated["day"].to_numpy(np.int64), kind="stable")
    reverse = dated["victim"].to_numpy(np.int64) * 1000 + dated["actor"].to_numpy(np.int64)
    day = dated["day"].to_numpy(np.int64)
    at = np.searchsorted(packed, (reverse << _DAY_BITS) + day, side="right")
    found = at < len(packed)
    at = np.minimum(at, len(packed) - 1) if len(packed) else at
    found &= (packed[at] >> _DAY_BITS) == reverse if len(packed) else found
    delay = np.where(found, (packed[at] & ((1 << _DAY_BITS) - 1)) - day, np.nan)
    return delay.astype(float)


def measure_calibration(incidents: pd.DataFrame, start_year: int, end_year: int) -> dict[str, Any]:
    """The calibration figures of an incident table (canonical columns) over whole years.

    Triggers whose horizon runs past 31 December of `end_year` are left out of that horizon's
    share, so the figures are not pulled down by censoring.
    """
    years = incidents["date"].dt.year
    frame = incidents[(years >= start_year) & (years <= end_year)]
    n_years = end_year - start_year + 1
    force = force_by_side(frame)
    delay = first_response_delay(force)
    trigger_day = force.loc[force["day_precision"], "day"].to_numpy()
    last_day = int((np.datetime64(f"{end_year}-12-31", "D") - _EPOCH).astype(np.int64))
    answered = {}
    for horizon in HORIZONS:
        known = trigger_day + horizon <= last_day
        answered[str(horizon)] = round(float(np.mean(delay[known] <= horizon)), 4)
    within_year = delay[delay <= 365]
    per_dyad_year = frame.groupby(
        [frame["initiator"], frame["target"], frame["date"].dt.year], sort=False
    ).size()
    force_rows = frame["hostility"].to_numpy() >= 4
    fatal_target = frame.loc[force_rows, "fatalities_target"].astype(float).fillna(0)
    fatal_initiator = frame.loc[force_rows, "fatalities_initiator"].astype(float).fillna(0)
    actions = frame["action"].value_counts(normalize=True).sort_index()
    return {
        "period": [start_year, end_year],
        "events": len(frame),
        "events_per_year": round(len(frame) / n_years, 2),
        "states": int(pd.concat([frame["initiator"], frame["target"]]).nunique()),
        "events_per_active_dyad_year": {
            "mean": round(float(per_dyad_year.mean()), 3),
            "median": float(per_dyad_year.median()),
            "p90": float(per_dyad_year.quantile(0.9)),
        },
        "use_of_force_share": round(float(force_rows.mean()), 4),
        "undirected_share": round(float((~frame["directed"].astype(bool)).mean()), 4),
        "month_precision_share": round(float((frame["date_precision"] == "month").mean()), 4),
        "action_mix": {str(k): round(float(v), 4) for k, v in actions.items()},
        "hostility_by_action": {
            str(k): int(v)
            for k, v in frame.groupby("action")["hostility"].agg(lambda h: h.mode().iloc[0]).items()
        },
        "answered_within": answered,
        "response_delay_days": {
            "q25": float(np.quantile(within_year, 0.25)),
            "median": float(np.quantile(within_year, 0.5)),
            "q75": float(np.quantile(within_year, 0.75)),
        },
        "fatalities": {
            "target_share_positive": round(float((fatal_target > 0).mean()), 4),
            "initiator_share_positive": round(float((fatal_initiator > 0).mean()), 4),
            "target_median_when_positive": float(fatal_target[fatal_target > 0].median()),
        },
    }
