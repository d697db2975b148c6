"""Historical analogues: the past triggers nearest a new incident, and what happened in them.

Only triggers whose outcome was known before the incident's day can be analogues, so the
comparison never leans on hindsight.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.wording import horizon_text, readable_date
from forecast.episodes import label_column
from forecast.predict.incident import Incident, name_of
from forecast.predict.result import Analogue

N_ANALOGUES = 5
# A flag value seen in fewer than this share of past triggers (at most this many, at least once)
# is "rarely seen".
RARE_VALUE_MAX_COUNT = 30
RARE_VALUE_SHARE = 0.001
# The columns an analogue's record is written from.
RECORD_COLUMNS = (
    "episode_id",
    "date",
    "initiator",
    "target",
    "action",
    "event_observed",
    "days_to_retaliation",
    "duration",
)


class AnalogueIndex:
    """Past triggers in standardized feature space, ready for nearest-neighbour look-ups."""

    def __init__(
        self,
        episodes: pd.DataFrame,
        features: pd.DataFrame,
        feature_names: list[str],
        last_horizon: int,
    ) -> None:
        keep = ["episode_id", "incident_id", "date", "initiator", "target", "action"]
        outcome = ["event_observed", "days_to_retaliation", "duration", label_column(last_horizon)]
        table = features[["episode_id", *feature_names]].merge(
            episodes[[c for c in keep + outcome if c in episodes.columns]],
            on="episode_id",
            how="inner",
            validate="one_to_one",
        )
        table = table.sort_values(["date", "episode_id"], kind="stable", ignore_index=True)
        values = table[feature_names].to_numpy(dtype=float)
        self.feature_names = feature_names
        self.n = len(values)
        self.low = values.min(axis=0) if self.n else np.full(len(feature_names), -np.inf)
        self.high = values.max(axis=0) if self.n else np.full(len(feature_names), np.inf)
        # Flags (0/1 columns) with how many past triggers had a 1, so "how often was this
        # value seen" is a look-up rather than a pass over every trigger.
        self.is_flag = np.all((values == 0) | (values == 1), axis=0)
        self.ones = values.sum(axis=0)
        self.scale = values.std(axis=0) if self.n else np.ones(len(feature_names))
        self.scale[~np.isfinite(self.scale) | (self.scale == 0)] = 1.0
        self.values = np.ascontiguousarray(values / self.scale)
        self.dates = table["date"].to_numpy(dtype="datetime64[ns]")
        self.known_by = _outcome_known_by(table, last_horizon)
        self.incident_ids = (
            table["incident_id"].astype(str).to_numpy()
            if "incident_id" in table
            else np.full(self.n, "", dtype=object)
        )
        self.table = table
        # What an analogue's record reads, apart: turning a few rows of the full table (every
        # feature too) into dicts costs more than finding them.
        self._described = table[[c for c in RECORD_COLUMNS if c in table]]

    def nearest(
        self, point: np.ndarray, incident: Incident, k: int, last_horizon: int
    ) -> list[Analogue]:
        """The k closest triggers whose outcome was known before the incident's day.

        A strike answered by this very incident is not an analogue of it: its outcome is what
        we are forecasting, so only triggers whose answer (or last horizon) lies before the
        incident's day qualify.

        Ties (identical histories are common) are broken by date order, so the same incident
        always gets the same analogues.
        """
        eligible = self.known_by < np.datetime64(incident.date.to_datetime64())
        if incident.incident_id is not None:
            eligible &= self.incident_ids != incident.incident_id
        if not eligible.any():
            return []
        difference = self.values - point / self.scale
        distance = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        distance[~eligible] = np.inf
        k = min(k, int(eligible.sum()))
        cutoff = np.partition(distance, k - 1)[k - 1]
        closest = np.flatnonzero(distance <= cutoff)
        order = closest[np.argsort(distance[closest], kind="stable")][:k]
        rows = self._described.iloc[order]
        return [
            _analogue_record(row, float(d), last_horizon)
            for row, d in zip(rows.to_dict(orient="records"), distance[order], strict=True)
        ]

    def rarely_seen(self, point: np.ndarray) -> list[tuple[str, float, int]]:
        """Inputs outside the training range, or taking a value few past triggers had.

        A model fitted where a flag was (almost) always 0 has learned nothing reliable about
        it being 1, so such a forecast is an extrapolation and readers must be told.
        """
        if not self.n:
            return []
        same = np.where(point == 1, self.ones, self.n - self.ones)
        outside = (point < self.low) | (point > self.high)
        floor = min(RARE_VALUE_MAX_COUNT, max(1, int(RARE_VALUE_SHARE * self.n)))
        rare = outside | (self.is_flag & (same < floor))
        seen = np.where(outside, 0, same)
        return [
            (self.feature_names[j], float(point[j]), int(seen[j])) for j in np.flatnonzero(rare)
        ]


def _outcome_known_by(table: pd.DataFrame, last_horizon: int) -> np.ndarray:
    """The day each past trigger's outcome was known: its answer, or its last horizon."""
    dates = table["date"].to_numpy(dtype="datetime64[ns]")
    if "days_to_retaliation" not in table:
        return dates
    answered = pd.to_numeric(table["days_to_retaliation"], errors="coerce").to_numpy(float)
    wait = np.where(np.isfinite(answered), np.minimum(answered, last_horizon), last_horizon)
    return dates + (wait * 86_400_000_000_000).astype("timedelta64[ns]")


