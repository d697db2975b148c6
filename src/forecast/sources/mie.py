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

from forecast.core.coverage import Coverage
from forecast.sources.base import (
    SourceResult,
    finish_file,
    joined_id,
    numeric_rows,
)
from forecast.sources.base import read_table_file as _read
from forecast.sources.mid_family import mid_family_incidents

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
COVERAGE = Coverage(date(1816, 1, 1), date(2014, 12, 31))


def read_mie(path: Path) -> SourceResult:
    """Read MIE's CSV into canonical incidents; every row is kept or quarantined."""
    path = Path(path)
    raw = _read(path, COLUMNS)
    candidates = mie_to_incidents(raw)
    return finish_file(candidates, source=SOURCE, path=path, rows_read=len(raw), coverage=COVERAGE)


def mie_to_incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """Map MIE columns onto the canonical ones (plus `_row`), without validating them."""
    numeric = numeric_rows(raw, COLUMNS)
    ids = joined_id(
        "mie-", numeric["micnum"], numeric["eventnum"], numeric["ccode1"], numeric["ccode2"]
    )
    return mid_family_incidents(
        numeric,
        source=SOURCE,
        ids=ids,
        initiator="ccode1",
        target="ccode2",
        fatalities=(numeric["fatalmin1"].astype("Float64"), numeric["fatalmin2"].astype("Float64")),
        dispute="micnum",
    )
