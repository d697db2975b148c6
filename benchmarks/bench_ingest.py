"""Time the MIE adapter on the real file (target: under 5 s) and a full real-data ingest.

Run from the project root with FORECAST_DATA_DIR set, e.g.
    FORECAST_DATA_DIR=../shared/data python benchmarks/bench_ingest.py
Prints figures; it is a script, not a test.
"""

from __future__ import annotations

import statistics
import sys
import time

from forecast.core.config import load_params
from forecast.core.paths import shared_data_dir
from forecast.sources.mie import read_mie
from forecast.stages.ingest import run_ingest

REPEATS = 5
MIE_TARGET_SECONDS = 5.0


def main() -> int:
    folder = shared_data_dir()
    if folder is None or not (folder / "mie_events_v1.0.csv").exists():
        print("set FORECAST_DATA_DIR to the folder holding mie_events_v1.0.csv")
        return 1
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = read_mie(folder / "mie_events_v1.0.csv")
        timings.append(time.perf_counter() - start)
    best, median = min(timings), statistics.median(timings)
    verdict = "meets" if median < MIE_TARGET_SECONDS else "MISSES"
    print(
        f"MIE ingest: {result.rows_read:,} rows -> {len(result.incidents):,} incidents, "
        f"{result.rows_quarantined:,} quarantined; median {median:.2f} s, best {best:.2f} s "
        f"over {REPEATS} runs ({verdict} the {MIE_TARGET_SECONDS:.0f} s target)"
    )
    start = time.perf_counter()
    report = run_ingest(load_params())
    elapsed = time.perf_counter() - start
    counts = ", ".join(f"{r.source} {len(r.incidents):,}" for r in report.results)
    print(
        f"full ingest ({counts}; covariates {len(report.covariates):,} dyad-years): {elapsed:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
