"""Benchmark episodes + features at 10^6 and 10^7 synthetic events, and against the oracle.

Targets (issue 3): episodes and features for 10 million events in under 120 s and under 8 GiB
on 2 cores, time growing no faster than n log n. As in the DVC pipeline, each stage runs in its
own fresh process (reading the Parquet files of the stage before), so each peak resident memory
is that stage's own; times exclude Parquet reading and writing. The speed ratio
against the plain per-trigger reference (tests/reference_features.py) is measured on about
20,000 events, extrapolating the reference from a sample of triggers.

    python benchmarks/bench_features.py [--sizes 1000000 10000000] [--oracle-events 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

SEED = 20240116
REPO = Path(__file__).resolve().parents[1]


def synthetic_incidents(n_events: int, seed: int = SEED) -> pd.DataFrame:
    """Canonical incidents from the synthetic process (ids and disputes from its clusters)."""
    from forecast.core.contracts import conform
    from forecast.sources.synthetic.generate import generate_events

    events = generate_events(n_events, seed)
    n = len(events)
    fatal = events["fatal_on_target"].to_numpy()
    return conform(
        pd.DataFrame(
            {
                "incident_id": pd.Series(np.arange(n).astype(str), dtype="string").radd("syn-"),
                "source": "synthetic",
                "date": events["day"].astype("datetime64[ns]"),
                "date_precision": "day",
                "initiator": events["initiator"],
                "target": events["target"],
                "action": events["action"].astype(str),
                "hostility": events["hostility"].astype("int64"),
                "directed": events["directed"],
                "fatalities_target": pd.array(np.where(fatal, 1.0, 0.0), dtype="Float64"),
                "dispute_id": pd.Series(events["cluster"].astype(str), dtype="string"),
                "target_kind": "state",
            }
        )
    )


def _write(n_events: int, path: str) -> int:
    incidents = synthetic_incidents(n_events)
    incidents.to_parquet(path, index=False)
    return len(incidents)


def _prefer_me_if_memory_runs_out() -> None:
    """On a shared machine, let the kernel stop this benchmark before anyone else's work."""
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")


