"""Militarized Interstate Events (MIE) 1.0: one directed-dyad event per row, 1816-2014.

Choices (see docs/data-sources.md): clashes and war battles stay one row with directed=False
(the episode layer expands them into force by both sides); fatalities are MIE's minimum
estimates, because the minimum is never missing and does not inflate small events; a day coded
-9 gives the first of the month with date_precision = "month".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.countries import cow_to_iso3
from forecast.schema import ACTIONS_BY_MID_CODE, UNDIRECTED_ACTIONS
from forecast.sources.base import (
    ACTION_CODE,
    DATE_TEXT,
    ROW,
    SourceFile,
    SourceResult,
    date_text,
    dates_from_parts,
    finish,
    md5_of,
)
from forecast.sources.base import read_table_file as _read

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
    return finish(
        candidates,
        source=SOURCE,
        file=path.name,
        rows_read=len(raw),
        coverage=COVERAGE,
        files=[SourceFile(path, md5_of(path))],
    )


def mie_to_incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """Map MIE columns onto the canonical ones (plus `_row`), without validating them."""
    numeric = raw[list(COLUMNS)].apply(pd.to_numeric, errors="coerce").astype("Int64")
    start, precision = dates_from_parts(numeric["styear"], numeric["stmon"], numeric["stday"])
    end, _ = dates_from_parts(numeric["endyear"], numeric["endmon"], numeric["endday"])
    # An end known only to the month can read as before a start known to the day in that month;
    # the event cannot end before it began, so the end is never earlier than the start.
    end = end.where(~(end < start) | numeric["endday"].between(1, 31).fillna(False), start)
    action = numeric["action"].map(ACTIONS_BY_MID_CODE).astype("string")
    ids = (
        "mie-"
        + numeric["micnum"].astype("string")
        + "-"
        + numeric["eventnum"].astype("string")
        + "-"
        + numeric["ccode1"].astype("string")
        + "-"
        + numeric["ccode2"].astype("string")
    )
    return pd.DataFrame(
        {
            "incident_id": ids,
            "source": SOURCE,
            "date": start,
            "date_precision": precision,
            "date_end": end,
            "initiator": numeric["ccode1"],
            "target": numeric["ccode2"],
            "initiator_iso3": cow_to_iso3(numeric["ccode1"]),
            "target_iso3": cow_to_iso3(numeric["ccode2"]),
            "action": action,
            "hostility": numeric["hostlev"],
            "directed": ~action.isin(sorted(UNDIRECTED_ACTIONS)).fillna(False),
            "fatalities_initiator": numeric["fatalmin1"].astype("Float64"),
            "fatalities_target": numeric["fatalmin2"].astype("Float64"),
            "dispute_id": numeric["micnum"].astype("string"),
            "location": pd.NA,
            "target_kind": "state",
            "notes": pd.NA,
            ACTION_CODE: numeric["action"].astype("string"),
            DATE_TEXT: date_text(numeric["styear"], numeric["stmon"], numeric["stday"]),
            ROW: np.arange(1, len(raw) + 1),
        }
    )
