"""Score forecasts on a set of real cases kept outside the project, as a new user would.

    python benchmarks/score_cases.py CASES.csv

CASES.csv has the columns `forecast predict --input` reads (initiator, target, date, action,
hostility, target_kind) plus `answered_in_days`: days until the target used force against the
initiator, blank when it did not within a year. The cases stay outside the repository so that
nothing in the project is tuned on them. Printed, for 7 and 30 days: the Brier score of the
forecasts and of a constant forecast of the cases' own answer rate, three ways:

- one case at a time, nothing else known (a `forecast predict` per case);
- one case at a time with the analyst's recent facts: the earlier case it answers, if any (the
  reverse dyad within 30 days before it), and the analyst's word that nothing else happened;
- all cases as one batch in date order: each sees the earlier ones as known events.

Run from the repository root after `dvc repro` (the forecaster reads the pipeline's files).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.core.config import load_params
from forecast.predict import Forecaster, parse_incident

HORIZONS = (7, 30)
FIELDS = ("initiator", "target", "date", "action", "hostility", "target_kind")


def read_cases(path: Path) -> tuple[pd.DataFrame, list]:
    cases = pd.read_csv(path, dtype=str, keep_default_na=False)
    cases = cases.sort_values("date", kind="stable", ignore_index=True)
    incidents = [
        parse_incident({f: row[f] for f in FIELDS}, f"{path.name} row {i + 2}")
        for i, row in cases.iterrows()
    ]
    return cases, incidents


def answered_earlier_case(incidents: list, row: int) -> pd.Timestamp | None:
    """The latest earlier case by this case's target against its initiator within 30 days."""
    me = incidents[row]
    earlier = [
        other.date
        for other in incidents[:row]
        if other.initiator == me.target
        and other.target == me.initiator
        and 0 < (me.date - other.date).days <= 30
    ]
    return max(earlier) if earlier else None


def brier_table(cases: pd.DataFrame, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    days = pd.to_numeric(cases["answered_in_days"], errors="coerce")
    rows = []
    for column, horizon in enumerate(HORIZONS):
        y = (days <= horizon).to_numpy(dtype=float)
        rate = y.mean()
        row = {"horizon": horizon, "answered": rate, "constant": np.mean((rate - y) ** 2)}
        for name, p in forecasts.items():
            row[name] = np.mean((p[:, column] - y) ** 2)
            row[f"{name} mean p"] = p[:, column].mean()
        rows.append(row)
    return pd.DataFrame(rows).set_index("horizon")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", type=Path)
    args = parser.parse_args()
    cases, incidents = read_cases(args.cases)
    forecaster = Forecaster.load(load_params())

    def probabilities(forecasts: list) -> np.ndarray:
        return np.array([[f.horizons[h].p for h in HORIZONS] for f in forecasts])

    started = time.perf_counter()
    alone = probabilities([forecaster.predict(i) for i in incidents])
    with_facts = []
    for row, incident in enumerate(incidents):
        answers = answered_earlier_case(incidents, row)
        known = replace(incident, answers=answers, context_known=True)
        with_facts.append(forecaster.predict(known))
    context = probabilities(with_facts)
    batch = probabilities(forecaster.predict_many(incidents))
    seconds = time.perf_counter() - started
    table = brier_table(
        cases, {"alone": alone, "with recent facts": context, "batch in date order": batch}
    )
    print(forecaster.provenance.banner())
    print(f"{len(cases)} cases from {args.cases.name}, {seconds:.1f} s for all forecasts")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3))
    ages = [f.record.get("age_years") for f in with_facts]
    print(f"record ages: {min(ages):.1f} to {max(ages):.1f} years")


if __name__ == "__main__":
    main()
