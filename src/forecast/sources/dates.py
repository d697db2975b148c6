"""Event dates as the MID family and ICB code them: year, month and day columns.

Each adapter reads a start (and sometimes an end) from three numeric columns with the same
rules for an unknown day; keeping the rules here means a trigger's date precision means the
same thing whichever source it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.core.contracts import FIRST_YEAR, LAST_YEAR


@dataclass(frozen=True)
class CodedDate:
    """A date read from year/month/day parts, with its precision and the parts as written."""

    when: pd.Series
    precision: pd.Series
    written: pd.Series


def coded_date(year: pd.Series, month: pd.Series, day: pd.Series) -> CodedDate:
    """The date, "day" or "month" precision, and the text quarantine shows for a bad date."""
    when, precision = dates_from_parts(year, month, day)
    return CodedDate(when=when, precision=precision, written=date_text(year, month, day))


def end_not_before_start(
    start: pd.Series, year: pd.Series, month: pd.Series, day: pd.Series
) -> pd.Series:
    """The end date, never earlier than the start when only the end's month is known.

    An end known only to the month reads as the first of that month, which can fall before a
    start known to the day in the same month; an event cannot end before it began.
    """
    end, _ = dates_from_parts(year, month, day)
    return end.where(~(end < start) | day.between(1, 31).fillna(False), start)


def date_text(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Year-month-day as the source coded them, for showing a bad date to a person."""
    parts = [pd.Series(part).astype("string").fillna("?") for part in (year, month, day)]
    return parts[0] + "-" + parts[1] + "-" + parts[2]


def dates_from_parts(
    year: pd.Series, month: pd.Series, day: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Dates from year/month/day columns where a day outside 1-31 means 'day not known'.

    Returns (date, precision): a missing day gives the first of the month with precision
    "month"; an impossible calendar date (30 February) or a year outside FIRST_YEAR-LAST_YEAR
    gives NaT so the row is quarantined.
    """
    year = pd.to_numeric(year, errors="coerce")
    month = pd.to_numeric(month, errors="coerce")
    day = pd.to_numeric(day, errors="coerce")
    day_known = day.between(1, 31).fillna(False)
    parts = pd.DataFrame({"year": year, "month": month, "day": day.where(day_known, 1)}).astype(
        "Float64"
    )
    valid = (
        parts.notna().all(axis=1)
        & parts["month"].between(1, 12).fillna(False)
        & parts["year"].between(FIRST_YEAR, LAST_YEAR).fillna(False)
    )
    text = (
        parts["year"].astype("Int64").astype("string").str.zfill(4)
        + "-"
        + parts["month"].astype("Int64").astype("string").str.zfill(2)
        + "-"
        + parts["day"].astype("Int64").astype("string").str.zfill(2)
    )
    dates = pd.to_datetime(text.where(valid), format="%Y-%m-%d", errors="coerce")
    precision = pd.Series(np.where(day_known, "day", "month"), index=year.index, dtype="string")
    return dates.astype("datetime64[ns]"), precision
