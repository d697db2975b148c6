"""Add threats and displays of force (hostility 2-3) before each trigger as features, for a
backtest that asks whether they help the timing models rank "how soon".

Usage: python scripts/signal_history_experiment.py RUN_DIR [--windows 30 365]

RUN_DIR is a copy of a finished pipeline run (its data/interim/incidents.parquet and
data/processed/episodes.parquet and features.parquet). For each trigger (initiator i, target j,
day t) and window W, four counts of the model sources' hostility 2-3 events are added to
RUN_DIR/data/processed/features.parquet, which is overwritten:
`signals_target_{W}d` (j against i) and `signals_initiator_{W}d` (i against j) in [t - W, t - 1].
A month-dated event counts only when its whole month lies in the window, so nothing on or after
the trigger's day is read. Then `forecast backtest --no-track` in RUN_DIR scores the models with
them (models read every numeric feature column). The pipeline's own features are unchanged:
this is an experiment on a copy (docs/models.md, "A cure model and the booster's settings").
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.as_of.evidence import SIGNAL_HOSTILITY, EventWindows, dated_events
from forecast.core.config import load_params
from forecast.episodes import day_numbers, dyad_codes, history_incidents


def signal_history(
    incidents: pd.DataFrame, episodes: pd.DataFrame, windows: list[int]
) -> pd.DataFrame:
    """`episode_id` and the four counts per window for every trigger of `episodes`."""
    signals = incidents[incidents["hostility"].isin(SIGNAL_HOSTILITY).to_numpy(dtype=bool)]
    counter = EventWindows(*dated_events(signals, "initiator", "target"))
    initiator = episodes["initiator"].to_numpy(np.int64)
    target = episodes["target"].to_numpy(np.int64)
    day = day_numbers(episodes["date"])
    columns: dict[str, np.ndarray] = {"episode_id": episodes["episode_id"].to_numpy()}
    for window in windows:
        # (t - W - 1, t - 1]: the W days before the trigger's day.
        start, end = day - window - 1, day - 1
        columns[f"signals_target_{window}d"] = counter.count(
            dyad_codes(target, initiator), start, end
        ).astype(float)
        columns[f"signals_initiator_{window}d"] = counter.count(
            dyad_codes(initiator, target), start, end
        ).astype(float)
    return pd.DataFrame(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--windows", type=int, nargs="+", default=[30, 365])
    args = parser.parse_args()
    processed = args.run_dir / "data" / "processed"
    params = load_params(args.run_dir / "params.yaml")
    incidents = history_incidents(
        pd.read_parquet(args.run_dir / "data" / "interim" / "incidents.parquet"), params.data
    )
    episodes = pd.read_parquet(processed / "episodes.parquet")
    features = pd.read_parquet(processed / "features.parquet")
    added = signal_history(incidents, episodes, args.windows)
    merged = features.merge(added, on="episode_id", how="left", validate="one_to_one")
    merged.attrs = features.attrs
    merged.to_parquet(processed / "features.parquet")
    for column in added.columns[1:]:
        share = float((added[column] > 0).mean())
        print(f"{column}: {share:.1%} of {len(added):,} triggers have one or more")


if __name__ == "__main__":
    main()
