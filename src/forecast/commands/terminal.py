"""What the commands print: a console that cannot be driven by what a user wrote, and tables of
a user's values shown as written.

A note, a value in an import, a file name or an article may hold control characters: `ESC [2J`
clears the screen, `ESC ]0;...BEL` retitles the window, `ESC ]8;;...` plants a link. Every
command prints through `make_console()` or `echo()`, which drop them from the text before rich adds
its own styling, so colours and progress bars still work and what remains ("[2J") prints as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, ConsoleOptions, RenderableType
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table

# C0 controls but newline and tab, DEL, and the C1 controls (0x9b opens a sequence alone).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """The text without the characters a terminal acts on; a tab becomes a space."""
    return _CONTROL.sub("", text).replace("\t", " ")


class _InertRenderable:
    """A renderable whose text segments are made inert; rich's own control segments are kept."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for segment in console.render(self.renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(inert(segment.text), segment.style)


class InertConsole(Console):
    """A rich console that drops control characters from everything it is asked to print."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Print as rich does, each string made inert and each renderable's text likewise."""
        super().print(*(_inert_object(item) for item in objects), **kwargs)


def _inert_object(item: Any) -> Any:
    if isinstance(item, str):
        return inert(item)
    if hasattr(item, "__rich_console__") or hasattr(item, "__rich__"):
        return _InertRenderable(item)
    return inert(str(item))


def make_console(*, stderr: bool = False) -> Console:
    """The console a command prints through (stdout, or stderr for messages)."""
    return InertConsole(stderr=stderr)


def echo(text: str, **kwargs: Any) -> None:
    """typer.echo of a command's plain output (text, JSON, CSV), made inert."""
    typer.echo(inert(text), **kwargs)


def values_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A table of values from a user's files, each printed as written: `[/x]` is never read as
    rich markup, and long values fold inside their column."""
    table = Table(title=escape(title), title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(str(value)) for value in row))
    return table


def print_scored_run(
    console: Console,
    banner: str,
    run_id: str | None,
    tracking_uri: str,
    headline: Any,
    closing: str | None = None,
) -> None:
    """What a scoring stage prints: the data banner, its MLflow run, its headline, a last line.

    One shape for the backtests, so every one says loudly which data it scored first.
    """
    console.print(banner, style="bold yellow", highlight=False, markup=False)
    if run_id is not None:
        console.print(f"MLflow run {run_id} ({tracking_uri})", highlight=False)
    console.print(headline, highlight=False)
    if closing:
        console.print(closing, highlight=False, markup=False)


# The options every stage command takes, spelt once.
ParamsFile = Annotated[Path, typer.Option("--params", help="params file")]
Track = Annotated[bool, typer.Option("--track/--no-track", help="log to MLflow")]
PARAMS = Path("params.yaml")
