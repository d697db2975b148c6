"""Moving tables between pandas and Spark: schemas taken from the pandas functions' own output,
the pipeline's Parquet files read and written, and the pair and state keys rows are grouped by.

A grouped step's output schema is the Arrow schema of what the pandas function returns for a
small example, so a column added to `build_episodes` or `build_features` reaches the Spark
engine without a second list of columns to keep in step.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from forecast.core.errors import DataFileError

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession
    from pyspark.sql.types import StructType

# The column rows are grouped by. A group holds whole dyads (or whole states, or whole
# confrontations), many of them, hashed together: the pandas functions are vectorised over many
# groups at once, so a few large groups cost far less than one call per dyad.
GROUP = "_group"
# Rows of history per group: a worker then needs well under a gigabyte for the pandas step.
ROWS_PER_GROUP = 250_000
# Each incident's place in the table as read: the order a source's rows of one directed dyad
# and day are collapsed in (docs/adr/0008), which a shuffle into groups does not keep.
ORDER = "_order"


def group_count(frame: DataFrame, rows_per_group: int = ROWS_PER_GROUP) -> int:
    """How many groups to hash rows into: enough for the rows and for every core."""
    cores = frame.sparkSession.sparkContext.defaultParallelism
    return max(2 * cores, -(-frame.count() // rows_per_group))


def hashed(columns: list[Column], groups: int) -> Column:
    """A group number from some columns' values (the same values, the same group)."""
    from pyspark.sql import functions as F

    return F.pmod(F.xxhash64(*columns), F.lit(groups)).alias(GROUP)


def dyad_group(first: str, second: str, groups: int) -> Column:
    """The group of the undirected dyad of two state columns: both directions land together."""
    from pyspark.sql import functions as F

    pair = [F.least(F.col(first), F.col(second)), F.greatest(F.col(first), F.col(second))]
    return hashed(pair, groups)


def spark_schema(example: pd.DataFrame) -> StructType:
    """The Spark schema of a pandas frame, through Arrow (all-missing columns become text)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = pa.Schema.from_pandas(example, preserve_index=False)
    fields = [
        pa.field(field.name, pa.string()) if pa.types.is_null(field.type) else field
        for field in schema
    ]
    return from_arrow_schema(pa.schema(fields))


def for_spark(frame: pd.DataFrame) -> pd.DataFrame:
    """A grouped step's output in a form Spark's Arrow transfer takes: text as Python objects
    and other Arrow-backed columns as pandas' own nullable types (Arrow-backed columns arrive
    as chunked arrays, which it refuses)."""
    casts: dict[str, object] = {}
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            casts[name] = object
        elif isinstance(dtype, pd.ArrowDtype):
            kind = dtype.pyarrow_dtype
            casts[name] = (
                "boolean"
                if pa.types.is_boolean(kind)
                else "Int64"
                if pa.types.is_integer(kind)
                else "Float64"
                if pa.types.is_floating(kind)
                else object
            )
    if not casts:
        return frame
    out = frame.astype(casts)
    for name, cast in casts.items():
        if cast is object:
            out[name] = out[name].where(frame[name].notna(), None)
    return out


def numbered(frame: DataFrame) -> DataFrame:
    """The rows with `ORDER`, increasing in the order they are read (a pandas frame's order, a
    Parquet file's row order), so grouped steps can put each group back in that order."""
    from pyspark.sql import functions as F

    return frame.select("*", F.monotonically_increasing_id().alias(ORDER))


def in_read_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A group of `numbered` rows back in the order they were read, without the Spark columns."""
    return without_group(frame.sort_values(ORDER, kind="stable"))


def without_group(frame: pd.DataFrame) -> pd.DataFrame:
    """A group's rows without the columns added for Spark (named with a leading `_`)."""
    return frame.drop(columns=[name for name in frame.columns if name.startswith("_")])


def read_table(spark: SparkSession, path: str | Path, made_by: str) -> DataFrame:
    """A pipeline table (one Parquet file or a folder of parts) as a Spark DataFrame."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "not found", f"run `{made_by}` or `dvc repro` first")
    from pyspark.sql import functions as F

    # Absolute: the JVM resolves relative paths against its own working directory.
    frame = spark.read.parquet(str(path.resolve()))
    # pandas writes nanosecond timestamps, which Spark reads as whole numbers
    # (spark.sql.legacy.parquet.nanosAsLong): back to timestamps, to the microsecond.
    for name in _nanosecond_columns(path):
        micros = F.timestamp_micros(F.floor(F.col(name) / 1000))
        frame = frame.withColumn(name, micros.cast("timestamp_ntz"))
    return frame


def _nanosecond_columns(path: Path) -> list[str]:
    """Columns a Parquet file (or a folder's first part) stores as nanosecond timestamps."""
    import pyarrow.parquet as pq

    parts = [path] if path.is_file() else sorted(path.glob("*.parquet"))[:1]
    if not parts:
        return []
    schema = pq.read_schema(parts[0])
    return [
        field.name
        for field in schema
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns"
    ]


def write_table(frame: DataFrame, path: str | Path, like: pd.DataFrame | None = None) -> Path:
    """Write a Spark DataFrame as a folder of Parquet parts at `path`, whole or not at all.

    The parts go to a hidden folder beside `path` first and are renamed into place, so an
    interrupted run never leaves half a table where the next stage reads. With `like` (a
    pandas frame the local engine would write), each part is given that frame's Arrow schema
    and pandas metadata, in parallel on the executors, so pandas reads the folder back with
    the local engine's dtypes (nullable labels, nanosecond dates, text as `string`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    frame.write.mode("overwrite").parquet(str(staging.resolve()))
    if like is not None:
        target = pa.Schema.from_pandas(like, preserve_index=False)
        parts = [str(part) for part in sorted(staging.resolve().glob("*.parquet"))]
        if parts:
            spark = frame.sparkSession.sparkContext
            spark.parallelize(parts, len(parts)).foreach(lambda part: _conform_part(part, target))
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    staging.rename(path)
    return path


def _conform_part(part: str, schema: pa.Schema) -> None:
    """Rewrite one Parquet part with `schema` (types and pandas metadata)."""
    import pyarrow.parquet as pq

    table = pq.read_table(part)
    pq.write_table(table.select(schema.names).cast(schema), part)
    # The local file system's checksum of the old bytes would fail the new ones.
    checksum = Path(part).with_name(f".{Path(part).name}.crc")
    checksum.unlink(missing_ok=True)
