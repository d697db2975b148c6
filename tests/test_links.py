"""The link functions the models score with are scipy's, to rounding, without scipy.

A cold forecast imports no scipy (`tests/test_predict_imports.py`), so `expit`, `logit` and
the normal quantile are written out in `forecast.models.common`; these checks hold them to the
functions they replace. The same formula agrees to the bit only where both call the same
`exp` and `log`: numpy's are its own vectorised ones, and scipy 1.17.1 calls the C library's,
which differ in the last place for about one value in twenty. So the bound is two units in the
last place (ULP), the most one rounded `exp` or `log` can move the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from forecast.models.common import expit, logit, normal_quantile

RNG = np.random.default_rng(20261207)


LAST_PLACES = 2


def test_expit_is_scipys_to_two_units_in_the_last_place_and_keeps_a_series() -> None:
    x = np.concatenate([RNG.normal(0, 4, 200_000), [-800.0, -40.0, 0.0, 40.0, 800.0]])
    np.testing.assert_array_max_ulp(expit(x), special.expit(x), maxulp=LAST_PLACES)
    series = pd.Series(x[:5], index=list("abcde"), name="eta")
    pd.testing.assert_series_equal(expit(series), special.expit(series), rtol=1e-15)


def test_logit_is_scipys_to_two_units_in_the_last_place_on_either_side_of_one_half() -> None:
    """Near one half the ratio form loses digits: the log1p form keeps them, as scipy's does."""
    p = np.concatenate(
        [RNG.uniform(0, 1, 200_000), RNG.uniform(0.29, 0.66, 50_000), [0.0, 1e-6, 0.3, 0.65, 1.0]]
    )
    np.testing.assert_array_max_ulp(logit(p), special.logit(p), maxulp=LAST_PLACES)
    assert logit(np.array([0.5]))[0] == 0.0


def test_the_normal_quantile_is_scipys_to_within_rounding() -> None:
    for level in (0.5, 0.8, 0.9, 0.95, 0.99):
        assert abs(normal_quantile(level) - stats.norm.ppf(0.5 + level / 2)) < 1e-14
