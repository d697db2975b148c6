"""Logging a stage's run to MLflow only when it is tracked."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType


def tracked(track: bool, log: Callable[[ModuleType], str]) -> str | None:
    """The MLflow run id `log(forecast.tracking.runs)` returns, or None with `--no-track`.

    mlflow loads only for a tracked run, so `--no-track` stays quick.
    """
    if not track:
        return None
    from forecast.tracking import runs

    return log(runs)