def _is_true(value: object) -> bool:
    """A nullable label read as True only when it is known and True."""
    return bool(pd.notna(value) and value)


def _analogue_record(row: Mapping[str, Any], distance: float, last_horizon: int) -> Analogue:
    initiator, target = int(row["initiator"]), int(row["target"])
    initiator_name, target_name = name_of(initiator), name_of(target)
    observed = bool(row.get("event_observed")) if pd.notna(row.get("event_observed")) else False
    days = row.get("days_to_retaliation")
    duration = row.get("duration")
    if observed and pd.notna(days) and int(days) <= last_horizon:
        days = int(days)
        outcome = "answered"
        unit = "day" if days == 1 else "days"
        happened = f"{target_name} used force against {initiator_name} after {days} {unit}."
    elif observed and pd.notna(days):
        days = int(days)
        outcome = "not answered"
        happened = (
            f"No force by {target_name} against {initiator_name} {horizon_text(last_horizon)}; "
            f"the next came after {days:,} days."
        )
    elif _is_true(row.get(label_column(last_horizon))):
        # Answered within the horizon, on a day known only to its month.
        days = None
        outcome = "answered"
        happened = (
            f"{target_name} used force against {initiator_name} {horizon_text(last_horizon)}, "
            "on a day known only to the month."
        )
    else:
        days = None
        outcome = "not answered"
        span = int(duration) if pd.notna(duration) else None
        if span is None:
            happened = f"No force by {target_name} against {initiator_name} recorded."
        elif span >= last_horizon:
            happened = (
                f"No force by {target_name} against {initiator_name} {horizon_text(last_horizon)}."
            )
        else:
            # The record ends, an answer is dated only to its month, or the source did not look.
            happened = (
                f"No force by {target_name} against {initiator_name} known in the {span} days "
                "after it; the record does not say what came next."
            )
    date = pd.Timestamp(row["date"])
    return Analogue(
        episode_id=str(row["episode_id"]),
        initiator=initiator,
        target=target,
        dyad=f"{initiator_name} → {target_name}",
        date=date.date().isoformat(),
        date_text=readable_date(date),
        action=str(row.get("action", "")).replace("_", " "),
        outcome=outcome,
        days_to_retaliation=days,
        what_happened=happened,
        distance=round(distance, 4),
    )
