"""Which engine a stage runs on, and a stage's outcome as the command prints it."""

from __future__ import annotations

from dataclasses import dataclass, field

from forecast.core.config import Params
from forecast.core.errors import ForecastError


def chosen_engine(params: Params, engine: str | None) -> str:
    """The engine a stage runs on: the one asked for, else params.yaml's `engine`."""
    chosen = engine or params.engine
    if chosen not in ("local", "spark"):
        raise ForecastError(f"--engine must be local or spark, not {chosen!r}")
    return chosen


@dataclass(frozen=True)
class StageOutcome:
    """What a table-building stage did: the data banner, warnings and one summary line."""

    banner: str
    summary: str
    warnings: list[str] = field(default_factory=list)
    engine: str = "local"
