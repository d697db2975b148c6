"""The `episodes` and `features` stages on the Spark engine: read the pipeline's Parquet
files with Spark, run the grouped steps, write the same tables (as folders of Parquet parts).

The commands (`forecast episodes build --engine spark`, `forecast features build --engine
spark`) call these; the local engine's code path is untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from forecast import paths
from forecast.config import Params
from forecast.episodes import label_column
from forecast.features import TRIGGER_COLUMNS
from forecast.provenance import SYNTHETIC_SOURCE, DataProvenance
from forecast.record import read_source_coverage, selective_sources
from forecast.record_age import modelled_coverage
from forecast.spark.episodes import example_episodes, spark_episodes
from forecast.spark.features import FeatureJob, example_features, spark_features
from forecast.spark.frames import read_table, write_table
from forecast.spark.session import spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def spark_provenance(incidents: DataFrame) -> DataProvenance:
    """The data banner's facts from Spark: sources, first and last date, and a content hash
    (an order-free sum of row hashes: Spark tables have no fixed row order)."""
    from pyspark.sql import functions as F

    row = incidents.agg(
        F.collect_set("source").alias("sources"),
        F.min("date").alias("first"),
        F.max("date").alias("last"),
        F.sum(F.xxhash64(*incidents.columns).cast("decimal(38,0)")).alias("digest"),
    ).first()
    sources = tuple(sorted(row["sources"] or []))
    synthetic = SYNTHETIC_SOURCE in sources
    real = any(s != SYNTHETIC_SOURCE for s in sources)
    return DataProvenance(
        kind="mixed" if synthetic and real else ("synthetic" if synthetic else "real"),
        sources=sources,
        data_start=row["first"].date().isoformat() if row["first"] else None,
        data_end=row["last"].date().isoformat() if row["last"] else None,
        content_hash=hashlib.sha256(str(row["digest"]).encode()).hexdigest(),
    )


def _incidents(params: Params, sources: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    spark = spark_session(params.spark)
    incidents = read_table(spark, paths.INCIDENTS_FILE, "forecast data ingest")
    return incidents.where(F.col("source").isin(sources))


def episodes_stage(params: Params, coverage: Mapping[str, date | None]) -> tuple[str, str]:
    """Write episodes.parquet on Spark; (data banner, summary line)."""
    from pyspark.sql import functions as F

    incidents = _incidents(params, params.data.trigger_sources)
    banner = spark_provenance(incidents).banner()
    selective = selective_sources(read_source_coverage(paths.SOURCES_FILE))
    episodes = spark_episodes(incidents, params.episodes, coverage, selective)
    write_table(episodes, paths.EPISODES_FILE, like=example_episodes(params.episodes))
    written = read_table(incidents.sparkSession, paths.EPISODES_FILE, "forecast episodes build")
    horizons = params.episodes.horizons
    headline = label_column(30 if 30 in horizons else horizons[0])
    row = written.agg(F.count("*").alias("n"), F.avg(F.col(headline).cast("double"))).first()
    rate = f"{row[1]:.3f}" if row[1] is not None else "n/a"
    return banner, f"{row['n']:,} triggers; {headline} rate {rate}"


def features_stage(params: Params, coverage: Mapping[str, date | None]) -> tuple[str, str]:
    """Write features.parquet on Spark; (data banner, summary line)."""
    incidents = _incidents(params, params.data.history_sources)
    spark = incidents.sparkSession
    banner = spark_provenance(incidents).banner()
    triggers = read_table(spark, paths.EPISODES_FILE, "forecast episodes build").select(
        *TRIGGER_COLUMNS, "target_kind"
    )
    covariates = (
        read_table(spark, paths.COVARIATES_FILE, "forecast data ingest")
        if paths.COVARIATES_FILE.exists()
        else None
    )
    sources = [row["source"] for row in incidents.select("source").distinct().collect()]
    job = FeatureJob(
        params=params.features,
        horizons=tuple(params.episodes.horizons),
        min_hostility=params.episodes.min_hostility,
        include_same_day=params.episodes.include_same_day,
        coverage=dict(coverage),
        covered=modelled_coverage(read_source_coverage(paths.SOURCES_FILE), sources),
    )
    features = spark_features(triggers, incidents, covariates, job)
    write_table(features, paths.FEATURES_FILE, like=example_features(job))
    written = read_table(spark, paths.FEATURES_FILE, "forecast features build")
    return banner, f"{written.count():,} episodes x {len(written.columns) - 1} features"
