"""Feed reduction on Spark: raw GDELT 2.0 export files read as Spark DataFrames and reduced per
day by the local engine's own functions.

Reading is Spark's (plain text, split on tabs, each row numbered within its file so that
quarantine names file and row as the local engine does). Each batch of rows is then turned into
feed events by the adapter (`forecast.sources.gdelt.gdelt_events`, the actor tables' look-ups),
and each day's events are reduced by `forecast.sources.feed_reduce.reduce_feed` (code table,
state and domestic rules, consented operations, one incident per directed dyad, day and action
with its report count). A feed incident never spans two days, so the reduction per day is the
reduction of the whole feed; what does span days (the declared span when the feed declares
none, the coverage windows, the states named) is found first or after, by Spark aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from forecast.core.config import DataParams, FeedParams
from forecast.core.contracts import QUARANTINE_COLUMNS, conform, empty_quarantine
from forecast.core.coverage import Coverage
from forecast.core.errors import DataFileError
from forecast.sources.base import SourceFile, SourceResult, md5_of
from forecast.sources.feed_actors import COUNTRY
from forecast.sources.feed_reduce import FeedResult, FeedRules, coverage_windows, reduce_feed
from forecast.sources.feed_tables import ActorTables, load_actor_tables
from forecast.sources.feeds import feed_rules, locate_feed_path, read_feed
from forecast.sources.gdelt import COLUMNS, USED, gdelt_events
from forecast.spark.frames import for_spark, spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

KIND = "_kind"
# Feed-event columns as Spark carries them (kinds as text).
EVENT_TEXT = ("_file", "_raw_date", "code", "source_kind", "source_actor", "target_kind")


@dataclass
class SparkFeed:
    """A feed reduced on Spark: incidents and quarantine as Spark DataFrames, and the facts
    sources.json records (rows, declared span and windows, states named)."""

    source: str
    incidents: DataFrame
    quarantine: DataFrame
    rows_read: int
    rows_quarantined: int
    coverage: tuple[date, date]
    windows: list[tuple[date, date]]
    states_seen: frozenset[int]
    countries_seen: frozenset[int]

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_quarantined

    def collected(self, files: list[SourceFile]) -> FeedResult:
        """The local engine's result: incidents and quarantine as canonical pandas tables."""
        quarantine = self.quarantine.toPandas()
        return FeedResult(
            source=self.source,
            incidents=conform(self.incidents.toPandas()),
            quarantine=quarantine.astype(empty_quarantine().dtypes.to_dict()),
            rows_read=self.rows_read,
            rows_kept=self.rows_kept,
            rows_quarantined=self.rows_quarantined,
            coverage=Coverage(self.coverage[0], self.coverage[1], windows=tuple(self.windows)),
            files=files,
            states_seen=self.states_seen,
            countries_seen=self.countries_seen,
        )


