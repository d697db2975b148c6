"""Score the served forecaster on the ICEWS 2018 and 2021 slices, a test set from after 2014.

Usage: python scripts/score_feeds.py PROJECT_DIR [--data-dir DIR] [--feeds NAME ...]
                                     [--replicates N] [--seed N]

PROJECT_DIR is a finished real pipeline run; its forecaster (`Forecaster.load`) knows that its
record ends in 2014 and serves the record-aware logit of each incident's record age. Each feed
slice (data/feeds/<name>.yaml, its files under --data-dir or $FORECAST_DATA_DIR) is reduced as
ingest reduces it; its uses of force become triggers, one per directed dyad-day, labelled from
the same slice (`forecast.evaluation.out_of_era`: distinct answers only, windows past the
slice's end censored). The feed's events never enter the forecaster's history: every trigger
is forecast as a user would type it (crisis unknown, no context), in batches of one day,
because `predict_many` adds a batch's earlier incidents to the history it reads.

Prints, per slice, class (all, opening, answer) and horizon (7 and 30 days), a markdown table:
n, dyads, observed rate, mean forecast, Brier score and ROC AUC with 90 % dyad-bootstrap
intervals, and the Brier score of a constant forecast at MIE's limited-force answered share
(from the run's episodes). Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from forecast.core import tables
from forecast.core.config import DataParams
from forecast.core.errors import ForecastError
from forecast.core.paths import DATA_DIR_ENV
from forecast.episodes import label_column
from forecast.evaluation.out_of_era import (
    ANSWER,
    CLASS_WINDOW_DAYS,
    OPENING,
    label_slice,
    score_block,
)
from forecast.predict.forecaster import Forecaster
from forecast.predict.incident import Incident
from forecast.sources.feeds import load_feed_spec, read_feed

REPO = Path(__file__).resolve().parents[1]
FEED_SPECS = REPO / "data" / "feeds"
DEFAULT_FEEDS = ("icews18", "icews21")
HORIZONS = (7, 30)
CLASSES = ("all", OPENING, ANSWER)
# What a finished run must hold for `Forecaster.load` and the MIE reference.
RUN_FILES = ("params.yaml", "data/processed/episodes.parquet", "metrics/train.json")


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line, not a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SystemExit(f"{self.prog}: {message} (see --help)")


def read_slice(name: str, data_dir: Path) -> tuple[pd.DataFrame, tuple[date, date]]:
    """A slice's incidents, reduced as ingest reduces it, and its one coverage window."""
    spec_file = FEED_SPECS / f"{name}.yaml"
    if not spec_file.is_file():
        known = ", ".join(sorted(p.stem for p in FEED_SPECS.glob("*.yaml")))
        raise ForecastError(f"unknown feed {name!r}: no {spec_file}; known: {known}")
    spec = load_feed_spec(spec_file)
    path = data_dir / spec.file
    if not path.exists():
        raise ForecastError(f"feed {name}: {path} not found (check --data-dir / ${DATA_DIR_ENV})")
    labels = str(data_dir / spec.labels) if spec.labels else None
    result = read_feed(spec.model_copy(update={"labels": labels}), DataParams(), path=path)
    windows = result.coverage.windows or ()
    if len(windows) != 1:
        # Labels need a window watched end to end; an outage would leave days unknown.
        raise ForecastError(f"feed {name}: expected one coverage window, found {len(windows)}")
    return result.incidents, windows[0]


def mie_reference(root: Path, horizons: tuple[int, ...]) -> dict[int, tuple[float, int]]:
    """MIE's limited-force answered share within each horizon, and its n (run's episodes)."""
    episodes = tables.read("episodes", root)
    limited = episodes[(episodes["source"] == "mie") & episodes["limited_force"].astype(bool)]
    rates = {}
    for horizon in horizons:
        label = limited[label_column(horizon)].dropna().astype(bool)
        rates[horizon] = (float(label.mean()), len(label))
    return rates


