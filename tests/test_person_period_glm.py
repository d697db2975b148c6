"""The person-period GLM's grouped Hessian is statsmodels' own, and so is the fit it leads to."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from forecast.models.person_period_glm import PersonPeriodLayout, person_period_glm
from forecast.models.timing import DEFAULT_EDGES, PersonPeriods


def _table(seed: int, triggers: int = 600) -> tuple[PersonPeriodLayout, PersonPeriods]:
    """Triggers at risk for a few intervals each, some answered, with a smooth time basis."""
    rng = np.random.default_rng(seed)
    design = rng.normal(size=(triggers, 4))
    duration = np.ceil(rng.exponential(40 * np.exp(-0.4 * design[:, 0]), triggers))
    observed = rng.random(triggers) < 0.6
    periods = PersonPeriods.of(duration, observed, DEFAULT_EDGES)
    middles = np.log(np.diff(DEFAULT_EDGES) / 2 + np.array(DEFAULT_EDGES[:-1]) + 1)
    knots = np.linspace(middles.min(), middles.max(), 3)
    basis = np.exp(-((middles[:, None] - knots[None, :]) ** 2))
    basis /= basis.sum(axis=1, keepdims=True)
    return PersonPeriodLayout(basis, design, periods.person, periods.interval), periods


def test_sandwich_equals_the_product_over_every_row() -> None:
    layout, _ = _table(1)
    rows = layout.rows()
    weight = np.random.default_rng(2).uniform(-1, 3, len(rows))
    np.testing.assert_allclose(
        layout.sandwich(weight), rows.T @ (weight[:, None] * rows), rtol=1e-12, atol=1e-12
    )


FAMILIES = {
    "cloglog": lambda: sm.families.Binomial(link=sm.families.links.CLogLog()),
    "poisson": sm.families.Poisson,
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("observed", [True, False])
def test_hessian_is_statsmodels_own(family: str, observed: bool) -> None:
    layout, periods = _table(3)
    outcome, offset = periods.event.astype(float), np.log(periods.exposure)
    ours = person_period_glm(outcome, layout, FAMILIES[family](), offset)
    theirs = sm.GLM(outcome, layout.rows(), family=FAMILIES[family](), offset=offset)
    params = np.random.default_rng(4).normal(scale=0.3, size=layout.rows().shape[1])
    np.testing.assert_allclose(
        ours.hessian(params, observed=observed),
        theirs.hessian(params, observed=observed),
        rtol=1e-10,
        atol=1e-10,
    )


def test_newton_fit_reaches_statsmodels_optimum_and_errors() -> None:
    layout, periods = _table(5, triggers=1500)
    outcome, offset = periods.event.astype(float), np.log(periods.exposure)
    groups = periods.person % 97
    fits = []
    for model in (
        person_period_glm(outcome, layout, FAMILIES["cloglog"](), offset),
        sm.GLM(outcome, layout.rows(), family=FAMILIES["cloglog"](), offset=offset),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(model.fit(method="newton", cov_type="cluster", cov_kwds={"groups": groups}))
    ours, theirs = fits
    np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.cov_params(), theirs.cov_params(), rtol=1e-8, atol=1e-14)
    assert ours.mle_retvals["iterations"] == theirs.mle_retvals["iterations"]


def test_rank_and_degrees_of_freedom_are_statsmodels_own() -> None:
    layout, periods = _table(6)
    outcome, offset = periods.event.astype(float), np.log(periods.exposure)
    ours = person_period_glm(outcome, layout, FAMILIES["poisson"](), offset)
    theirs = sm.GLM(outcome, layout.rows(), family=FAMILIES["poisson"](), offset=offset)
    assert (ours.df_model, ours.df_resid, ours.wnobs) == (
        theirs.df_model,
        theirs.df_resid,
        theirs.wnobs,
    )
    assert ours.df_model == layout.rows().shape[1] - 1
