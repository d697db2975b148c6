"""The vectorised Breslow likelihood against statsmodels' own, and the GLM start against IRLS."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from forecast.models.breslow import breslow_phreg
from forecast.models.common import align
from forecast.models.timing import HazardGLM, PersonPeriods, _durations, baseline_start
from tests.fixtures_models import HORIZONS, make_world

TERMS = ("breslow_loglike", "breslow_gradient", "breslow_hessian")


def _tied_sample(seed: int, n: int = 600, columns: int = 5) -> tuple[np.ndarray, ...]:
    """Daily durations with many ties, censoring at a horizon and some never-at-risk rows."""
    rng = np.random.default_rng(seed)
    exog = rng.normal(size=(n, columns))
    exog[:, 0] = rng.integers(0, 2, size=n)  # a flag, as many features are
    duration = np.minimum(rng.geometric(0.02, size=n), 120).astype(float)
    status = ((rng.random(n) < 0.5) & (duration < 120)).astype(float)
    return duration, exog, status, rng.normal(scale=0.3, size=columns)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("term", TERMS)
def test_each_term_is_statsmodels_own_to_rounding(seed: int, term: str) -> None:
    duration, exog, status, params = _tied_sample(seed)
    reference = getattr(sm.PHReg(duration, exog, status=status, ties="breslow"), term)(params)
    fast = getattr(breslow_phreg(duration, exog, status), term)(params)
    np.testing.assert_allclose(fast, reference, rtol=1e-10, atol=1e-10)


def test_rows_censored_before_the_first_failure_count_for_nothing() -> None:
    duration, exog, status, params = _tied_sample(3)
    first_failure = duration[status == 1].min()
    early = np.array([first_failure - 0.5, first_failure - 0.5])
    duration = np.concatenate([early, duration])
    exog = np.vstack([np.full((2, exog.shape[1]), 9.0), exog])
    status = np.concatenate([[0.0, 0.0], status])
    reference = sm.PHReg(duration, exog, status=status, ties="breslow")
    fast = breslow_phreg(duration, exog, status)
    for term in TERMS:
        np.testing.assert_allclose(
            getattr(fast, term)(params), getattr(reference, term)(params), rtol=1e-10
        )


def test_the_fit_reaches_statsmodels_optimum() -> None:
    duration, exog, status, _ = _tied_sample(4, n=1500)
    reference = sm.PHReg(duration, exog, status=status, ties="breslow").fit()
    fast = breslow_phreg(duration, exog, status).fit()
    np.testing.assert_allclose(fast.params, reference.params, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(fast.cov_params(), reference.cov_params(), rtol=1e-8)


def test_late_entry_keeps_statsmodels_own_walk() -> None:
    """Entry times move triggers out of risk sets mid-walk: the fast path does not apply."""
    duration, exog, status, params = _tied_sample(5)
    entry = np.where(np.arange(len(duration)) % 3 == 0, duration / 2, 0.0)
    reference = sm.PHReg(duration, exog, status=status, entry=entry, ties="breslow")
    fast = breslow_phreg(duration, exog, status)
    fast.surv = reference.surv  # the same model with late entries
    for term in TERMS:
        np.testing.assert_array_equal(getattr(fast, term)(params), getattr(reference, term)(params))


def test_the_hazard_glm_start_reaches_the_irls_start_optimum() -> None:
    """Newton from the crude rates ends where statsmodels' three IRLS steps led it before."""
    features, episodes = align(*reversed(make_world(n_triggers=1500, seed=11)))
    model = HazardGLM(HORIZONS).fit(features, episodes)
    duration, observed = _durations(episodes)
    design = model._centred(features) / model.scales_
    periods = PersonPeriods.of(duration, observed, model.edges)
    basis = model._time_basis()
    exog = np.hstack([basis[periods.interval], design[periods.person]])
    start = baseline_start(periods, basis, exog.shape[1])
    family = sm.families.Binomial(link=sm.families.links.CLogLog())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        irls_started = sm.GLM(
            periods.event.astype(float), exog, family=family, offset=np.log(periods.exposure)
        ).fit(method="newton", maxiter=25)
    assert model.link_ == "cloglog"
    np.testing.assert_allclose(model.coef_ * model.scales_, irls_started.params[basis.shape[1] :],
                               rtol=1e-7, atol=1e-9)  # fmt: skip
    # The start is the baseline's crude rates with every effect at zero.
    assert np.all(start[basis.shape[1] :] == 0)
    assert np.all(np.isfinite(start))
