"""The hazard GLM's Hessian from per-trigger and per-interval sums, not the whole table.

The person-period table repeats each trigger's row once for every interval it was at risk in
(about five on the real data: 100,000 rows for 19,000 triggers), and its columns are the
interval's time basis `B[k]` beside the trigger's own features `D[i]`. statsmodels' GLM builds
the Hessian `-X' diag(f) X` as a product over all those rows at every Newton step, which was
most of a `hazard_glm` fit. Since a row is `(B[k], D[i])`, the same sums group:

    D' diag(f summed per trigger) D,   B' diag(f summed per interval) B,   B' (F' D)

with `F[i, k]` the weight of trigger i's row in interval k. The largest product then runs over
the triggers, not the rows (and the table's rank, which statsmodels takes from an SVD of every
row, is that of the small X'X). The values are statsmodels' own up to the order of floating-point
sums (tests/test_person_period_glm.py compares them to 1e-10 relative), so Newton stops at the
same optimum; the likelihood, the score and the clustered errors are statsmodels' code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import statsmodels.api as sm


@dataclass(frozen=True)
class PersonPeriodLayout:
    """How the table's rows are made: row r is `(basis[interval[r]], design[person[r]])`."""

    basis: np.ndarray
    design: np.ndarray
    person: np.ndarray
    interval: np.ndarray

    def rows(self) -> np.ndarray:
        """The person-period design matrix these blocks stand for."""
        return np.hstack([self.basis[self.interval], self.design[self.person]])

    def sandwich(self, weight: np.ndarray) -> np.ndarray:
        """`X' diag(weight) X` of `rows()`, from sums over triggers and intervals."""
        triggers, intervals = len(self.design), len(self.basis)
        per_interval = np.bincount(self.interval, weights=weight, minlength=intervals)
        per_trigger = np.bincount(self.person, weights=weight, minlength=triggers)
        cells = np.bincount(
            self.person * intervals + self.interval, weights=weight, minlength=triggers * intervals
        ).reshape(triggers, intervals)
        basis_block = self.basis.T @ (per_interval[:, None] * self.basis)
        design_block = self.design.T @ (per_trigger[:, None] * self.design)
        cross = self.basis.T @ (cells.T @ self.design)
        return np.block([[basis_block, cross], [cross.T, design_block]])


def person_period_glm(
    outcome: np.ndarray,
    layout: PersonPeriodLayout,
    family: sm.families.Family,
    offset: np.ndarray,
) -> sm.GLM:
    """A statsmodels GLM on `layout.rows()` whose Hessian is `layout.sandwich` of its weights.

    The time basis sums to one in every interval, so the constant is there (`hasconst`), which
    spares statsmodels a rank check of the whole table.
    """
    import statsmodels.api as sm

    class PersonPeriodGLM(sm.GLM):
        """GLM whose `hessian` groups the rows first, and whose rank is that of the small
        cross-product matrix; everything else is statsmodels'."""

        def initialize(self) -> None:
            """statsmodels' `initialize`, with the rank taken from X'X (a few dozen columns
            square, the same rank) instead of an SVD of every row (a tenth of a fit)."""
            self.df_model = np.linalg.matrix_rank(layout.sandwich(np.ones(len(layout.person)))) - 1
            weights = self.freq_weights
            self.wnobs = weights.sum() if weights is not None else self.exog.shape[0]
            self.df_resid = self.wnobs - self.df_model - 1

        def hessian(
            self, params: np.ndarray, scale: float | None = None, observed: bool | None = None
        ) -> np.ndarray:
            if observed is None:
                observed = self._optim_hessian != "eim"
            factor = self.hessian_factor(params, scale=scale, observed=observed)
            return -layout.sandwich(factor)

    return PersonPeriodGLM(outcome, layout.rows(), family=family, offset=offset, hasconst=True)