def forecast_triggers(
    forecaster: Forecaster, triggers: pd.DataFrame, name: str
) -> tuple[pd.DataFrame, Counter]:
    """Each trigger's served probabilities, one `predict_many` call per day.

    One day per batch keeps the feed out of the history: `predict_many` adds only a batch's
    incidents dated before its last day. Returns p_<H> per trigger (in `triggers`' order) and
    how many forecasts each served model made.
    """
    incidents = [
        Incident(
            initiator=int(row.initiator),
            target=int(row.target),
            date=row.date,
            action=str(row.action),
            hostility=int(row.hostility),
            target_kind=str(row.target_kind),
            incident_id=str(row.trigger_id),
        )
        for row in triggers.itertuples(index=False)
    ]
    probabilities = np.full((len(triggers), len(forecaster.horizons)), np.nan)
    served: Counter = Counter()
    day_rows = triggers.groupby("date", sort=True).indices
    with tqdm(total=len(triggers), desc=name, unit="trigger", file=sys.stderr) as bar:
        for rows in day_rows.values():
            forecasts = forecaster.predict_many([incidents[i] for i in rows])
            probabilities[rows] = [
                [f.horizons[h].p for h in forecaster.horizons] for f in forecasts
            ]
            served.update(_served_model(f.record) for f in forecasts)
            bar.update(len(rows))
    columns = [f"p_{h}" for h in forecaster.horizons]
    return pd.DataFrame(probabilities, columns=columns, index=triggers.index), served


def _served_model(record: dict | None) -> str:
    if not record:
        return "champion (record reaches the incident)"
    context = " with context" if record.get("context") else ""
    return (
        f"{record['model']}{context}, {record['band_years']}-year {record.get('kind') or 'band'}, "
        f"record to {record['record_end']}"
    )


def score_slice(
    labelled: pd.DataFrame,
    forecasts: pd.DataFrame,
    reference: dict[int, tuple[float, int]],
    replicates: int,
    seed: int,
) -> list[dict[str, object]]:
    """One score block per class and horizon."""
    blocks = []
    for cls in CLASSES:
        in_class = (
            np.ones(len(labelled), bool)
            if cls == "all"
            else labelled["exchange_class"].eq(cls).fillna(False).to_numpy(bool)
        )
        for horizon in HORIZONS:
            label = labelled[label_column(horizon)]
            chosen = in_class & label.notna().to_numpy(bool)
            scores = score_block(
                forecasts[f"p_{horizon}"].to_numpy(float)[chosen],
                label[chosen].astype(bool).to_numpy(float),
                labelled["initiator"].to_numpy()[chosen],
                labelled["target"].to_numpy()[chosen],
                reference[horizon][0],
                replicates=replicates,
                seed=seed,
            )
            blocks.append({"class": cls, "horizon": horizon, **scores})
    return blocks


def _number(value: object, digits: int = 2) -> str:
    return "n/a" if value is None or not np.isfinite(float(value)) else f"{float(value):.{digits}f}"


def _with_interval(value: object, interval: object, digits: int = 2) -> str:
    text = _number(value, digits)
    if text == "n/a" or not interval:
        return text
    low, high = interval  # type: ignore[misc]
    return f"{text} ({low:.{digits}f} to {high:.{digits}f})"


