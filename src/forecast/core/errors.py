"""User-facing errors: what went wrong, where (file, row, column) and what to do.

The CLI prints these as one line and exits 1 without a traceback; anything else is a bug.
"""

from __future__ import annotations

# Characters of a user's value an error message quotes: a 5,000-digit "country" or a paragraph
# pasted into a date would otherwise make the one-line error a page long.
QUOTED_CHARACTERS = 40


def quoted(value: object) -> str:
    """A user's value as an error message shows it: its repr (control characters escaped),
    cut after QUOTED_CHARACTERS with its length when longer."""
    if not isinstance(value, str):
        return repr(value)
    if len(value) <= QUOTED_CHARACTERS:
        return repr(value)
    return f"{value[:QUOTED_CHARACTERS]!r}... ({len(value):,} characters)"


class ForecastError(Exception):
    """An error a user can act on (bad input, missing file, unknown country)."""


class DataFileError(ForecastError):
    """A data file is missing, empty, unreadable or lacks expected columns."""

    def __init__(self, path: object, problem: str, hint: str | None = None) -> None:
        message = f"{path}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.path = path


class IncidentFieldError(ForecastError):
    """A field of one incident that no forecast can take.

    The message names the place (file and row), the field and the problem, as every
    ForecastError does; `field` and `problem` are kept apart for the table of bad rows that
    `forecast predict --input` prints beside the forecasts of the good ones.
    """

    def __init__(self, message: str, *, field: str, problem: str) -> None:
        super().__init__(message)
        self.field = field
        self.problem = problem


class UnknownCountryError(ForecastError):
    """A country name or code could not be resolved to a COW code."""
