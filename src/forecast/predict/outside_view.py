"""The outside view beside every forecast: how often strikes of the incident's class were answered.

A forecast is the model's inside view of one incident. Beside it stands the plain history of
the incident's reference class: the share of training triggers of that class answered within
each horizon, counted on the triggers whose label is known, with n and a 90 % Wilson interval.
A reader who doubts the model still has the rate a user would quote without it, and can see how
far the model moved from it.

The class is built only from what is known on the incident's day:

- the subset the backtest scores: a limited use of force (hostility 4, not a war battle) or not;
- whether the target treats the strike as a crisis: the analyst's judgement (`--crisis`, a
  `crisis` column), matched in training by ICB's crisis label on the trigger (the episodes'
  `crisis` column); left out when the analyst does not say, or when the training data carry no
  such label (then a caveat says the judgement could not be used);
- whether the strike opens an exchange or answers one: whether the target used force against
  the initiator in the 30 days before (`is_response_30d`). It is read from the record when the
  record reaches the incident's day, and otherwise only from what the analyst gave (earlier
  incidents, `--answers`, `--context`); left out when unknown, and where the opening moves or
  the answers of the class hold fewer than MIN_CLASS_TRIGGERS resolved triggers
  (forecast.classes.membership).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.classes.membership import CRISIS_COLUMN, MIN_CLASS_TRIGGERS, OPENING_FEATURE
from forecast.core.rates import wilson_interval
from forecast.core.wording import percent
from forecast.episodes import label_column, limited_force


@dataclass(frozen=True)
class ClassRate:
    """One horizon's rate in the class: answered / known labels, with its 90 % interval."""

    rate: float | None
    low: float | None
    high: float | None
    n: int
    answered: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReferenceClass:
    """The incident's reference class and its rate per horizon; None parts were left out."""

    limited_force: bool
    crisis: bool | None
    opening: bool | None
    rates: dict[int, ClassRate]

    @property
    def name(self) -> str:
        """The class in words: 'limited uses of force in a crisis, opening an exchange'."""
        text = "limited uses of force" if self.limited_force else "uses of force beyond limited"
        if self.crisis is not None:
            text += " in a crisis" if self.crisis else " not in a crisis"
        if self.opening is not None:
            text += ", opening an exchange" if self.opening else ", answering the target's force"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "limited_force": self.limited_force,
            "crisis": self.crisis,
            "opening": self.opening,
            "rates": {str(h): rate.to_dict() for h, rate in self.rates.items()},
        }


class ReferenceRates:
    """The training triggers' class attributes and labels, counted for any class on demand.

    `episodes` and `features` are the training tables (aligned on `episode_id`); a label that
    is NA (censored) counts in neither the answered nor the n.
    """

    def __init__(
        self, episodes: pd.DataFrame, features: pd.DataFrame, horizons: tuple[int, ...]
    ) -> None:
        self.horizons = horizons
        self._limited = _limited_force(episodes)
        self._crisis = (
            episodes[CRISIS_COLUMN].astype("boolean")
            if CRISIS_COLUMN in episodes and episodes[CRISIS_COLUMN].notna().any()
            else None
        )
        answered_before = (
            features.set_index("episode_id")[OPENING_FEATURE].reindex(episodes["episode_id"])
            if OPENING_FEATURE in features
            else pd.Series(np.nan, index=episodes.index)
        )
        # 1.0 answered before, 0.0 opened, NaN unknown.
        self._answer = (answered_before.to_numpy(dtype=float) > 0).astype(float)
        self._answer[np.isnan(answered_before.to_numpy(dtype=float))] = np.nan
        self._labels = {
            h: pd.to_numeric(episodes[label_column(h)], errors="coerce").to_numpy(dtype=float)
            if label_column(h) in episodes
            else np.full(len(episodes), np.nan)
            for h in horizons
        }

    @property
    def knows_crises(self) -> bool:
        """Whether the training triggers carry a crisis label at all."""
        return self._crisis is not None

    def of(self, limited_force: bool, crisis: bool | None, opening: bool | None) -> ReferenceClass:
        """The class's rate at every horizon; `crisis` is left out when no label exists."""
        mask = self._limited == limited_force
        if crisis is not None and self._crisis is not None:
            mask &= (self._crisis == crisis).fillna(False).to_numpy(dtype=bool)
        else:
            crisis = None
        if opening is not None and self._splits_on_opening(mask):
            mask &= self._answer == (0.0 if opening else 1.0)
        else:
            opening = None
        rates = {h: _rate(self._labels[h][mask]) for h in self.horizons}
        return ReferenceClass(limited_force, crisis, opening, rates)

    def _splits_on_opening(self, mask: np.ndarray) -> bool:
        """Whether both the opening moves and the answers of the class hold MIN_CLASS_TRIGGERS
        triggers with a known label at every horizon (forecast.classes.membership)."""
        return all(
            min(
                int((~np.isnan(self._labels[h][mask & (self._answer == part)])).sum())
                for part in (0.0, 1.0)
            )
            >= MIN_CLASS_TRIGGERS
            for h in self.horizons
        )


def _limited_force(episodes: pd.DataFrame) -> np.ndarray:
    """The episodes' `limited_force`, or the same rule on hostility and action where a table
    made elsewhere (a notebook's, a test's) lacks the column."""
    if "limited_force" in episodes:
        return episodes["limited_force"].to_numpy(dtype=bool)
    hostility = pd.to_numeric(episodes["hostility"], errors="coerce")
    return limited_force(hostility, episodes["action"].astype(str)).to_numpy(dtype=bool)


def _rate(labels: np.ndarray) -> ClassRate:
    known = labels[~np.isnan(labels)]
    n, answered = len(known), int(known.sum())
    if not n:
        return ClassRate(None, None, None, 0, 0)
    low, high = wilson_interval(np.array([answered]), np.array([n]))
    return ClassRate(answered / n, float(low[0]), float(high[0]), n, answered)


def reference_text(reference: ReferenceClass) -> str:
    """One line: the class, then its rate per horizon with interval, and n."""
    parts = []
    for horizon, rate in reference.rates.items():
        if rate.rate is None:
            parts.append(f"{horizon} days: no resolved triggers")
        else:
            parts.append(
                f"{horizon} days {percent(rate.rate)} ({percent(rate.low)} to "
                f"{percent(rate.high)}, n = {rate.n:,})"
            )
    return f"Outside view, {reference.name}: answered within " + "; ".join(parts)
