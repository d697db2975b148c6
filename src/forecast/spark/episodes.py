"""Episodes on Spark: `build_episodes` applied to the incidents of groups of whole dyads.

A trigger's answer is force by its target against its initiator, so every label is decided
inside the dyad's two directions. The one quantity that crosses dyads is the censoring date of a
source that declares no coverage end (its last date anywhere): it is found first, by one
aggregate, and handed to every group as if declared.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from forecast.config import EpisodeParams
from forecast.episodes import build_episodes
from forecast.schema import conform
from forecast.spark.frames import (
    GROUP,
    dyad_group,
    for_spark,
    group_count,
    spark_schema,
    without_group,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def example_incidents() -> pd.DataFrame:
    """Two canonical incidents of one dyad (an attack and its answer), to learn output schemas."""
    return conform(
        pd.DataFrame(
            {
                "incident_id": ["example-1", "example-2"],
                "source": "example",
                "date": pd.to_datetime(["2000-01-01", "2000-01-03"]),
                "date_precision": "day",
                "initiator": [2, 200],
                "target": [200, 2],
                "action": "attack",
                "hostility": 4,
                "directed": True,
                "fatalities_initiator": [1.0, None],
                "fatalities_target": [None, 2.0],
                "dispute_id": ["1", None],
                "target_kind": "state",
            }
        )
    )


def example_episodes(params: EpisodeParams) -> pd.DataFrame:
    """`build_episodes` of the example: the columns and dtypes of the episodes table."""
    return build_episodes(example_incidents(), params, {"example": None})


def source_ends(
    incidents: DataFrame, coverage: Mapping[str, date | None]
) -> dict[str, date | None]:
    """Each source's censoring end: the declared one, else its last date in `incidents`."""
    from pyspark.sql import functions as F

    last = {
        row["source"]: row["last"].date()
        for row in incidents.groupBy("source").agg(F.max("date").alias("last")).collect()
    }
    declared = {source: end for source, end in coverage.items() if end is not None}
    return {**last, **declared}


def spark_episodes(
    incidents: DataFrame,
    params: EpisodeParams,
    coverage: Mapping[str, date | None] | None = None,
) -> DataFrame:
    """`build_episodes` on Spark: the same rows and values, ordered by date and episode id.

    `incidents` holds the model sources' canonical incident rows (as `build_episodes` wants).
    """
    ends = source_ends(incidents, coverage or {})
    schema = spark_schema(example_episodes(params))

    def episodes_of_dyad(rows: pd.DataFrame) -> pd.DataFrame:
        return for_spark(build_episodes(conform(without_group(rows)), params, ends))

    groups = group_count(incidents)
    grouped = incidents.select("*", dyad_group("initiator", "target", groups)).groupBy(GROUP)
    return grouped.applyInPandas(episodes_of_dyad, schema).orderBy("date", "episode_id")
