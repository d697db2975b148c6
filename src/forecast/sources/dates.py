"""Event dates as the MID family and ICB code them: year, month and day columns.

Each adapter reads a start (and sometimes an end) from three numeric columns with the same
rules for an unknown day; keeping the rules here means a trigger's date precision means the
same thing whichever source it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.sources.base import date_text, dates_from_parts


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
