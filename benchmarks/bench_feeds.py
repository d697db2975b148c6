"""Event-feed reduction at scale, on files generated on the fly in a temporary folder.

1. ICEWS native layout, 1,000,000 rows: read and reduced to incidents (target: under 30 s on
   2 cores).
2. GDELT 2.0 export layout, 10,000,000 rows (61 columns): read and reduced, with time and peak
   memory (the resident set of the process that reduces, measured apart from generation).

Run from the project root:  nice python benchmarks/bench_feeds.py [--icews-rows N] [--gdelt-rows N]
Prints figures with the machine load; it is a script, not a test. The generated files are
deleted afterwards and never committed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.core.config import DataParams, FeedParams
from forecast.sources.feeds import read_feed
from forecast.sources.gdelt import COLUMNS as GDELT_COLUMNS
from forecast.sources.icews import COLUMNS as ICEWS_COLUMNS

ICEWS_TARGET_SECONDS = 30.0
SEED = 20240116
COUNTRIES = [
    "Israel",
    "Syria",
    "India",
    "Pakistan",
    "Iran",
    "Iraq",
    "China",
    "Japan",
    "Russian Federation",
    "Ukraine",
    "United States",
    "Turkey",
    "Armenia",
    "Azerbaijan",
]
SECTORS = ["Military", "Government", "Police", "Citizen", "Militant", "Armed Rebel", "Protester"]
# Mostly cooperative and verbal codes, as in the real feeds (about 7 % are mapped codes).
CODES = [
    "010",
    "020",
    "036",
    "040",
    "042",
    "043",
    "051",
    "057",
    "111",
    "112",
    "173",
    "190",
    "193",
    "194",
    "195",
    "138",
    "1384",
    "154",
    "180",
    "182",
]
CODE_WEIGHTS = np.array([14, 12, 10, 14, 8, 8, 8, 6, 6, 5, 2, 1.5, 1, 1, 1, 0.5, 0.5, 0.5, 1, 0.5])
ISO3 = ["ISR", "SYR", "IND", "PAK", "IRN", "IRQ", "CHN", "JPN", "RUS", "UKR", "USA", "TUR"]
TYPES = ["", "", "GOV", "MIL", "REB", "CVL", "COP"]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def write_icews(path: Path, rows: int) -> None:
    """A native-layout file: actors drawn from countries and their sectors, dates over 2018."""
    rng = np.random.default_rng(SEED)
    names = np.array(COUNTRIES + [f"{s} ({c})" for s in SECTORS for c in COUNTRIES], dtype=object)
    days = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    frame = pd.DataFrame(
        {
            "Event ID": np.arange(rows),
            "Event Date": days.strftime("%Y-%m-%d"),
            "Source Name": names[rng.integers(0, len(names), rows)],
            "Source Sectors": "NA",
            "Source Country": "NA",
            "Event Text": "NA",
            "CAMEO Code": np.array(CODES)[
                rng.choice(len(CODES), rows, p=CODE_WEIGHTS / CODE_WEIGHTS.sum())
            ],
            "Intensity": "-10",
            "Target Name": names[rng.integers(0, len(names), rows)],
            "Target Sectors": "NA",
            "Target Country": "NA",
        }
    )
    assert set(ICEWS_COLUMNS) <= set(frame.columns)
    frame.to_csv(path, sep="\t", index=False)


def write_gdelt(path: Path, rows: int, chunk: int = 100_000) -> None:
    """A 61-column export: one generated chunk written once per day with that day's date."""
    rng = np.random.default_rng(SEED)
    n = min(rows, chunk)
    country1, country2 = rng.integers(0, len(ISO3), n), rng.integers(0, len(ISO3), n)
    type1, type2 = rng.integers(0, len(TYPES), n), rng.integers(0, len(TYPES), n)
    iso, kinds = np.array(ISO3, dtype=object), np.array(TYPES, dtype=object)
    frame = pd.DataFrame({c: "" for c in GDELT_COLUMNS}, index=range(n))
    frame["GLOBALEVENTID"] = np.arange(n)
    frame["SQLDATE"] = "@DAY@"
    frame["Actor1CountryCode"], frame["Actor2CountryCode"] = iso[country1], iso[country2]
    frame["Actor1Type1Code"], frame["Actor2Type1Code"] = kinds[type1], kinds[type2]
    frame["Actor1Code"] = iso[country1] + kinds[type1]
    frame["Actor2Code"] = iso[country2] + kinds[type2]
    frame["EventCode"] = np.array(CODES)[
        rng.choice(len(CODES), n, p=CODE_WEIGHTS / CODE_WEIGHTS.sum())
    ]
    frame["SOURCEURL"] = "https://example.org/story"
    text = frame.to_csv(sep="\t", index=False, header=False)
    with path.open("w") as handle:
        written, day = 0, pd.Timestamp("2018-01-01")
        while written < rows:
            take = min(n, rows - written)
            block = text if take == n else "".join(text.splitlines(keepends=True)[:take])
            handle.write(block.replace("@DAY@", day.strftime("%Y%m%d")))
            written, day = written + take, day + pd.Timedelta(days=1)


def reduce_in_this_process(fmt: str, path: Path) -> None:
    """Read and reduce one file; print rows, incidents, seconds and peak resident memory."""
    start = time.perf_counter()
    feed = FeedParams(name="bench", format=fmt, file=str(path))  # type: ignore[arg-type]
    result = read_feed(feed, DataParams())
    seconds = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    assert result.rows_kept + result.rows_quarantined == result.rows_read
    counts = f"{result.rows_read} {result.rows_kept} {len(result.incidents)}"
    print(f"{counts} {seconds:.2f} {peak_gib:.2f}")


def measure(fmt: str, path: Path) -> tuple[int, int, int, float, float]:
    """Reduce in a fresh process so that its peak memory is the reduction's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--reduce", fmt, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rows, kept, incidents = (int(v) for v in out[:3])
    return rows, kept, incidents, float(out[3]), float(out[4])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--icews-rows", type=int, default=1_000_000)
    parser.add_argument("--gdelt-rows", type=int, default=10_000_000)
    parser.add_argument("--reduce", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reduce:
        reduce_in_this_process(args.reduce[0], Path(args.reduce[1]))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as folder:
        if args.icews_rows:
            path = Path(folder) / "events.2018.bench.tab"
            write_icews(path, args.icews_rows)
            rows, kept, incidents, seconds, peak = measure("icews", path)
            verdict = "meets" if seconds < ICEWS_TARGET_SECONDS else "MISSES"
            print(
                f"ICEWS native layout: {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) read and "
                f"reduced to {incidents:,} incidents from {kept:,} kept rows in {seconds:.1f} s, "
                f"peak {peak:.2f} GiB ({verdict} the {ICEWS_TARGET_SECONDS:.0f} s target); "
                f"{_load()}"
            )
            path.unlink()
        if args.gdelt_rows:
            path = Path(folder) / "bench.export.CSV"
            write_gdelt(path, args.gdelt_rows)
            rows, kept, incidents, seconds, peak = measure("gdelt", path)
            print(
                f"GDELT 2.0 layout: {rows:,} rows ({path.stat().st_size / 1e9:.2f} GB) read and "
                f"reduced to {incidents:,} incidents from {kept:,} kept rows in {seconds:.1f} s, "
                f"peak {peak:.2f} GiB; {_load()}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