def markdown_table(rows: list[dict[str, object]]) -> str:
    header = (
        "| slice | class | H | n | dyads | observed (90 %) | mean forecast | Brier (90 %) | "
        "Brier, MIE constant | skill vs constant (90 %) | ROC AUC (90 %) |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in rows:
        if not row["n"]:
            lines.append(f"| {row['slice']} | {row['class']} | {row['horizon']} d | 0 |" + " |" * 7)
            continue
        lines.append(
            f"| {row['slice']} | {row['class']} | {row['horizon']} d | {row['n']:,} | "
            f"{row['dyads']} | {_with_interval(row['observed'], row.get('observed_ci90'))} | "
            f"{_number(row['mean_forecast'])} | "
            f"{_with_interval(row['brier'], row.get('brier_ci90'), 3)} | "
            f"{_number(row['brier_constant'], 3)} | "
            f"{_with_interval(row['bss_constant'], row.get('bss_constant_ci90'))} | "
            f"{_with_interval(row['roc_auc'], row.get('roc_auc_ci90'))} |"
        )
    return "\n".join(lines)


def check_run(root: Path) -> None:
    if not root.is_dir():
        raise ForecastError(f"{root}: no such project folder")
    missing = [name for name in RUN_FILES if not (root / name).is_file()]
    if missing:
        raise ForecastError(
            f"{root} is not a finished pipeline run: {', '.join(missing)} missing "
            "(run `dvc repro` there with the real data)"
        )


def run(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    load_start = os.getloadavg()[0]
    root = args.project_dir.resolve()
    check_run(root)
    data_dir = args.data_dir or (
        Path(os.environ[DATA_DIR_ENV]) if os.environ.get(DATA_DIR_ENV) else None
    )
    if data_dir is None or not data_dir.is_dir():
        raise ForecastError(
            f"data folder {data_dir or '(none)'} not found: give --data-dir or set {DATA_DIR_ENV}"
        )
    slices = {name: read_slice(name, data_dir) for name in args.feeds}
    forecaster = Forecaster.load(root=root)
    if forecaster.record.models is None:
        raise ForecastError(f"{root}: the run holds no record-age models (run its train stage)")
    reference = mie_reference(root, HORIZONS)

    rows: list[dict[str, object]] = []
    notes = []
    for name, (incidents, window) in slices.items():
        labelled = label_slice(incidents, window, HORIZONS)
        forecasts, served = forecast_triggers(forecaster, labelled, name)
        for block in score_slice(labelled, forecasts, reference, args.replicates, args.seed):
            rows.append({"slice": name, **block})
        classes = labelled["exchange_class"].value_counts().to_dict()
        notes.append(
            f"- {name}: {window[0]} to {window[1]}; {len(labelled):,} triggers (directed dyad-days "
            f"of force, {int(labelled['limited_force'].sum()):,} of limited force) in "
            f"{labelled[['initiator', 'target']].drop_duplicates().shape[0]} directed dyads; "
            f"classed {classes.get(OPENING, 0):,} opening / {classes.get(ANSWER, 0):,} answer; "
            f"served by {', '.join(f'{model} ({n:,})' for model, n in served.most_common())}"
        )

    print(f"Served forecaster: {root} (models from its {forecaster.model_source})")
    print(
        "MIE constant (limited force answered within H, the run's episodes): "
        + "; ".join(f"{h} d {rate:.3f} (n = {n:,})" for h, (rate, n) in reference.items())
    )
    print("\n".join(notes))
    print(
        f"Labels: answered when the target used force against the initiator 1 to H days later "
        f"in the slice, a next-day reverse dyad-day holding only the trigger day's actions "
        f"counting as the same clash; windows past the slice's end censored. Classes need "
        f"{CLASS_WINDOW_DAYS} days of slice before the trigger. Intervals: 90 %, "
        f"{args.replicates} dyad-bootstrap draws (seed {args.seed}), undirected dyads.\n"
    )
    print(markdown_table(rows))
    print(
        f"\n{time.perf_counter() - began:.0f} s; 1-minute load average "
        f"{load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = _OneLineParser(prog="score_feeds.py", description=__doc__.splitlines()[0])
    parser.add_argument("project_dir", type=Path, help="a finished real pipeline run")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help=f"the shared data folder (else ${DATA_DIR_ENV})"
    )
    parser.add_argument("--feeds", nargs="+", default=list(DEFAULT_FEEDS), metavar="NAME")
    parser.add_argument("--replicates", type=int, default=200, help="dyad-bootstrap draws")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.replicates < 0:
        parser.error("--replicates must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        run(args)
    except (ForecastError, OSError, ValueError) as exc:
        message = str(exc).strip().splitlines()
        print(f"score_feeds.py: {message[0] if message else type(exc).__name__}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("score_feeds.py: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
