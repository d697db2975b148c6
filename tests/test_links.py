"""The link functions the models score with are scipy's, to the last bit, without scipy.

A cold forecast imports no scipy (`tests/test_predict_imports.py`), so `expit`, `logit` and
the normal quantile are written out in `forecast.models.common`; these checks hold them to the
functions they replace, so no forecast or metric moves by a single bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from forecast.models.common import expit, logit, normal_quantile

RNG = np.random.default_rng(20261207)


def test_expit_is_scipys_bit_for_bit_and_keeps_a_series() -> None:
    x = np.concatenate([RNG.normal(0, 4, 200_000), [-800.0, -40.0, 0.0, 40.0, 800.0]])
    assert np.array_equal(expit(x), special.expit(x))
    series = pd.Series(x[:5], index=list("abcde"), name="eta")
    pd.testing.assert_series_equal(expit(series), special.expit(series))


def test_logit_is_scipys_bit_for_bit_on_either_side_of_one_half() -> None:
    p = np.concatenate(
        [RNG.uniform(0, 1, 200_000), RNG.uniform(0.29, 0.66, 50_000), [0.0, 1e-6, 0.3, 0.65, 1.0]]
    )
    assert np.array_equal(logit(p), special.logit(p))


def test_the_normal_quantile_is_scipys_to_within_rounding() -> None:
    for level in (0.5, 0.8, 0.9, 0.95, 0.99):
        assert abs(normal_quantile(level) - stats.norm.ppf(0.5 + level / 2)) < 1e-14
