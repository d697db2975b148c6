"""POLECAT (PLOVER-coded) event records, tab-separated with a header, as published weekly.

Columns used: `Event Date` (YYYY-MM-DD), `Event Type` (PLOVER: ASSAULT, COERCE, MOBILIZE,
THREATEN, ...), `Event Mode` (aerial, firearms, heavy-weapons, ...), `Actor Name`, `Actor
Country`, `Primary Actor Sector`, `Recipient Name`, `Recipient Country`, `Primary Recipient
Sector`. Type and mode become the code `TYPE:mode`, which the code table maps (falling back to
the bare type); a state sector of a country, or the country itself, is a state.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.sources.base import SourceFile, md5_of
from forecast.sources.feed_actors import polecat_actor_states
from forecast.sources.feed_reduce import FeedResult, FeedRules, reduce_feed
from forecast.sources.feed_tables import ActorTables
from forecast.sources.icews import read_feed_table

COLUMNS = (
    "Event Date",
    "Event Type",
    "Event Mode",
    "Actor Name",
    "Actor Country",
    "Primary Actor Sector",
    "Recipient Name",
    "Recipient Country",
    "Primary Recipient Sector",
)


def read_polecat(path: Path, rules: FeedRules, actors: ActorTables, *, source: str) -> FeedResult:
    """One POLECAT file as feed incidents; every row is kept or quarantined."""
    path = Path(path)
    raw = read_feed_table(path, COLUMNS)
    events = polecat_events(raw, actors, file=path.name)
    return reduce_feed(
        events, rules, source=source, files=[SourceFile(path, md5_of(path))], rows_read=len(raw)
    )


def polecat_events(raw: pd.DataFrame, actors: ActorTables, *, file: str) -> pd.DataFrame:
    """POLECAT columns as feed events (forecast.sources.feed_reduce.FEED_EVENT_COLUMNS)."""
    source = polecat_actor_states(
        raw["Actor Name"], raw["Actor Country"], raw["Primary Actor Sector"], actors
    )
    target = polecat_actor_states(
        raw["Recipient Name"], raw["Recipient Country"], raw["Primary Recipient Sector"], actors
    )
    event_type = raw["Event Type"].astype("string").str.strip().str.upper()
    mode = raw["Event Mode"].astype("string").str.strip().str.lower()
    return pd.DataFrame(
        {
            "_row": range(1, len(raw) + 1),
            "_file": file,
            "date": pd.to_datetime(raw["Event Date"], format="%Y-%m-%d", errors="coerce"),
            "_raw_date": raw["Event Date"],
            "code": (event_type + ":" + mode).fillna(event_type),
            "source_state": source["state"],
            "source_kind": source["kind"],
            "source_actor": raw["Actor Name"],
            "target_state": target["state"],
            "target_kind": target["kind"],
            "target_actor": raw["Recipient Name"],
        }
    )
