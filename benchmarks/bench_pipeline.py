"""Benchmark: the main job, `dvc repro`, from a fresh clone, stage by stage, wall and CPU seconds.

    python benchmarks/bench_pipeline.py                  # offline: the synthetic world
    python benchmarks/bench_pipeline.py --real           # $FORECAST_DATA_DIR (else ../shared/data)

Clones the repository's committed HEAD into --workdir (a temporary folder by default), runs
`dvc repro` there with that clone's own code, and reads the stage boundaries from dvc's
"Running stage" lines. The process tree (dvc, the `forecast` commands and their joblib
workers) is sampled every quarter second for CPU seconds (user + system), so "cores busy" says
how much of the two cores each stage used. Targets: offline 180 s, real 480 s (idle machine).
Prints one line per stage, the total and the load average before and after; writes nothing in
the repository.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_spark import TreeMemory  # noqa: E402  (the same process-tree sampler)

REPO = HERE.parent
TARGET_SECONDS = {"offline": 180.0, "real": 480.0}
STAGE_LINE = re.compile(r"Running stage '([\w-]+)'")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _environment(clone: Path, real: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FORECAST_DATA_DIR"}
    if real:
        data = os.environ.get("FORECAST_DATA_DIR", str(REPO.parent / "shared" / "data"))
        env["FORECAST_DATA_DIR"] = str(Path(data).resolve())
    # The clone's own code, whichever checkout the installed package points at.
    env["PYTHONPATH"] = str(clone / "src")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run(clone: Path, real: bool) -> list[tuple[str, float, float]]:
    """(stage, wall seconds, CPU seconds) for every stage `dvc repro` ran, in order."""
    child = subprocess.Popen(
        ["dvc", "repro"],
        cwd=clone,
        env=_environment(clone, real),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = TreeMemory(child.pid)
    sampler.start()
    marks: list[tuple[str, float, float]] = [("(dvc start)", time.perf_counter(), 0.0)]
    assert child.stdout is not None
    for line in child.stdout:
        found = STAGE_LINE.search(line)
        if found:
            marks.append((found.group(1), time.perf_counter(), sum(sampler.cpu.values())))
            print(f"  {found.group(1)} ...", flush=True)
    child.wait()
    sampler.done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"dvc repro failed (exit {child.returncode}) in {clone}")
    marks.append(("(end)", time.perf_counter(), sum(sampler.cpu.values())))
    return [
        (name, end - start, cpu_end - cpu_start)
        for (name, start, cpu_start), (_, end, cpu_end) in pairwise(marks)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="use the real data folder")
    parser.add_argument("--workdir", type=Path, help="where to clone (default: a temp folder)")
    args = parser.parse_args()
    kind = "real" if args.real else "offline"
    with tempfile.TemporaryDirectory() as scratch:
        clone = (args.workdir or Path(scratch)) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
        ).stdout.strip()
        print(f"dvc repro ({kind}) from a fresh clone of {head}; before: {_load()}")
        stages = run(clone, args.real)
    print(f"{'stage':<14}{'wall s':>9}{'CPU s':>9}{'cores busy':>12}")
    for name, wall, cpu in stages:
        print(f"{name:<14}{wall:9.1f}{cpu:9.1f}{cpu / wall if wall else 0:12.2f}")
    wall = sum(s[1] for s in stages)
    cpu = sum(s[2] for s in stages)
    target = TARGET_SECONDS[kind]
    verdict = "within" if wall <= target else "over"
    print(f"{'total':<14}{wall:9.1f}{cpu:9.1f}{cpu / wall:12.2f}")
    print(f"{kind} dvc repro: {wall:.1f} s ({verdict} the {target:.0f} s target); after: {_load()}")


if __name__ == "__main__":
    main()
