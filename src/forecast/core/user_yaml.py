"""YAML files people write (column and feed mappings), read so that none can hang a command.

PyYAML's safe loader still expands aliases: the "billion laughs" pattern (nine anchors, each a
list of nine aliases of the one before) is 600 bytes that stand for 9^9 values, and the first
error message or `repr` that walks them runs for minutes and gigabytes. A mapping is a few
lines a person types: it never needs an anchor, an alias or more than a few levels of nesting,
so all three are refused while the file is composed, before anything is expanded, with one line
naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from forecast.core.errors import DataFileError

# Levels of nesting a mapping may have (a feed mapping uses three); deeper is refused before
# the loader's recursion can reach Python's limit.
MAX_DEPTH = 20
# A mapping or a feed's code table is kilobytes; a larger file is not one.
MAX_BYTES = 10_000_000


class _Refused(yaml.YAMLError):
    """A construct a user's mapping may not use, found while composing."""


class _PlainLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors, aliases and deep nesting as it composes nodes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _Refused(
                f"line {event.start_mark.line + 1} uses a YAML anchor or alias ({sign}{anchor}): "
                "write each value out where it is used (a mapping file may not repeat values "
                "by reference)"
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(
                f"line {event.start_mark.line + 1} is nested more than {MAX_DEPTH} levels deep "
                "(a mapping needs two or three)"
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_user_yaml(path: Path, kind: str = "mapping") -> Any:
    """The data of a YAML file a person wrote; every way it can be unusable is one DataFileError.

    UTF-8 (a BOM allowed), at most MAX_BYTES, no anchors or aliases, at most MAX_DEPTH levels.
    `kind` names the file in the messages ("column mapping file not found").
    """
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, f"{kind} file not found")
    if not path.is_file():
        raise DataFileError(path, "is not a file", f"give the YAML {kind} file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataFileError(path, f"is {size:,} bytes, more than a {kind} file can be")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            path, f"is not UTF-8 text ({exc.reason} at byte {exc.start})", "save it as UTF-8"
        ) from exc
    try:
        return yaml.load(text, Loader=_PlainLoader)
    except _Refused as exc:
        raise DataFileError(path, str(exc)) from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise DataFileError(path, f"not valid YAML ({_first_line(exc)})") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
