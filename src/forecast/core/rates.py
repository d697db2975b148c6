"""Counted rates and their intervals: how often something happened, and how sure that is.

Both the notebooks' tables and the outside view beside every forecast quote the share of
triggers answered within a horizon; one interval serves both, so they cannot disagree.
"""

from __future__ import annotations

import numpy as np

# The two-sided 90 % normal quantile: every interval the project quotes is a 90 % one.
Z_90 = 1.6448536269514722


def wilson_interval(
    successes: np.ndarray, trials: np.ndarray, z: float = Z_90
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (well behaved at 0, 1 and small counts)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = k / n
        centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half
