"""Build the leak-free feature table, one row per episode."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.coverage import (
    Coverage,
    actual_record_end,
    coverage_ends,
    modelled_coverage,
    read_source_coverage,
    selective_sources,
)
from forecast.core.provenance import provenance_of
from forecast.episodes import day_numbers, force_events, history_incidents
from forecast.features.computation import TRIGGER_COLUMNS, build_features
from forecast.stages.engine import StageOutcome, chosen_engine

COVARIATES_MISSING = (
    f"{tables.path('covariates')} not found: covariate features are flagged missing "
    "(run `forecast data ingest` to build it)"
)


def run_features(
    params: Params,
    engine: str | None = None,
    progress: Callable[[Iterable[str]], Iterable[str]] | None = None,
) -> StageOutcome:
    """Write data/processed/features.parquet from the episodes and the modelled history."""
    covered_all = read_source_coverage()
    coverage = coverage_ends(covered_all)
    if chosen_engine(params, engine) == "spark":
        return _features_on_spark(params, coverage, covered_all)
    incidents = history_incidents(tables.read("incidents"), params.data)
    triggers = tables.read("episodes")[[*TRIGGER_COLUMNS, "target_kind"]]
    covariates = tables.read_optional("covariates")
    covered = modelled_coverage(covered_all, incidents["source"].astype(str).unique())
    features = build_features(
        triggers,
        force_events(incidents, params.episodes.min_hostility),
        covariates,
        params.features,
        params.episodes.horizons,
        include_same_day=params.episodes.include_same_day,
        coverage=coverage,
        selective_sources=selective_sources(covered),
        record_end=actual_record_end(day_numbers(triggers["date"]), covered),
        progress=progress,
    )
    tables.write("features", features)
    return StageOutcome(
        provenance_of(incidents).banner(),
        f"{len(features):,} episodes x {features.shape[1] - 1} features",
        [] if covariates is not None else [COVARIATES_MISSING],
    )


def _features_on_spark(
    params: Params,
    coverage: Mapping[str, date | None],
    covered_all: Mapping[str, Coverage],
) -> StageOutcome:
    """The same table on Spark (docs/spark.md), written as a folder of Parquet parts."""
    from forecast.spark.features import FeatureJob, example_features, spark_features
    from forecast.spark.frames import write_table
    from forecast.spark.stages import read_pipeline_table, spark_incidents, spark_provenance

    incidents = spark_incidents(params, params.data.history_sources)
    spark = incidents.sparkSession
    banner = spark_provenance(incidents).banner()
    triggers = read_pipeline_table(spark, "episodes").select(*TRIGGER_COLUMNS, "target_kind")
    covariates = read_pipeline_table(spark, "covariates") if tables.exists("covariates") else None
    sources = [row["source"] for row in incidents.select("source").distinct().collect()]
    job = FeatureJob(
        params=params.features,
        horizons=tuple(params.episodes.horizons),
        min_hostility=params.episodes.min_hostility,
        include_same_day=params.episodes.include_same_day,
        coverage=dict(coverage),
        covered=modelled_coverage(covered_all, sources),
    )
    features = spark_features(triggers, incidents, covariates, job)
    write_table(features, tables.path("features"), like=example_features(job))
    written = read_pipeline_table(spark, "features")
    summary = f"{written.count():,} episodes x {len(written.columns) - 1} features"
    return StageOutcome(banner, summary, engine="spark")