def _cpu_seconds() -> float:
    """User + system CPU time of this process: unlike wall time, not inflated by other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _episodes_stage(incidents_path: str, episodes_path: str) -> dict[str, float]:
    """The `episodes` stage in its own process: read incidents, build, write episodes."""
    from forecast.core.config import EpisodeParams
    from forecast.episodes import build_episodes

    _prefer_me_if_memory_runs_out()
    incidents = pd.read_parquet(incidents_path)
    started, cpu = time.perf_counter(), _cpu_seconds()
    episodes = build_episodes(incidents, EpisodeParams())
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    episodes.to_parquet(episodes_path, index=False)
    return {
        "events": len(incidents),
        "triggers": len(episodes),
        "seconds": seconds,
        "cpu": cpu,
        "peak_gib": _peak_gib(),
    }


def _features_stage(incidents_path: str, episodes_path: str) -> dict[str, float]:
    """The `features` stage in its own process: force events, trigger columns, features."""
    from forecast.core.config import EpisodeParams, FeatureParams
    from forecast.episodes import force_events
    from forecast.features.computation import TRIGGER_COLUMNS, build_features

    _prefer_me_if_memory_runs_out()
    incidents = pd.read_parquet(incidents_path)
    triggers = pd.read_parquet(episodes_path, columns=[*TRIGGER_COLUMNS, "target_kind"])
    started, cpu = time.perf_counter(), _cpu_seconds()
    events = force_events(incidents)
    del incidents
    features = build_features(triggers, events, None, FeatureParams(), EpisodeParams().horizons)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {
        "features": features.shape[1] - 1,
        "seconds": seconds,
        "cpu": cpu,
        "peak_gib": _peak_gib(),
    }


def _alone(task, *args):  # type: ignore[no-untyped-def]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(task, args)


def oracle_ratio(n_events: int, sample: int = 200) -> tuple[float, float, int]:
    """(columnar seconds, extrapolated reference seconds, triggers) on a random table."""
    sys.path.insert(0, str(REPO))
    from forecast.core.config import EpisodeParams, FeatureParams
    from forecast.episodes import build_episodes, force_events
    from forecast.features.computation import build_features
    from tests.reference_features import random_incidents, reference_features

    incidents = random_incidents(n_events, seed=7, n_states=20, years=30)
    params = EpisodeParams()
    episodes = build_episodes(incidents, params)
    events = force_events(incidents)
    started = time.perf_counter()
    build_features(episodes, events, None, FeatureParams(), params.horizons)
    fast = time.perf_counter() - started
    chosen = episodes.sample(sample, random_state=np.random.default_rng(7))
    started = time.perf_counter()
    reference_features(chosen, events, FeatureParams(), params.horizons)
    reference = (time.perf_counter() - started) * len(episodes) / sample
    return fast, reference, len(episodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--oracle-events", type=int, default=20_000)
    parser.add_argument(
        "--workdir", help="folder for the generated tables, reused when already there"
    )
    args = parser.parse_args()
    console = Console()
    console.print("DATA: SYNTHETIC (generated by the benchmark, not real events)", style="bold")
    table = Table(title="episodes + features")
    columns = ("events", "triggers", "episodes s", "features s", "total s", "total CPU s")
    for column in (*columns, "episodes peak GiB", "features peak GiB"):
        table.add_column(column, justify="right")
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or scratch
        for size in args.sizes:
            path = str(Path(folder) / f"incidents_{size}.parquet")
            if not Path(path).exists():
                with console.status(f"generating about {size:,} synthetic events"):
                    _alone(_write, size, path)
            episodes_path = str(Path(folder) / f"episodes_{size}.parquet")
            with console.status(f"episodes stage for {size:,} events"):
                episodes = _alone(_episodes_stage, path, episodes_path)
            with console.status(f"features stage for {size:,} events"):
                features = _alone(_features_stage, path, episodes_path)
            result = {
                "events": episodes["events"],
                "triggers": episodes["triggers"],
                "episodes_seconds": episodes["seconds"],
                "features_seconds": features["seconds"],
                "seconds": episodes["seconds"] + features["seconds"],
                "cpu": episodes["cpu"] + features["cpu"],
                "peak_gib": max(episodes["peak_gib"], features["peak_gib"]),
                "episodes_peak_gib": episodes["peak_gib"],
                "features_peak_gib": features["peak_gib"],
            }
            results.append(result)
            row = [
                f"{result['events']:,}",
                f"{result['triggers']:,}",
                f"{result['episodes_seconds']:.1f}",
                f"{result['features_seconds']:.1f}",
                f"{result['seconds']:.1f}",
                f"{result['cpu']:.1f}",
                f"{result['episodes_peak_gib']:.2f}",
                f"{result['features_peak_gib']:.2f}",
            ]
            table.add_row(*row)
            console.print(" | ".join(row), highlight=False)
    console.print(table)
    console.print(
        f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        n_ratio = large["events"] / small["events"]
        nlogn = n_ratio * math.log(large["events"]) / math.log(small["events"])
        for measure, label in (("seconds", "wall time"), ("cpu", "CPU time")):
            console.print(
                f"growth: {label} x{large[measure] / small[measure]:.1f} for events "
                f"x{n_ratio:.1f} (n log n would be x{nlogn:.1f})"
            )
    with console.status(f"reference implementation on {args.oracle_events:,} events"):
        fast, reference, triggers = _alone(oracle_ratio, args.oracle_events)
    console.print(
        f"oracle: {triggers:,} triggers from {args.oracle_events:,} events: features "
        f"{fast:.2f} s columnar vs about {reference:.0f} s per-trigger reference "
        f"(x{reference / fast:.0f} faster)"
    )


if __name__ == "__main__":
    main()
