"""What the `episodes` and `features` stages share on the Spark engine: the pipeline's Parquet
files read with Spark, the modelled incidents, and the data banner computed by Spark.

The stage runners (`forecast.stages.episodes`, `forecast.stages.features`) run the grouped
steps and write the same tables as the local engine (as folders of Parquet parts).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.provenance import SYNTHETIC_SOURCE, DataProvenance
from forecast.spark.frames import read_table
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


def read_pipeline_table(spark: object, name: str) -> DataFrame:
    """Pipeline table `name` (`forecast.core.tables`) as a Spark DataFrame, refused like
    `tables.read` refuses it when it and the rest of its set come from different runs."""
    table = read_table(spark, tables.path(name), tables.table(name).made_by)
    tables.check_set(name)
    return table


def spark_incidents(params: Params, sources: list[str]) -> DataFrame:
    """The incidents of `sources`, read with the Spark session params configure."""
    from pyspark.sql import functions as F

    spark = spark_session(params.spark)
    incidents = read_pipeline_table(spark, "incidents")
    return incidents.where(F.col("source").isin(sources))
