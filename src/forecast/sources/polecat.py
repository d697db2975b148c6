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

from forecast.sources.feed_actors import polecat_actor_states
from forecast.sources.feed_reduce import FeedResult, FeedRules, feed_events, reduce_file
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
    events = polecat_events(read_feed_table(path, COLUMNS), actors, file=path.name)
    return reduce_file(path, events, rules, source=source)


def polecat_events(raw: pd.DataFrame, actors: ActorTables, *, file: str) -> pd.DataFrame:
    """POLECAT columns as feed events (forecast.sources.feed_reduce.FEED_EVENT_COLUMNS)."""
    event_type = raw["Event Type"].astype("string").str.strip().str.upper()
    mode = raw["Event Mode"].astype("string").str.strip().str.lower()
    return feed_events(
        file=file,
        raw_date=raw["Event Date"],
        when=pd.to_datetime(raw["Event Date"], format="%Y-%m-%d", errors="coerce"),
        code=(event_type + ":" + mode).fillna(event_type),
        source_actor=raw["Actor Name"],
        source=polecat_actor_states(
            raw["Actor Name"], raw["Actor Country"], raw["Primary Actor Sector"], actors
        ),
        target_actor=raw["Recipient Name"],
        target=polecat_actor_states(
            raw["Recipient Name"], raw["Recipient Country"], raw["Primary Recipient Sector"], actors
        ),
    )
