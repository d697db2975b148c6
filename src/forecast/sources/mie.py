"""Militarized Interstate Events (MIE) 1.0: one directed-dyad event per row, 1816-2014.

Choices (see docs/data-sources.md): clashes and war battles stay one row with directed=False
(the episode layer expands them into force by both sides); fatalities are MIE's minimum
estimates, because the minimum is never missing and does not inflate small events; a day coded
-9 gives the first of the month with date_precision = "month".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from forecast.sources.base import (
    ACTION_CODE,
    ROW,
    SourceResult,
    finish_file,
    joined_id,
    mid_actions,
    numeric_rows,
    state_incidents,
)
from forecast.sources.base import read_table_file as _read
from forecast.sources.dates import coded_date, end_not_before_start

SOURCE = "mie"
COLUMNS = (
    "micnum",
    "eventnum",
    "ccode1",
    "ccode2",
    "stmon",
    "stday",
    "styear",
    "endmon",
    "endday",
    "endyear",
    "sidea1",
    "action",
    "hostlev",
    "fatalmin1",
    "fatalmax1",
    "fatalmin2",
    "fatalmax2",
)
COVERAGE = (date(1816, 1, 1), date(2014, 12, 31))


def read_mie(path: Path) -> SourceResult:
    """Read MIE's CSV into canonical incidents; every row is kept or quarantined."""
    path = Path(path)
    raw = _read(path, COLUMNS)
    candidates = mie_to_incidents(raw)
    return finish_file(candidates, source=SOURCE, path=path, rows_read=len(raw), coverage=COVERAGE)


def mie_to_incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """Map MIE columns onto the canonical ones (plus `_row`), without validating them."""
    numeric = numeric_rows(raw, COLUMNS)
    start = coded_date(numeric["styear"], numeric["stmon"], numeric["stday"])
    end = end_not_before_start(start.when, numeric["endyear"], numeric["endmon"], numeric["endday"])
    action, undirected = mid_actions(numeric["action"])
    ids = joined_id(
        "mie-", numeric["micnum"], numeric["eventnum"], numeric["ccode1"], numeric["ccode2"]
    )
    return state_incidents(
        incident_id=ids,
        source=SOURCE,
        start=start,
        date_end=end,
        initiator=numeric["ccode1"],
        target=numeric["ccode2"],
        action=action,
        hostility=numeric["hostlev"],
        directed=~undirected,
        fatalities_initiator=numeric["fatalmin1"].astype("Float64"),
        fatalities_target=numeric["fatalmin2"].astype("Float64"),
        dispute_id=numeric["micnum"].astype("string"),
        row=numeric[ROW],
        internal={ACTION_CODE: numeric["action"].astype("string")},
    )
