"""User-facing errors: what went wrong, where (file, row, column) and what to do.

The CLI prints these as one line and exits 1 without a traceback; anything else is a bug.
"""

from __future__ import annotations


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


class UnknownCountryError(ForecastError):
    """A country name or code could not be resolved to a COW code."""
