"""What a forecast knows about its own record: where it ends, how old it is, what that costs.

A forecast for an incident after the systematic record's end is made by the band model of its
record age (`forecast.record_age.bands`); this module finds the record's end, picks the band
and the reading (with or without the analyst's recent facts), and says so in the `record`
block of every forecast, with the backtest's skill at that age.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.coverage import (
    DAYS_PER_YEAR,
    Coverage,
    actual_record_end,
    day_to_date,
    selective_sources,
)
from forecast.core.wording import readable_date
from forecast.episodes import limited_force
from forecast.record_age.bands import POOLED, RecordAgeModels, band_model_name, kind_name

SKILL_HORIZON = 30


@dataclass(frozen=True)
class IncidentRecord:
    """One incident's record: its end (exclusive day number), age, band and reading."""

    end_day: int
    age_days: int
    band: int
    context: bool

    @property
    def age_years(self) -> float:
        return self.age_days / DAYS_PER_YEAR

    @property
    def current(self) -> bool:
        """Whether the forecast uses today's models (band 0): no gap worth a band of its own."""
        return self.band == 0


@dataclass
class RecordView:
    """The modelled sources' coverage, the band models and their backtest skill by age."""

    coverage: Mapping[str, Coverage]
    models: RecordAgeModels | None = None
    # metrics/record_age.json as written by `forecast record-age backtest`, if present.
    skill: Mapping[str, Any] = field(default_factory=dict)

    @property
    def selective(self) -> set[str]:
        return selective_sources(self.coverage)

    def end_days(self, trigger_days: np.ndarray) -> np.ndarray:
        return actual_record_end(trigger_days, self.coverage)

    def place(self, trigger_day: int, end_day: int, context: bool) -> IncidentRecord:
        """The band (nearest trained age; 0 without band models) and reading for one incident."""
        age_days = int(trigger_day - end_day)
        band = self.models.band(age_days / DAYS_PER_YEAR) if self.models is not None else 0
        return IncidentRecord(end_day, age_days, band, context and band > 0)

    def block(self, placed: IncidentRecord, limited_force: bool) -> dict[str, Any]:
        """The `record` block of a forecast: sources, end, age, band and skill at that age."""
        last_observed = day_to_date(placed.end_day - 1)
        model = band_model_name(placed.context) if not placed.current else "champion"
        kind = (
            self.models.kind(placed.age_years, placed.context)
            if not placed.current and self.models is not None
            else None
        )
        beyond = self.models is not None and placed.age_years > self.models.oldest
        return {
            "sources": [
                {
                    "source": name,
                    "systematic": span.systematic,
                    "covered_until": (
                        span.last_observed.isoformat() if span.last_observed else None
                    ),
                }
                for name, span in sorted(self.coverage.items())
            ],
            "record_end": last_observed.isoformat(),
            "age_days": placed.age_days,
            "age_years": round(placed.age_years, 2),
            "band_years": placed.band,
            "beyond_oldest_band": bool(beyond),
            "context": placed.context,
            "model": model,
            # band: fitted at that age alone; pooled: fitted over every age, the age a feature.
            "kind": kind,
            "skill": self.skill_at(placed, limited_force),
        }

    def skill_at(self, placed: IncidentRecord, limited_force: bool) -> dict[str, Any] | None:
        """The backtest's 30-day scores of the serving model at this age, on the incident's
        subset: the kind that serves (band or pooled), as it scored on its own."""
        subset = "limited_force" if limited_force else "all"
        name = band_model_name(placed.context)
        if not placed.current and self.models is not None:
            name = kind_name(name, self.models.kind(placed.age_years, placed.context))
        block = (
            self.skill.get(subset, {})
            .get(name, {})
            .get(str(placed.band), {})
            .get(str(SKILL_HORIZON))
        )
        if not block:
            return None
        return {
            "subset": subset,
            "horizon": SKILL_HORIZON,
            "model": name,
            "record_age_years": placed.band,
            "roc_auc": block.get("roc_auc"),
            "bss": block.get("bss"),
            "n": block.get("n"),
        }


def read_record_skill(root: Path | None = None) -> dict[str, Any]:
    """metrics/record_age.json, or nothing when the backtest by age has not run."""
    from forecast.core import tables

    return tables.read_record("record_age", root)


def curve_from_horizons(p: np.ndarray, horizons: tuple[int, ...], days: int) -> np.ndarray:
    """P(answer by day 1..days) through the band model's horizon probabilities.

    Linear in log-time between (0, 0) at day 1 and each horizon's probability: the band models
    forecast the horizons, not the daily timing, so the curve only joins their points.
    """
    points_day = np.log(np.array([1.0, *horizons], dtype=float))
    points_p = np.concatenate([[0.0], np.maximum.accumulate(np.asarray(p, dtype=float))])
    grid = np.log(np.arange(1, days + 1, dtype=float))
    return np.interp(grid, points_day, points_p)


def is_limited_force(action: str, hostility: int) -> bool:
    """Hostility 4 outside war battles: the subset the record-age skill is quoted on."""
    return bool(limited_force(hostility, action))


def age_text(placed: IncidentRecord) -> str:
    """'9.0 years' or '40 days': how old the record is, in words."""
    if placed.age_days >= 2 * DAYS_PER_YEAR / 12:
        return f"{placed.age_years:.1f} years"
    return f"{placed.age_days} days"


def record_end_timestamp(placed: IncidentRecord) -> pd.Timestamp:
    return pd.Timestamp(day_to_date(placed.end_day - 1))


def training_text(record: Mapping[str, Any]) -> str:
    """How the serving model was trained: at the band's gap, or over every gap at once."""
    if record.get("kind") == POOLED:
        return "trained across gaps of every trained length, the gap among its inputs"
    return f"trained across a {record['band_years']}-year gap"


def record_text(record: dict[str, Any]) -> str:
    """One line on the record a forecast stands on: its end, its age, the model that served."""
    systematic = [s["source"] for s in record["sources"] if s["systematic"]]
    text = (
        f"Record: {', '.join(systematic) or 'no systematic source'} to "
        f"{readable_date(record['record_end'])}"
    )
    if record["age_days"] <= 0:
        return text + " (reaches the incident's day); model: the champion"
    if record["model"] == "champion":
        years = record["age_days"] / DAYS_PER_YEAR
        return text + (
            f", {years:.1f} years before the incident; model: the champion (a gap nearer "
            f"none than the shortest trained one)"
        )
    reading = "with the analyst's recent facts" if record["context"] else "without recent facts"
    years = record["age_days"] / DAYS_PER_YEAR
    text += (
        f", {years:.1f} years before the incident; model: the record-aware logit "
        f"{training_text(record)} ({reading})"
    )
    skill = record.get("skill")
    if skill and skill.get("bss") is not None:
        text += (
            f"; backtest at that age: ROC AUC {skill['roc_auc']:.2f}, Brier skill "
            f"{skill['bss']:+.2f} ({skill['horizon']} days, {skill['subset'].replace('_', ' ')})"
        )
    return text
