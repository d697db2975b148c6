"""The day-0 forecast seen from a later day with no answer yet.

A forecast made on the trigger's day gives P(answer by day H) at each horizon. An analyst who
comes back on day k knows that no answer came on days 1..k, so the chance that matters is
P(answer in (k, H] | none by k) = (F(H) - F(k)) / (1 - F(k)), with F the forecast's
cumulative chance of an answer by each day. The horizons give F at 7, 30, 90 and 365 days;
between them (and before the first) F follows the timing shape: the share of answers within
the last horizon that came by each day, counted on the training triggers. Joining the horizon
numbers through that shape keeps the forecast's own horizon numbers and borrows only the
within-window timing, which the horizons cannot tell.

numpy only: a cold forecast imports this.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def timing_shape(delays: np.ndarray, last_day: int) -> np.ndarray:
    """G[d], d = 0..last_day: the share of the answers within `last_day` that came by day d.

    `delays` are days to the first answer (NaN: none). With no answer at all the shape is
    linear in log-days, the curve the band models' horizons are joined with elsewhere.
    """
    days = np.asarray(delays, dtype=float)
    days = days[np.isfinite(days) & (days >= 0) & (days <= last_day)].astype(np.int64)
    if days.size == 0:
        grid = np.log1p(np.arange(last_day + 1, dtype=float))
        return grid / grid[-1]
    counts = np.bincount(days, minlength=last_day + 1).astype(float)
    return np.cumsum(counts) / counts.sum()


def answered_by(
    p: np.ndarray,
    horizons: Sequence[int],
    shape: np.ndarray,
    days: np.ndarray,
    curves: CurveRows | None = None,
) -> np.ndarray:
    """F(k): each forecast's chance of an answer by its day k, through its horizon numbers.

    `p` is (n, len(horizons)) in ascending horizon order; `days` (n,) are whole days. Between
    two horizons a < k <= b (a = 0 with F = 0 before the first), F moves from p_a to p_b as
    the timing shape moves from G(a) to G(b); past the last horizon F stays at its number.
    The shape is `shape` (one for all rows), or each row's own curve where `curves` has one.
    """
    return _through_horizons(_cumulative(p), horizons, shape, days, curves)


def _cumulative(p: np.ndarray) -> np.ndarray:
    """The horizon probabilities as a cumulative chance: in [0, 1], never falling with H."""
    return np.maximum.accumulate(np.clip(np.asarray(p, dtype=float), 0.0, 1.0), axis=1)


def _through_horizons(
    cumulative: np.ndarray,
    horizons: Sequence[int],
    shape: np.ndarray,
    days: np.ndarray,
    curves: CurveRows | None,
) -> np.ndarray:
    order = np.asarray(horizons, dtype=np.int64)
    knots = np.concatenate([[0], order])
    values = np.hstack([np.zeros((len(cumulative), 1)), cumulative])
    k = np.clip(np.asarray(days, dtype=np.int64), 0, order[-1])
    segment = np.clip(np.searchsorted(order, k, side="left"), 0, len(order) - 1)
    low_day, high_day = knots[segment], knots[segment + 1]
    rows = np.arange(len(k))
    low_p, high_p = values[rows, segment], values[rows, segment + 1]
    g = np.asarray(shape, dtype=float)
    g_low, g_high, g_k = g[low_day], g[high_day], g[k]
    if curves is not None:
        own = [curves.at(day) for day in (low_day, high_day, k)]
        usable = np.isfinite(own[0]) & np.isfinite(own[1]) & np.isfinite(own[2])
        g_low, g_high, g_k = (
            np.where(usable, mine, pooled)
            for mine, pooled in zip(own, (g_low, g_high, g_k), strict=True)
        )
    span = g_high - g_low
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(span > 0, (g_k - g_low) / span, (k - low_day) / (high_day - low_day))
    return low_p + (high_p - low_p) * np.clip(share, 0.0, 1.0)


def renormalised(
    p: np.ndarray,
    horizons: Sequence[int],
    shape: np.ndarray,
    days: np.ndarray,
    curves: CurveRows | None = None,
) -> np.ndarray:
    """P(answer in (k, H] | none by day k) for every horizon: (n, len(horizons)).

    NaN where the horizon's window has closed (H <= k): nothing is left to forecast there.
    """
    cumulative = _cumulative(p)
    by_k = _through_horizons(cumulative, horizons, shape, days, curves)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        left = np.where(by_k < 1.0, (cumulative - by_k) / (1.0 - by_k), 0.0)
    closed = np.asarray(horizons)[None, :] <= np.asarray(days)[:, None]
    return np.where(closed, np.nan, np.clip(left, 0.0, 1.0))


class CurveRows:
    """Each row's own P(answer by day d) on a day grid, read at any day of that grid.

    Day 0 reads 0; a row whose curve is missing (NaN), or a day off the grid, reads NaN, and
    `answered_by` then uses the shared shape for that row.
    """

    def __init__(self, cumulative: np.ndarray, grid: Sequence[int]) -> None:
        self.values = np.asarray(cumulative, dtype=float)
        self.grid = np.asarray(grid, dtype=np.int64)

    def rows(self, mask: np.ndarray) -> CurveRows:
        """The curves of the rows `mask` selects."""
        return CurveRows(self.values[mask], self.grid)

    def at(self, days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        column = np.searchsorted(self.grid, days)
        inside = (column < len(self.grid)) & (
            self.grid[np.minimum(column, len(self.grid) - 1)] == days
        )
        rows = np.arange(len(days))
        found = self.values[rows, np.minimum(column, len(self.grid) - 1)]
        return np.where(days == 0, 0.0, np.where(inside, found, np.nan))
