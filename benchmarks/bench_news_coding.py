"""Precision and recall of the news coder over the fixture reports (and the real article).

Usage: python benchmarks/bench_news_coding.py [--cli-repeats 3]
Scores every report in tests/fixtures/news/ against gold.yaml there. When $FORECAST_DATA_DIR
holds news/iran_pakistan_strikes_2024-01.txt, that article is scored too, against the two
incidents its entry in the data README describes. Prints one line per measure and the time.

Then, when that article and a trained pipeline (data/processed/champions.pkl, from `dvc repro`)
are there, times `forecast predict --news ARTICLE --published 2024-01-18` in a cold process
(target: under 5 s for the coding and both forecasts); --cli-repeats 0 skips it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from forecast.core.paths import shared_data_dir
from forecast.news import code_file
from forecast.news.evaluation import SCORED_FIELDS, incident_values, score

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "news"
REAL_ARTICLE = "news/iran_pakistan_strikes_2024-01.txt"
# The data README's reading of the real article (its "careful human coder" paragraph).
REAL_GOLD: dict[str, Any] = {
    "published": dt.date(2024, 1, 18),
    "incidents": [
        {"initiator": "PAK", "target": "IRN", "date": dt.date(2024, 1, 18),
         "date_precision": "day", "action": "attack", "hostility": 4,
         "target_kind": "non_state", "fatalities_target": 9},
        {"initiator": "IRN", "target": "PAK", "date": dt.date(2024, 1, 16),
         "date_precision": "day", "action": "attack", "hostility": 4,
         "target_kind": "non_state"},
    ],
}  # fmt: skip


def articles() -> dict[Path, dict[str, Any]]:
    """Each report to score with its gold entry."""
    gold = yaml.safe_load((FIXTURES / "gold.yaml").read_text())
    found = {FIXTURES / name: entry for name, entry in sorted(gold.items())}
    folder = shared_data_dir()
    if folder is not None and (folder / REAL_ARTICLE).exists():
        found[folder / REAL_ARTICLE] = REAL_GOLD
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cli-repeats", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    proposed: list[dict[str, Any]] = []
    expected: list[dict[str, Any]] = []
    for path, entry in articles().items():
        result = code_file(path, entry["published"])
        proposed.extend(incident_values(incident) for incident in result.incidents)
        expected.extend(entry["incidents"])
    seconds = time.perf_counter() - started
    scores = score(proposed, expected)
    print(f"{len(articles())} reports, {len(expected)} gold incidents, {len(proposed)} proposed")
    print(f"{'measure':<22}{'precision':>10}{'recall':>10}   right/proposed/gold")
    for name in ("incidents", *SCORED_FIELDS):
        s = scores[name]
        print(
            f"{name:<22}{s.precision:>10.2f}{s.recall:>10.2f}   {s.right}/{s.proposed}/{s.expected}"
        )
    print(f"coding time: {seconds * 1000:.0f} ms for all reports (including loading the lexicon)")
    folder = shared_data_dir()
    bundle = Path("data/processed/champions.pkl")
    if args.cli_repeats and folder is not None and (folder / REAL_ARTICLE).exists():
        if bundle.exists():
            time_predict_news(folder / REAL_ARTICLE, args.cli_repeats)
        else:
            print(f"forecast predict --news not timed: no {bundle} (run dvc repro first)")


def time_predict_news(article: Path, repeats: int) -> None:
    """Wall time of the whole command in fresh processes, as an analyst runs it."""
    cli = Path(sys.executable).with_name("forecast")
    command = [str(cli), "predict", "--news", str(article), "--published", "2024-01-18"]
    seconds = []
    for _ in range(repeats):
        tick = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds.append(time.perf_counter() - tick)
    median = statistics.median(seconds)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    print(
        f"CLI `forecast predict --news` on the real article (cold process): median {median:.2f} s "
        f"over {repeats} runs ({runs}) (target < 5 s: {'met' if median < 5 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
