"""A hostile pickle: what a forger would put where the project keeps its models."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class WritesAFile:
    """A pickle that runs code when loaded: it leaves a file behind, so a test can tell."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "code ran"))
