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

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from forecast.models.library_swap import sklearn_release_in, swapped

# The releases whose `_linear_loss.sandwich_dot(X, W)` is the general product this replaces.
PATCHED_VERSIONS = ("1.8.", "1.9.")


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
    return sklearn_release_in(PATCHED_VERSIONS)


@contextmanager
def symmetric_hessian() -> Iterator[None]:
    """Within the block, Newton-Cholesky builds dense float64 Hessians with SYRK."""
    if not applies():
        yield
        return
    from sklearn.linear_model import _linear_loss

    with swapped(_linear_loss, "sandwich_dot", _symmetric_where_possible):
        yield


def _symmetric_where_possible(general: Callable) -> Callable:
    """`sandwich_dot` by SYRK for dense float64 inputs with weights >= 0, else `general`."""
    from scipy import sparse

    def sandwich_dot(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
        if (
            sparse.issparse(matrix)
            or matrix.dtype != np.float64
            or weights.dtype != np.float64
            or (weights < 0).any()
        ):
            return general(matrix, weights)
        return symmetric_sandwich(matrix, weights)

    return sandwich_dot
