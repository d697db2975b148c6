"""The Newton-Cholesky Hessian of scikit-learn's logistic regression as a symmetric product.

scikit-learn's `newton-cholesky` solver forms `X' diag(W) X` at every step with a general
matrix product, and its own comment says why: BLAS's symmetric rank-k update (SYRK) needs the
square root of the weights first. The logistic weights are p(1 - p) times the sample weights,
never negative, and their square roots cost nothing beside the product; SYRK then does half the
arithmetic. The spline logit's design (a few hundred spline columns, every training trigger) made
that product more than half of its fits.

The result is the same matrix up to the order of floating-point sums (tests compare it to 1e-12
relative), so Newton takes the same steps to the same optimum. `symmetric_hessian()` swaps the
product in for the duration of a fit, only for the scikit-learn versions whose helper it replaces
(`PATCHED_VERSIONS`), and only for dense float64 designs; anything else is scikit-learn's own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# The releases whose `_linear_loss.sandwich_dot(X, W)` is the general product this replaces.
PATCHED_VERSIONS = ("1.8.", "1.9.")
# Re-entrant: a fit inside a fit must not wait on itself.
_LOCK = threading.RLock()


def symmetric_sandwich(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`matrix' diag(weights) matrix` by SYRK on `sqrt(weights) * matrix` (weights >= 0)."""
    from scipy.linalg.blas import dsyrk

    root = np.sqrt(weights)[:, None] * matrix
    # root' root as (root')(root')': the transpose is already the column-major matrix BLAS
    # reads, so nothing is copied. SYRK fills the upper triangle only.
    upper = dsyrk(1.0, root.T, trans=0)
    return np.triu(upper) + np.triu(upper, 1).T


def applies() -> bool:
    """Whether the installed scikit-learn has the general product this module replaces."""
    import sklearn

    return sklearn.__version__.startswith(PATCHED_VERSIONS)


@contextmanager
def symmetric_hessian() -> Iterator[None]:
    """Within the block, Newton-Cholesky builds dense float64 Hessians with SYRK."""
    if not applies():
        yield
        return
    from scipy import sparse
    from sklearn.linear_model import _linear_loss

    with _LOCK:
        general = _linear_loss.sandwich_dot

        def sandwich_dot(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
            if (
                sparse.issparse(matrix)
                or matrix.dtype != np.float64
                or weights.dtype != np.float64
                or (weights < 0).any()
            ):
                return general(matrix, weights)
            return symmetric_sandwich(matrix, weights)

        _linear_loss.sandwich_dot = sandwich_dot
        try:
            yield
        finally:
            _linear_loss.sandwich_dot = general
