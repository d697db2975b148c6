"""Episodes on Spark: `build_episodes` applied to the incidents of groups of whole dyads.

A trigger's answer is force by its target against its initiator, so every label is decided
inside the dyad's two directions. The one quantity that crosses dyads is the censoring date of a
source that declares no coverage end (its last date anywhere): it is found first, by one
aggregate, and handed to every group as if declared.

A trigger is a directed dyad-day (docs/adr/0008): a source's rows of one directed dyad and day
become one, which keeps the first row's ids. Each group's rows are put back in the order they
were read before the local functions see them, so the same row is first on both engines.
The collapsed force events themselves (`spark_force_events`) are made the same way, per dyad,
for the steps that group them otherwise (by confrontation, by state).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from forecast.core.config import EpisodeParams
from forecast.core.contracts import conform
from forecast.episodes import CrisisTriggers, build_episodes, force_events
from forecast.spark.frames import (
    GROUP,
    dyad_group,
    for_spark,
    group_count,
    in_read_order,
    numbered,
    spark_schema,
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
    selective_sources: Collection[str] = (),
    crises: CrisisTriggers | None = None,
) -> DataFrame:
    """`build_episodes` on Spark: the same rows and values, ordered by date and episode id.

    `incidents` holds the model sources' canonical incident rows (as `build_episodes` wants),
    in the order the local engine would read them. `crises` (small: one row per crisis) go to
    every group whole, as a trigger's crisis flag depends on its own dyad's acts only.
    """
    ends = source_ends(incidents, coverage or {})
    schema = spark_schema(example_episodes(params))
    selective = frozenset(selective_sources)

    def episodes_of_dyad(rows: pd.DataFrame) -> pd.DataFrame:
        return for_spark(
            build_episodes(conform(in_read_order(rows)), params, ends, selective, crises)
        )

    groups = group_count(incidents)
    grouped = numbered(incidents).select("*", dyad_group("initiator", "target", groups))
    return (
        grouped.groupBy(GROUP).applyInPandas(episodes_of_dyad, schema).orderBy("date", "episode_id")
    )


def example_force_events(min_hostility: int) -> pd.DataFrame:
    """`force_events` of the example: the columns and dtypes of the force-event table."""
    return force_events(example_incidents(), min_hostility)


def spark_force_events(incidents: DataFrame, min_hostility: int, groups: int) -> DataFrame:
    """`force_events` on Spark: one row per directed dyad-day of force, each with the ids
    (incident, dispute) of the same first row as on the local engine.

    A directed dyad's rows all land in the group of their undirected dyad, so the collapse of
    each group is the collapse of the whole table.
    """

    def events_of_dyad(rows: pd.DataFrame) -> pd.DataFrame:
        return for_spark(force_events(conform(in_read_order(rows)), min_hostility))

    grouped = numbered(incidents).select("*", dyad_group("initiator", "target", groups))
    schema = spark_schema(example_force_events(min_hostility))
    return grouped.groupBy(GROUP).applyInPandas(events_of_dyad, schema)