def numbered_lines(spark: SparkSession, files: list[Path]) -> DataFrame:
    """Every non-empty line of the files with `_file` (its name) and `_row` (1-based within it).

    Rows are numbered without a pass through Python: each partition's rows carry increasing ids
    (`monotonically_increasing_id`), the pieces of a file are counted, and a row's number is the
    rows of the file's earlier pieces plus its place in its own piece.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lines = (
        spark.read.text([str(Path(f).resolve()) for f in files])
        .where(F.col("value") != "")
        .select(
            "value",
            F.element_at(F.split(F.input_file_name(), "/"), -1).alias("_file"),
            F.spark_partition_id().alias("_piece"),
            F.monotonically_increasing_id().alias("_id"),
        )
    )
    pieces = lines.groupBy("_file", "_piece").agg(
        F.min("_id").alias("_first"), F.count("*").alias("_n")
    )
    earlier = (
        Window.partitionBy("_file").orderBy("_piece").rowsBetween(Window.unboundedPreceding, -1)
    )
    pieces = pieces.withColumn("_before", F.coalesce(F.sum("_n").over(earlier), F.lit(0)))
    return lines.join(F.broadcast(pieces), ["_file", "_piece"]).select(
        "value",
        "_file",
        (F.col("_before") + F.col("_id") - F.col("_first") + 1).alias("_row"),
    )


def gdelt_columns(lines: DataFrame) -> DataFrame:
    """The used export columns of numbered lines; a row of the wrong width names file and row."""
    from pyspark.sql import functions as F

    fields = lines.select("_file", "_row", F.split("value", "\t", -1).alias("_fields"))
    wrong = fields.where(F.size("_fields") != len(COLUMNS)).select(
        "_file", "_row", F.size("_fields").alias("width")
    )
    first = wrong.orderBy("_file", "_row").first()
    if first is not None:
        raise DataFileError(
            Path(first["_file"]),
            f"row {first['_row']}: {first['width']} tab-separated columns, not a GDELT 2.0 export",
            f"expected {len(COLUMNS)} tab-separated columns without a header",
        )
    return fields.select(
        "_file",
        "_row",
        *(F.col("_fields")[COLUMNS.index(name)].alias(name) for name in USED),
    )


def _example_export() -> pd.DataFrame:
    """One export row (a military strike by Israel on Syria), to learn output schemas."""
    values = {
        "SQLDATE": "20180101",
        "Actor1Code": "ISRMIL",
        "Actor1CountryCode": "ISR",
        "Actor1Type1Code": "MIL",
        "Actor2Code": "SYRMIL",
        "Actor2CountryCode": "SYR",
        "Actor2Type1Code": "MIL",
        "EventCode": "195",
    }
    return pd.DataFrame({name: [values[name]] for name in USED}, dtype="string")


def _events_schema(actors: ActorTables) -> object:
    return spark_schema(_as_text(gdelt_events(_example_export(), actors, file="example")))


def _as_text(events: pd.DataFrame) -> pd.DataFrame:
    return for_spark(events.astype({name: "string" for name in EVENT_TEXT if name in events}))


def _rules_for(rules: FeedRules, span: tuple[date, date]) -> FeedRules:
    return replace(rules, coverage=span)


def _reduced_schema(rules: FeedRules, actors: ActorTables, source: str) -> object:
    from pyspark.sql.types import StringType, StructField, StructType

    events = gdelt_events(_example_export(), actors, file="example")
    result = reduce_feed(
        events,
        _rules_for(rules, (date(2018, 1, 1), date(2018, 1, 1))),
        source=source,
        files=[],
        rows_read=1,
    )
    incident_schema = spark_schema(result.incidents)
    quarantine_schema = spark_schema(for_spark(empty_quarantine()))
    fields = [StructField(KIND, StringType())]
    fields += [StructField(f"q_{f.name}", f.dataType) for f in quarantine_schema.fields]
    fields += list(incident_schema.fields)
    return StructType(fields), [f.name for f in incident_schema.fields]


def spark_gdelt(
    spark: SparkSession,
    files: list[Path],
    rules: FeedRules,
    actors: ActorTables,
    *,
    source: str,
) -> SparkFeed:
    """GDELT 2.0 export files reduced on Spark: the local engine's incidents and quarantine."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    raw = gdelt_columns(numbered_lines(spark, files))
    events_schema = _events_schema(actors)

    def to_events(batches):  # type: ignore[no-untyped-def]
        for batch in batches:
            for file, part in batch.groupby("_file", sort=False):
                events = gdelt_events(part[list(USED)].reset_index(drop=True), actors, file=file)
                events["_row"] = part["_row"].to_numpy()
                yield _as_text(events)

    events = raw.mapInPandas(to_events, events_schema).persist(StorageLevel.MEMORY_AND_DISK)
    facts = events.agg(
        F.count("*").alias("rows"),
        F.min("date").alias("first"),
        F.max("date").alias("last"),
    ).first()
    first = facts["first"].date() if facts["first"] else date(1970, 1, 1)
    last = facts["last"].date() if facts["last"] else date(1970, 1, 1)
    span = (rules.coverage[0] or first, rules.coverage[1] or last)
    day_rules = _rules_for(rules, span)
    schema, incident_columns = _reduced_schema(rules, actors, source)

    def reduce_day(rows: pd.DataFrame) -> pd.DataFrame:
        day_events = rows.astype({"source_state": "Int64", "target_state": "Int64"})
        result = reduce_feed(day_events, day_rules, source=source, files=[], rows_read=len(rows))
        quarantine = result.quarantine.rename(columns=lambda c: f"q_{c}")
        quarantine.insert(0, KIND, "quarantine")
        incidents = result.incidents.copy()
        incidents.insert(0, KIND, "incident")
        both = pd.concat([quarantine, incidents], ignore_index=True)
        return for_spark(both[[f.name for f in schema.fields]])

    reduced = (
        events.groupBy(F.to_date("date").alias("_day"))
        .applyInPandas(reduce_day, schema)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    incidents = (
        reduced.where(F.col(KIND) == "incident")
        .select(*incident_columns)
        .orderBy("date", "initiator", "target", "action")
    )
    quarantine = (
        reduced.where(F.col(KIND) == "quarantine")
        .select(*(F.col(f"q_{c}").alias(c) for c in QUARANTINE_COLUMNS))
        .orderBy("file", "row")
    )
    days = [
        row["day"]
        for row in events.where(F.col("date").isNotNull())
        .select(F.to_date("date").alias("day"))
        .distinct()
        .collect()
    ]
    named = events.select(
        F.col("source_state").alias("state"), F.col("source_kind").alias("kind")
    ).unionByName(
        events.select(F.col("target_state").alias("state"), F.col("target_kind").alias("kind"))
    )
    named = named.where(F.col("state").isNotNull()).distinct().collect()
    windows = coverage_windows(
        pd.to_datetime(pd.Series(sorted(days))).to_numpy(dtype="datetime64[ns]"),
        span,
        rules.gap_days,
    )
    quarantined = reduced.where(F.col(KIND) == "quarantine").count()
    return SparkFeed(
        source=source,
        incidents=incidents,
        quarantine=quarantine,
        rows_read=int(facts["rows"]),
        rows_quarantined=int(quarantined),
        coverage=span,
        windows=windows,
        states_seen=frozenset(int(r["state"]) for r in named),
        countries_seen=frozenset(int(r["state"]) for r in named if r["kind"] == COUNTRY),
    )


def default_files(path: Path) -> list[Path]:
    """A feed path's files: the file itself, or a folder's files in name order."""
    path = Path(path)
    return sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def spark_feed_reader(spark: SparkSession) -> Callable[[FeedParams, DataParams], SourceResult]:
    """`read_feed` for ingest on the Spark engine: GDELT exports reduced on Spark, the other
    layouts on the local engine (their files are smaller; the same tables either way)."""

    def read(feed: FeedParams, data: DataParams) -> SourceResult:
        if feed.format != "gdelt":
            return read_feed(feed, data)
        path = locate_feed_path(feed.name, feed.file, data)
        files = default_files(path)
        if not files:
            raise DataFileError(path, "folder holds no feed file")
        actors = load_actor_tables(Path(feed.actors) if feed.actors else None)
        result = spark_gdelt(spark, files, feed_rules(feed, data), actors, source=feed.name)
        return result.collected([SourceFile(f, md5_of(f)) for f in files])

    return read
