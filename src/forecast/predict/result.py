"""The forecast for one incident, as the CLI, the notebook card, the JSON and the brief use it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.predict.incident import Incident
from forecast.wording import band_for


@dataclass
class Forecast:
    """Everything the CLI, the notebook card and the brief say about one incident."""

    incident: Incident
    horizons: dict[int, dict[str, float]]
    headline_horizon: int
    timing: dict[str, Any]
    phrase: str
    key_judgment: str
    drivers: list[dict[str, Any]]
    analogues: list[dict[str, Any]]
    data_source: dict[str, Any]
    model_version: str
    caveats: list[str] = field(default_factory=list)
    # The model's inputs for this incident, so anyone can audit what the forecast rests on.
    features: dict[str, float] = field(default_factory=dict)
    # P(retaliation by day t) for t = 1..last horizon, for charts; JSON keeps checkpoints only.
    daily_curve: list[float] = field(default_factory=list)
    # The record the forecast stands on: sources, its end, its age, the band model and its
    # backtest skill at that age (forecast.predict.record_view).
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def headline_probability(self) -> float:
        return self.horizons[self.headline_horizon]["p"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: horizon keys become strings, numbers stay numbers."""
        return {
            "incident": self.incident.to_dict(),
            "horizons": {str(h): dict(v) for h, v in self.horizons.items()},
            "headline_horizon": self.headline_horizon,
            "timing": self.timing,
            "phrase": self.phrase,
            "key_judgment": self.key_judgment,
            "drivers": self.drivers,
            "analogues": self.analogues,
            "data_source": self.data_source,
            "model_version": self.model_version,
            "caveats": self.caveats,
            "record": self.record,
            "features": self.features,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return strict_json(self.to_dict(), indent=indent)

    def _repr_html_(self) -> str:
        """A small card for JupyterLab; every piece of text is escaped."""
        from forecast.report.card import forecast_card_html

        return forecast_card_html(self)


def strict_json(payload: Any, indent: int | None = 2) -> str:
    """JSON any strict parser reads: a number that is not finite is written as null.

    Python's json writes NaN and Infinity by default, which JSON does not allow; a forecast's
    inputs (a feature) could hold one, and a reader's parser would then reject the whole file.
    """
    return json.dumps(_finite(payload), indent=indent, ensure_ascii=False, allow_nan=False)


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
