"""ICEWS coded event data in its native Dataverse layout (yearly tab-separated files).

Columns used: `Event Date`, `Source Name`, `Source Country`, `CAMEO Code`, `Target Name`,
`Target Country`. Actors are resolved from their names (`Military (Pakistan)`), exactly as the
knowledge-graph slices name them, so both ICEWS layouts map alike; `CAMEO Code` is read as text
to keep its leading zeros. ICEWS writes "NA" for a missing value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.core.errors import DataFileError
from forecast.sources.base import require_columns
from forecast.sources.feed_actors import icews_actor_states
from forecast.sources.feed_reduce import FeedResult, FeedRules, feed_events, reduce_file
from forecast.sources.feed_tables import ActorTables

COLUMNS = (
    "Event Date",
    "Source Name",
    "Source Country",
    "CAMEO Code",
    "Target Name",
    "Target Country",
)


def read_feed_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read the needed columns of a tab-separated feed file as text, with one-line errors."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataFileError(path, "file is empty", "expected a header row and data rows")
    wanted = set(columns)
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            dtype=str,
            quoting=3,
            keep_default_na=False,
            na_values=["", "NA"],
            usecols=lambda name: name in wanted,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(path, f"cannot be read as a tab-separated table ({first})") from exc
    require_columns(path, frame.columns, columns)
    return frame


def read_icews(path: Path, rules: FeedRules, actors: ActorTables, *, source: str) -> FeedResult:
    """One native ICEWS file as feed incidents; every row is kept or quarantined."""
    path = Path(path)
    events = icews_events(read_feed_table(path, COLUMNS), actors, file=path.name)
    return reduce_file(path, events, rules, source=source)


def icews_events(raw: pd.DataFrame, actors: ActorTables, *, file: str) -> pd.DataFrame:
    """The native columns as feed events (forecast.sources.feed_reduce.FEED_EVENT_COLUMNS)."""
    return feed_events(
        file=file,
        raw_date=raw["Event Date"],
        when=pd.to_datetime(raw["Event Date"], format="%Y-%m-%d", errors="coerce"),
        code=raw["CAMEO Code"].str.strip(),
        source_actor=raw["Source Name"],
        source=icews_actor_states(raw["Source Name"], actors),
        target_actor=raw["Target Name"],
        target=icews_actor_states(raw["Target Name"], actors),
    )
