"""Benchmark: the full rolling-origin backtest of every model on the pipeline's episodes.

Run from the repository root after `forecast features build` on the real data
(FORECAST_DATA_DIR set, params.data.mode auto or real):

    python benchmarks/bench_backtest.py [--jobs 2] [--params params.yaml]

Target: all models, every origin, under 5 minutes on 2 cores. Prints the wall time, the fit
time per model summed over origins, and the headline scores; writes nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from forecast.core import tables
from forecast.core.config import load_params
from forecast.evaluation.backtest import data_provenance, headline, run_backtest

TARGET_SECONDS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args()

    params = load_params(args.params)
    episodes = tables.read("episodes")
    features = tables.read("features")
    print(data_provenance(episodes, features).banner())
    print(f"{len(episodes):,} triggers x {features.shape[1] - 1} features")

    started = time.perf_counter()
    result = run_backtest(episodes, features, params, progress=True, n_jobs=args.jobs)
    seconds = time.perf_counter() - started

    for name, fit_seconds in sorted(result.fit_seconds.items(), key=lambda item: -item[1]):
        print(f"  {name:<18} {fit_seconds:8.1f} s fitting (summed over origins)")
    verdict = "within" if seconds <= TARGET_SECONDS else "over"
    print(headline(result, params))
    print(f"full backtest: {seconds:.1f} s with {args.jobs} jobs ({verdict} the 300 s target)")


if __name__ == "__main__":
    main()
