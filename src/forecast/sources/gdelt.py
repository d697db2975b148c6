"""GDELT 2.0 event export: 61 tab-separated columns, no header, one event per row.

GDELT codes actors as CAMEO actor codes: `Actor1CountryCode` (ISO3-like) and
`Actor1Type1Code` (GOV, MIL, REB, ...). A state type code or the bare country code is a state
(forecast.sources.feed_actors); `EventCode` is the CAMEO event code, `SQLDATE` the day
(YYYYMMDD). Files run to millions of rows, so they are read with pyarrow, only the needed
columns, as Arrow strings.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from forecast.core.errors import DataFileError
from forecast.sources.feed_actors import gdelt_actor_states
from forecast.sources.feed_reduce import FeedResult, FeedRules, feed_events, reduce_file
from forecast.sources.feed_tables import ActorTables

_ACTOR_FIELDS = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_GEO_FIELDS = (
    "Type",
    "FullName",
    "CountryCode",
    "ADM1Code",
    "ADM2Code",
    "Lat",
    "Long",
    "FeatureID",
)
# The export's columns in file order (GDELT Event Codebook V2.0).
COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"Actor1{f}" for f in _ACTOR_FIELDS),
    *(f"Actor2{f}" for f in _ACTOR_FIELDS),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(f"Actor1Geo_{f}" for f in _GEO_FIELDS),
    *(f"Actor2Geo_{f}" for f in _GEO_FIELDS),
    *(f"ActionGeo_{f}" for f in _GEO_FIELDS),
    "DATEADDED",
    "SOURCEURL",
)
USED = (
    "SQLDATE",
    "Actor1Code",
    "Actor1CountryCode",
    "Actor1Type1Code",
    "Actor2Code",
    "Actor2CountryCode",
    "Actor2Type1Code",
    "EventCode",
)


def read_gdelt_columns(path: Path) -> pd.DataFrame:
    """The used columns of an export file as Arrow strings; a wrong width names the file."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataFileError(path, "file is empty", "expected GDELT 2.0 export rows")
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(column_names=list(COLUMNS)),
            parse_options=pa_csv.ParseOptions(delimiter="\t", quote_char=False),
            convert_options=pa_csv.ConvertOptions(
                include_columns=list(USED), column_types={c: pa.string() for c in USED}
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFileError(
            path,
            f"not a GDELT 2.0 export ({str(exc).splitlines()[0]})",
            f"expected {len(COLUMNS)} tab-separated columns without a header",
        ) from exc
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def read_gdelt(path: Path, rules: FeedRules, actors: ActorTables, *, source: str) -> FeedResult:
    """One GDELT 2.0 export file as feed incidents; every row is kept or quarantined."""
    path = Path(path)
    events = gdelt_events(read_gdelt_columns(path), actors, file=path.name)
    return reduce_file(path, events, rules, source=source)


def gdelt_events(raw: pd.DataFrame, actors: ActorTables, *, file: str) -> pd.DataFrame:
    """The export's columns as feed events (forecast.sources.feed_reduce.FEED_EVENT_COLUMNS)."""
    return feed_events(
        file=file,
        raw_date=raw["SQLDATE"],
        when=pd.to_datetime(raw["SQLDATE"].astype(str), format="%Y%m%d", errors="coerce"),
        code=raw["EventCode"],
        source_actor=raw["Actor1Code"],
        source=gdelt_actor_states(
            raw["Actor1Code"], raw["Actor1CountryCode"], raw["Actor1Type1Code"], actors
        ),
        target_actor=raw["Actor2Code"],
        target=gdelt_actor_states(
            raw["Actor2Code"], raw["Actor2CountryCode"], raw["Actor2Type1Code"], actors
        ),
    )
