"""The pieces a forecast is explained with: effects against a typical case, and rare inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.predict import Incident
from forecast.predict.caveats import extrapolation_caveat
from forecast.predict.explain import condition, probabilities_and_effects


class _AddsFeatures:
    """p at every horizon is the sum of the features: effects can be read off by eye."""

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        total = features.sum(axis=1).to_numpy()
        return pd.DataFrame({7: total, 30: total})


def _incident() -> Incident:
    return Incident(
        initiator=2, target=365, date=pd.Timestamp("2010-03-01"), action="attack", hostility=4
    )


def test_effect_is_headline_p_minus_p_with_that_feature_typical() -> None:
    features = pd.DataFrame({"a": [0.3], "b": [0.1]})
    reference = pd.Series({"a": 0.1, "b": 0.1})
    p, effects = probabilities_and_effects(_AddsFeatures(), features, reference, 30)
    assert np.isclose(p.loc[0, 30], 0.4)
    assert np.allclose(effects, [[0.2, 0.0]])


def test_a_flag_meaning_reads_as_the_condition_it_tests() -> None:
    assert condition("1 if the target struck back last year, 0 if not (MIE)") == (
        "the target struck back last year"
    )


def test_extrapolation_caveat_lists_three_inputs_and_counts_the_rest() -> None:
    rare = [(f"f{i}", 1.0, i) for i in range(5)]
    (caveat,) = extrapolation_caveat(rare, {}, _incident())
    assert "f0" in caveat and "f2" in caveat and "f3" not in caveat
    assert "and 2 more" in caveat


def test_a_measure_over_nested_windows_is_varied_as_one() -> None:
    features = pd.DataFrame({"count_7d": [0.3], "count_30d": [0.5], "other": [0.0]})
    reference = pd.Series({"count_7d": 0.1, "count_30d": 0.2, "other": 0.0})
    _, effects = probabilities_and_effects(_AddsFeatures(), features, reference, 30)
    # Both windows reset together (0.2 + 0.3); the effect sits on the 30-day member only.
    assert np.allclose(effects, [[0.0, 0.5, 0.0]])
