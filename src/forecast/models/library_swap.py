"""Swapping one scikit-learn helper for a faster one with the same numbers, for one fit.

Two helpers are replaced this way (`forecast.models.weighted_bins`, `forecast.models.
symmetric_hessian`). Each replacement is checked against a given set of scikit-learn releases
(another release keeps its own code, so an upgrade that changes the helper cannot be shadowed)
and lives only inside a `with` block, restored afterwards even when the fit fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

# Re-entrant: a fit inside a fit (a booster within a stacked model) must not wait on itself.
_LOCK = threading.RLock()


def sklearn_release_in(releases: tuple[str, ...]) -> bool:
    """Whether the installed scikit-learn's version starts with one of `releases` ("1.9.")."""
    import sklearn

    return sklearn.__version__.startswith(releases)


@contextmanager
def swapped(module: ModuleType, name: str, replace: Callable[[Any], Any]) -> Iterator[None]:
    """Within the block `module.name` is `replace(original)`; the original is put back after."""
    with _LOCK:
        original = getattr(module, name)
        setattr(module, name, replace(original))
        try:
            yield
        finally:
            setattr(module, name, original)
