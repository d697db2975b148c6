"""The forecast for one incident as typed values: what the CLI, the JSON and the brief read.

A `Forecast` holds numbers and sentences, never markup: `forecast.report` renders it (the brief,
the notebook card, the terminal panel). `to_dict` is the one JSON shape of a forecast, so the
`forecast predict --json` output and reports/forecasts.json agree key for key.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.wording import band_for
from forecast.predict.incident import Incident
from forecast.predict.outside_view import ReferenceClass


@dataclass(frozen=True)
class HorizonForecast:
    """P(retaliation within the horizon) and its 90 % interval; None where a model gave none."""

    p: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, float | None]:
        return _fields_of(self)


@dataclass(frozen=True)
class Timing:
    """When an answer would come: quantiles of the time to retaliation, and the curve's
    checkpoints as (day, P(retaliation by that day)). Days are None when the curve never
    reaches the quantile before the last horizon (or there is no curve)."""

    median_days: int | None
    low_days: int | None
    high_days: int | None
    beyond_last_horizon: bool | None
    statement: str
    curve: tuple[tuple[int, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_days": self.median_days,
            "low_days": self.low_days,
            "high_days": self.high_days,
            "beyond_last_horizon": self.beyond_last_horizon,
            "statement": self.statement,
            "curve": [[day, p] for day, p in self.curve],
        }


@dataclass(frozen=True)
class Driver:
    """A fact about the incident that moves the headline probability against a typical case:
    the feature, its value here and in a typical case, and the change in probability."""

    feature: str
    meaning: str
    value: float
    typical: float
    effect: float
    direction: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True)
class Analogue:
    """A past trigger near the incident in feature space, and what followed it."""

    episode_id: str
    initiator: int
    target: int
    dyad: str
    date: str
    date_text: str
    action: str
    outcome: str
    days_to_retaliation: int | None
    what_happened: str
    distance: float

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass
class Forecast:
    """Everything the CLI, the notebook card and the brief say about one incident."""

    incident: Incident
    horizons: dict[int, HorizonForecast]
    headline_horizon: int
    timing: Timing
    phrase: str
    key_judgment: str
    drivers: list[Driver]
    analogues: list[Analogue]
    data_source: dict[str, Any]
    model_version: str
    caveats: list[str] = field(default_factory=list)
    # The model's inputs for this incident, so anyone can audit what the forecast rests on.
    features: dict[str, float] = field(default_factory=dict)
    # P(retaliation by day t) for t = 1..last horizon, for charts; JSON keeps checkpoints only.
    daily_curve: list[float] = field(default_factory=list)
    # The record the forecast stands on: sources, its end, its age, the band model and its
    # backtest skill at that age (forecast.record_age.view).
    record: dict[str, Any] = field(default_factory=dict)
    # The outside view: the rate of the incident's reference class in the training data
    # (forecast.predict.outside_view), shown beside the model's number.
    reference: ReferenceClass | None = None
    # How far the served numbers lean on the outside view (forecast.predict.leaning): the
    # weights, the model's own numbers and the outside view's; empty when not at all.
    leaning: dict[str, Any] = field(default_factory=dict)
    # As of a later day with no answer yet (forecast.predict.as_of_view): the chance of an
    # answer from that day on per horizon, the evidence since the trigger and what served
    # the numbers; empty for a forecast made on the trigger's day.
    as_of: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> HorizonForecast:
        return self.horizons[self.headline_horizon]

    @property
    def headline_probability(self) -> float | None:
        return self.headline.p

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: horizon keys become strings, numbers stay numbers."""
        return {
            "incident": self.incident.to_dict(),
            "horizons": {str(h): v.to_dict() for h, v in self.horizons.items()},
            "headline_horizon": self.headline_horizon,
            "timing": self.timing.to_dict(),
            "phrase": self.phrase,
            "key_judgment": self.key_judgment,
            "drivers": [d.to_dict() for d in self.drivers],
            "analogues": [a.to_dict() for a in self.analogues],
            "data_source": self.data_source,
            "model_version": self.model_version,
            "caveats": self.caveats,
            "record": self.record,
            "reference": self.reference.to_dict() if self.reference is not None else None,
            "leaning": self.leaning,
            "as_of": self.as_of or None,
            "features": self.features,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return strict_json(self.to_dict(), indent=indent)


def _fields_of(value: Any) -> dict[str, Any]:
    """A flat dataclass as a dict in field order, the order its JSON keys have always had."""
    return {item.name: getattr(value, item.name) for item in fields(value)}


def strict_json(payload: Any, indent: int | None = 2, *, sort_keys: bool = False) -> str:
    """JSON any strict parser reads: a number that is not finite is written as null.

    Python's json writes NaN and Infinity by default, which JSON does not allow; a forecast's
    inputs (a feature) could hold one, and a reader's parser would then reject the whole file.
    `sort_keys` is for files kept under version control, where a stable order keeps diffs small.
    """
    return json.dumps(
        _finite(payload), indent=indent, ensure_ascii=False, allow_nan=False, sort_keys=sort_keys
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def probability_or_none(value: Any) -> float | None:
    """A probability rounded for output; None when the model gave no number."""
    number = float(value) if value is not None and pd.notna(value) else math.nan
    return round(float(np.clip(number, 0.0, 1.0)), 6) if math.isfinite(number) else None


def band_term(probability: float) -> str:
    """The bare ICD 203 word, for tables where the range is shown separately."""
    return band_for(probability).term
