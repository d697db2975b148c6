"""Build the trigger table with retaliation labels, durations and censoring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from forecast.core import tables
from forecast.core.config import LABEL_SOURCES, Params
from forecast.core.contracts import conform
from forecast.core.coverage import (
    Coverage,
    coverage_ends,
    read_source_coverage,
    selective_sources,
)
from forecast.core.provenance import provenance_of
from forecast.episodes import (
    CrisisCounts,
    build_episodes,
    count_crises,
    label_column,
    summarise_episodes,
    trigger_incidents,
    undated_force_by_source,
    unmodelled_sources,
    unmodelled_warning,
)
from forecast.sources.crises import crisis_triggers
from forecast.stages.engine import StageOutcome, chosen_engine


def run_episodes(params: Params, engine: str | None = None) -> StageOutcome:
    """Write data/processed/episodes.parquet from the incidents of params' trigger sources."""
    covered = read_source_coverage()
    coverage = coverage_ends(covered)
    if chosen_engine(params, engine) == "spark":
        return _episodes_on_spark(params, coverage, covered)
    ingested = tables.read("incidents")
    incidents = trigger_incidents(ingested, params.data)
    warnings = [unmodelled_warning(source) for source in unmodelled_sources(coverage, params.data)]
    episodes = build_episodes(
        incidents,
        params.episodes,
        coverage,
        selective_sources(covered),
        crisis_triggers(ingested, covered),
    )
    tables.write("episodes", episodes)
    headline = _headline(params)
    return StageOutcome(
        provenance_of(incidents).banner(),
        f"{len(episodes):,} triggers from {len(incidents):,} incidents "
        f"({', '.join(sorted(incidents['source'].unique()))}); {headline} rate "
        f"{episodes[headline].mean():.3f}; {crisis_summary(count_crises(episodes))}",
        warnings,
    )


def crisis_summary(counts: CrisisCounts) -> str:
    """How many triggers opened an ICB crisis, in how many directed dyads, for the summary line."""
    if counts.unknown and not (counts.crisis or counts.not_crisis):
        return "crisis flag unknown (ICB not ingested)"
    return (
        f"{counts.crisis:,} crisis triggers in {counts.crisis_dyads:,} directed dyads "
        f"({counts.limited_force:,} of limited force in {counts.limited_force_dyads:,}), "
        f"{counts.not_crisis:,} not, {counts.unknown:,} unknown"
    )


def _headline(params: Params) -> str:
    """The label the summary line reports: 30 days, or the first horizon without one."""
    horizons = params.episodes.horizons
    return label_column(30 if 30 in horizons else horizons[0])


def _episodes_on_spark(
    params: Params,
    coverage: Mapping[str, date | None],
    covered: Mapping[str, Coverage],
) -> StageOutcome:
    """The same table on Spark (docs/spark.md), written as a folder of Parquet parts."""
    from pyspark.sql import functions as F

    from forecast.spark.episodes import example_episodes, spark_episodes
    from forecast.spark.frames import write_table
    from forecast.spark.stages import read_pipeline_table, spark_incidents, spark_provenance

    incidents = spark_incidents(params, params.data.trigger_sources)
    banner = spark_provenance(incidents).banner()
    # ICB's few hundred records label triggers; they are read whole, not as a Spark table.
    labels = conform(spark_incidents(params, list(LABEL_SOURCES)).toPandas())
    episodes = spark_episodes(
        incidents,
        params.episodes,
        coverage,
        selective_sources(covered),
        crisis_triggers(labels, covered),
    )
    write_table(episodes, tables.path("episodes"), like=example_episodes(params.episodes))
    written = read_pipeline_table(incidents.sparkSession, "episodes")
    headline = _headline(params)
    row = written.agg(F.count("*").alias("n"), F.avg(F.col(headline).cast("double"))).first()
    rate = f"{row[1]:.3f}" if row[1] is not None else "n/a"
    return StageOutcome(banner, f"{row['n']:,} triggers; {headline} rate {rate}", engine="spark")


@dataclass(frozen=True)
class EpisodeSummary:
    """What `forecast episodes summary` prints: the data banner, per source the triggers, rates,
    censoring and days to an answer, and the uses of force that could not be triggers."""

    banner: str
    by_source: pd.DataFrame
    undated_force: pd.Series
    triggers: int


def episode_summary(params: Params) -> EpisodeSummary:
    """The episodes table summarised per source, beside the incidents it was built from."""
    incidents = trigger_incidents(tables.read("incidents"), params.data)
    episodes = tables.read("episodes")
    return EpisodeSummary(
        provenance_of(incidents).banner(),
        summarise_episodes(episodes, params.episodes.horizons),
        undated_force_by_source(incidents, params.episodes.min_hostility),
        len(episodes),
    )
