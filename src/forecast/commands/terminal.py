"""What the commands print: tables of a user's values, shown as written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.markup import escape
from rich.table import Table


def values_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A table of values from a user's files, each printed as written: `[/x]` is never read as
    rich markup, and long values fold inside their column."""
    table = Table(title=escape(title), title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(value)) for value in row))
    return table
