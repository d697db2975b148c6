"""The Spark benchmark's large inputs: generated in parts, they must still be one valid table."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_spark import write_incidents_in_parts

from forecast.core.schemas import INCIDENT_SCHEMA


def test_parts_make_one_table_with_unique_ids(tmp_path: Path) -> None:
    path = tmp_path / "incidents.parquet"
    write_incidents_in_parts(3_000, path, part_size=1_000)
    incidents = pd.read_parquet(path)
    INCIDENT_SCHEMA.validate(incidents)
    assert incidents["incident_id"].is_unique
    prefixes = incidents["incident_id"].str.split("-").str[0]
    assert sorted(prefixes.unique()) == ["p0", "p1", "p2"]
    assert incidents["dispute_id"].str.startswith(tuple(f"p{i}-" for i in range(3))).all()
    # Each part is its own run of the process, so the parts differ.
    first, second = (incidents[prefixes == p] for p in ("p0", "p1"))
    assert not first["date"].reset_index(drop=True).equals(second["date"].reset_index(drop=True))
    assert [p.name for p in tmp_path.iterdir()] == ["incidents.parquet"]


def test_one_part_keeps_the_single_run_ids(tmp_path: Path) -> None:
    path = tmp_path / "incidents.parquet"
    write_incidents_in_parts(1_000, path, part_size=1_000)
    incidents = pd.read_parquet(path)
    assert incidents["incident_id"].str.startswith("syn-").all()
