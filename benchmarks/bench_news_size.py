"""How the news coder's time grows with the size of a report, and how many it codes a second.

Usage: python benchmarks/bench_news_size.py [--sizes 100000 1000000] [--repeats 1] [--reports 100]
Builds reports of each size (bytes) by repeating a seed report: the real article in
$FORECAST_DATA_DIR/news/ when it is there, else tests/fixtures/news/three_incidents.txt. Each
size is coded twice, laid out as the seed's lines repeated and as one long line (a report pasted
without line breaks), with `code_file` in this process after the lexicon is loaded. Prints the
wall and CPU seconds for each, the ratio of each size to the smallest (linear time gives the
ratio of the sizes) and the load average, since the machine may be shared. Then codes --reports
reports of about 3 KB (the seed cut or repeated to 3,000 bytes) one after another in this
process and prints how many a second (target: 100).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from forecast.core.paths import shared_data_dir
from forecast.news import code_article, code_file

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "news"
REAL_ARTICLE = "news/iran_pakistan_strikes_2024-01.txt"
REPORT_BYTES = 3_000


def seed() -> tuple[Path, dt.date]:
    """The report to repeat, and its publication date."""
    folder = shared_data_dir()
    if folder is not None and (folder / REAL_ARTICLE).exists():
        return folder / REAL_ARTICLE, dt.date(2024, 1, 18)
    return FIXTURES / "three_incidents.txt", dt.date(2025, 5, 9)


def build(text: str, size: int, one_line: bool) -> str:
    """`text` repeated to at least `size` bytes, as its own lines or joined into one line."""
    lines = text.strip().splitlines()
    repeats = size // len(text.encode()) + 1
    return (" " if one_line else "\n").join(lines * repeats) + "\n"


def seconds_to_code(path: Path, published: dt.date, repeats: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of coding the file, and how many incidents it gave.

    CPU time is printed too because on a shared machine the wall time also counts the waits.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        tick, tock = time.perf_counter(), time.process_time()
        result = code_file(path, published)
        wall.append(time.perf_counter() - tick)
        cpu.append(time.process_time() - tock)
    return statistics.median(wall), statistics.median(cpu), len(result.incidents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--reports", type=int, default=100, help="reports of about 3 KB")
    args = parser.parse_args()
    source, published = seed()
    text = source.read_text(encoding="utf-8")
    code_file(source, published)  # loads the lexicon and gazetteer, which is not what is timed
    print(f"seed: {source.name} ({len(text.encode()):,} bytes), load average at start: {load()}")
    with tempfile.TemporaryDirectory() as folder:
        for layout, one_line in (("many lines", False), ("one line", True)):
            first: float | None = None
            for size in sorted(args.sizes):
                path = Path(folder) / f"report_{size}.txt"
                path.write_text(build(text, size, one_line), encoding="utf-8")
                seconds, cpu, incidents = seconds_to_code(path, published, args.repeats)
                first = first or seconds
                print(
                    f"{layout:<10} {path.stat().st_size:>10,} bytes: {seconds:7.2f} s "
                    f"(x{seconds / first:.1f} of the smallest; CPU {cpu:.2f} s), "
                    f"{incidents} incident(s)",
                    flush=True,
                )
    print(reports_a_second(text, published, args.reports))
    print(f"load average at end: {load()}")


def reports_a_second(text: str, published: dt.date, count: int) -> str:
    """Code `count` reports of about 3 KB in a row, as a feed of wire reports arrives."""
    report = build(text, REPORT_BYTES, one_line=False)[:REPORT_BYTES]
    tick, tock = time.perf_counter(), time.process_time()
    for _ in range(count):
        code_article(report, published)
    wall, cpu = time.perf_counter() - tick, time.process_time() - tock
    verdict = "met" if count / wall >= 100 else "NOT met"
    return (
        f"{count} reports of {len(report.encode()):,} bytes: {wall:.2f} s (CPU {cpu:.2f} s), "
        f"{count / wall:.0f} reports a second (target 100: {verdict})"
    )


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
