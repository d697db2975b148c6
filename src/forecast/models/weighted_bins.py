"""One sort per feature when scikit-learn bins weighted rows for gradient boosting.

scikit-learn 1.8 and 1.9 find a weighted feature's bin edges (up to 255 of them) with one
`_weighted_percentile` call per edge, and each call sorts the whole column again. The boosted
hazard is fitted with weights (a trigger censored inside an interval counts for the share of
it that was watched), so on its person-period table those sorts were most of the fit (about a
fifth of the backtest's CPU on the synthetic world). `_weighted_percentile` accepts every rank
at once and then sorts once, but still walks the ranks in a Python loop of a dozen array calls
each (a second per fit of the boosted hazard on the full real table). `weighted_ranks` does that
walk for all ranks at once, in the same float64 operations on the same sorted order and
cumulative weights, so every edge is the same number and the fitted boosters are bit for bit
those of the slow path (tests/test_weighted_bins.py compares the two).

`faster_weighted_binning()` swaps the threshold finder in for the duration of a fit. It only
does so for the scikit-learn versions whose slow path it replaces (`PATCHED_VERSIONS`); any
other version is left alone, so an upgrade that changes the binning cannot be shadowed.
scikit-learn is imported inside the functions: a fitted model scores without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from forecast.models.library_swap import sklearn_release_in, swapped

# The releases whose `_find_binning_thresholds` loops over percentiles with sample weights.
PATCHED_VERSIONS = ("1.8.", "1.9.")


def find_binning_thresholds(
    col_data: np.ndarray, max_bins: int, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    """scikit-learn's `_find_binning_thresholds` (1.8-1.9), asking for all weighted ranks at once.

    The body follows scikit-learn's own line for line (BSD-3-Clause, the scikit-learn
    developers); only the weighted branch differs: `weighted_ranks` finds every rank at once.
    """
    from sklearn.ensemble._hist_gradient_boosting.binning import ALMOST_INF, X_DTYPE

    missing_mask = np.isnan(col_data)
    any_missing = missing_mask.any()
    if any_missing:
        col_data = col_data[~missing_mask]
    if sample_weight is not None:
        if any_missing:
            sample_weight = sample_weight[~missing_mask]
        nonzero = sample_weight != 0
        col_data = col_data[nonzero]
        sample_weight = sample_weight[nonzero]
    sort_idx = np.argsort(col_data)
    col_data = col_data[sort_idx]
    if sample_weight is not None:
        sample_weight = sample_weight[sort_idx]

    distinct_values = np.unique(col_data).astype(X_DTYPE)
    if len(distinct_values) == 1:
        return np.asarray([])
    percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
    if len(distinct_values) <= max_bins:
        bin_thresholds = np.lib.stride_tricks.sliding_window_view(distinct_values, 2).mean(axis=1)
    elif sample_weight is None:
        bin_thresholds = np.percentile(col_data, percentiles, method="averaged_inverted_cdf")
    else:
        bin_thresholds = weighted_ranks(col_data, sample_weight, percentiles)
    unique_bin_values = np.unique(bin_thresholds)
    if unique_bin_values.shape[0] != bin_thresholds.shape[0]:
        bin_thresholds = unique_bin_values
    np.clip(bin_thresholds, a_min=None, a_max=ALMOST_INF, out=bin_thresholds)
    return bin_thresholds


def weighted_ranks(values: np.ndarray, weights: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """scikit-learn's `_weighted_percentile(values, weights, ranks, average=True)` (1.8-1.9) for
    one column of positive weights without missing values, every rank in one array operation.

    Each step is the library's, element for element: the same unstable argsort of the column as
    an (n, 1) array (ties keep the library's order, so the cumulative weights are the same
    sums), rank / 100 times the total weight, the left-sided search, and the average with the
    next value unless the cumulative weight passes the rank by more than the float64 epsilon.
    The caller has dropped zero weights and missing values, the two cases the library's loop
    treats one column at a time.
    """
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values[:, None], axis=0)[:, 0]
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    ranks = np.asarray(ranks, dtype=np.float64)
    adjusted = ranks / 100 * cumulative[-1]
    # The library nudges a zero rank above zero so that leading zero weights are skipped.
    zero = adjusted == 0
    adjusted[zero] = np.nextafter(adjusted[zero], adjusted[zero] + 1)
    last = len(values) - 1
    at = np.clip(np.searchsorted(cumulative, adjusted), 0, last)
    above = np.clip(at + 1, 0, last)
    passes = cumulative[at] - adjusted > np.finfo(np.float64).eps
    value, following = values[order[at]], values[order[above]]
    return np.where(passes, value, (value + following) / 2)


def applies() -> bool:
    """Whether the installed scikit-learn has the per-rank loop this module replaces."""
    return sklearn_release_in(PATCHED_VERSIONS)


@contextmanager
def faster_weighted_binning() -> Iterator[None]:
    """Within the block, scikit-learn bins weighted features with one sort per feature."""
    if not applies():
        yield
        return
    from sklearn.ensemble._hist_gradient_boosting import binning

    with swapped(binning, "_find_binning_thresholds", lambda _: find_binning_thresholds):
        yield
