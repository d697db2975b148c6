"""The record a forecast stands on: which days each source observed, and how old that is.

A systematic source (MIE, a coded event feed, the synthetic world) observes every use of force
on the days it covers: outside them "no event" means "nobody looked". A selective source (the
hand-coded files, a news report) observes the events it lists and nothing else: its silences
say nothing. For a trigger on day t the *record's end* E is the first day the systematic
sources stopped observing before t (E = t while they still observe day t - 1), and the
*record's age* is t - E. History features are read from the record up to E and anchored there
(`forecast.features.computation`); events that selective sources list between E and t are
known events.

Coverage is declared per source in `data/interim/sources.json` as
`{"start": ISO, "end": ISO, "windows": [[ISO, ISO], ...], "systematic": bool}`: `windows` (the
observed stretches, gaps between them unknown) defaults to `[[start, end]]` and `systematic` to
true. Only declared days count, so the record's end never moves with the data themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Coverage:
    """The days one source observed: the one coverage value sources, ingest, episodes, features,
    the record-age models and the forecaster pass around, and whose `record()` sources.json holds.

    `start` and `end` bound what the source declares or its dated rows reach (None: unknown);
    `windows` are the stretches inside them it observed, the gaps between them unknown (event
    feeds declare them; None: all of start-end); `systematic` says whether its silences mean "no
    event" (False for the hand-coded files and news reports, which list chosen events only).
    """

    start: date | None = None
    end: date | None = None
    windows: tuple[tuple[date, date], ...] | None = None
    systematic: bool = True

    @property
    def observed(self) -> tuple[tuple[date, date], ...]:
        """The observed stretches: the declared windows, else start-end as one."""
        if self.windows is not None:
            return self.windows
        return ((self.start, self.end),) if self.start and self.end else ()

    @property
    def last_observed(self) -> date | None:
        """The last day observed, if any: the day the source's triggers are censored at."""
        return max((end for _, end in self.observed), default=None)

    def record(self) -> dict[str, Any]:
        """The JSON shape sources.json holds: ISO start and end, the windows when declared, and
        whether the source is systematic."""
        record: dict[str, Any] = {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }
        if self.windows is not None:
            record["windows"] = [[a.isoformat(), b.isoformat()] for a, b in self.windows]
        record["systematic"] = self.systematic
        return record

    @classmethod
    def from_record(cls, span: Mapping[str, Any] | None) -> Coverage:
        """One source's coverage from its sources.json entry (any of the shapes ingest wrote)."""
        span = span or {}
        windows = span.get("windows")
        return cls(
            start=_date_or_none(span.get("start")),
            end=_date_or_none(span.get("end")),
            windows=None
            if windows is None
            else tuple(
                (date.fromisoformat(str(a)), date.fromisoformat(str(b)))
                for a, b in windows
                if a and b
            ),
            systematic=bool(span.get("systematic", True)),
        )


def _date_or_none(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def source_coverage(record: Mapping[str, Any]) -> dict[str, Coverage]:
    """{source: coverage} from the content of ingest's sources.json (any shape it wrote).

    The one parser of the coverage record: stages, the forecaster and notebooks all read
    coverage through it, so they cannot disagree on a source's window.
    """
    spans = record.get("coverage") or {
        name: info.get("coverage", {}) for name, info in record.get("sources", {}).items()
    }
    return {source: Coverage.from_record(span) for source, span in spans.items()}


def read_source_coverage(root: Path | None = None) -> dict[str, Coverage]:
    """{source: coverage} from ingest's sources.json under `root`; empty when it is absent."""
    from forecast.core import tables

    record = tables.read_optional("sources", root)
    return source_coverage(record) if record is not None else {}


def coverage_ends(coverage: Mapping[str, Coverage]) -> dict[str, date | None]:
    """{source: the last day it observed}: the day its triggers are censored at (ADR 0003)."""
    return {name: span.last_observed for name, span in coverage.items()}


def selective_sources(coverage: Mapping[str, Coverage]) -> set[str]:
    """Sources whose silences say nothing: only the events they list are known."""
    return {name for name, span in coverage.items() if not span.systematic}


def observed_spans(coverage: Iterable[Coverage]) -> np.ndarray:
    """The union of the systematic sources' windows as sorted, disjoint [first, last] day pairs.

    Windows that touch or overlap merge, so a gap is a day that no systematic source observed.
    """
    pairs = sorted(
        (_day(start), _day(end))
        for span in coverage
        if span.systematic
        for start, end in span.observed
        if end >= start
    )
    merged: list[list[int]] = []
    for first, last in pairs:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return np.asarray(merged, dtype=np.int64).reshape(-1, 2)


def record_end_days(trigger_days: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Per trigger day t, the record's end E (a day number, E <= t).

    E = t when the systematic record observes day t - 1; otherwise the day after the last
    observed day before t. With no systematic record before t at all there is nothing to be old
    about, and E = t.
    """
    t = np.asarray(trigger_days, dtype=np.int64)
    if not len(spans):
        return t.copy()
    # The last span starting on or before day t - 1.
    index = np.searchsorted(spans[:, 0], t - 1, side="right") - 1
    found = index >= 0
    last_observed = np.where(found, spans[np.clip(index, 0, None), 1], t - 1)
    return np.where(found, np.minimum(t, last_observed + 1), t)


def modelled_coverage(
    coverage: Mapping[str, Coverage], sources: Collection[str]
) -> dict[str, Coverage]:
    """The coverage of the sources whose events make the history (the others say nothing)."""
    return {name: span for name, span in coverage.items() if name in set(sources)}


def actual_record_end(trigger_days: np.ndarray, coverage: Mapping[str, Coverage]) -> np.ndarray:
    """Each trigger's record end from the declared coverage of its history's sources."""
    return record_end_days(trigger_days, observed_spans(coverage.values()))


def record_ages_years(trigger_days: np.ndarray, record_end: np.ndarray) -> np.ndarray:
    """t - E in years."""
    return (np.asarray(trigger_days) - np.asarray(record_end)) / DAYS_PER_YEAR


def simulated_record_end(
    trigger_days: np.ndarray, actual_end: np.ndarray, age_years: float
) -> np.ndarray:
    """The record's end when it is cut `age_years` before each trigger (never after the real
    end): how the backtest and training simulate forecasting across a gap."""
    cut = np.asarray(trigger_days, dtype=np.int64) - round(age_years * DAYS_PER_YEAR)
    return np.minimum(np.asarray(actual_end, dtype=np.int64), cut)


def _day(value: date) -> int:
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


def day_to_date(day: int) -> date:
    """A day number (days since 1970-01-01) as a date."""
    return pd.Timestamp(np.datetime64(int(day), "D")).date()
