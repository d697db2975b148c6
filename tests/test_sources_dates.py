"""Dates read from year/month/day parts, shared by the MID-family and ICB adapters."""

from __future__ import annotations

import pandas as pd

from forecast.sources.base import joined_id
from forecast.sources.dates import coded_date, end_not_before_start


def _parts(*values: int | None) -> pd.Series:
    return pd.Series(values, dtype="Int64")


def test_unknown_day_gives_first_of_month_with_month_precision() -> None:
    start = coded_date(_parts(2001), _parts(3), _parts(-9))
    assert start.when.iloc[0] == pd.Timestamp("2001-03-01")
    assert start.precision.iloc[0] == "month"
    assert start.written.iloc[0] == "2001-3--9"


def test_end_known_to_month_never_falls_before_a_start_in_that_month() -> None:
    start = coded_date(_parts(2001, 2001), _parts(3, 3), _parts(15, 15)).when
    end = end_not_before_start(start, _parts(2001, 2001), _parts(3, 3), _parts(-9, 10))
    assert end.iloc[0] == pd.Timestamp("2001-03-15")
    assert end.iloc[1] == pd.Timestamp("2001-03-10")


def test_joined_id_prefixes_the_source_and_joins_codes_with_dashes() -> None:
    assert joined_id("mie-", _parts(12), _parts(3), _parts(2)).tolist() == ["mie-12-3-2"]
