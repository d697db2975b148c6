"""Rules every model shares: what it may learn from, and probabilities that rise with H."""

import numpy as np
import pandas as pd
import pytest

from forecast.core.errors import ForecastError
from forecast.models.common import FeatureMemory, numeric_feature_names


def test_a_flag_set_in_only_three_of_thousands_of_rows_is_not_learned_from() -> None:
    rare = np.zeros(5000)
    rare[:3] = 1
    features = pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(5000)],
            "rare_flag": rare,
            "force_count": np.arange(5000) % 7,
        }
    )
    assert numeric_feature_names(features) == ["force_count"]


def test_small_tables_keep_a_flag_seen_in_one_percent_of_rows() -> None:
    flag = np.zeros(300)
    flag[:3] = 1
    features = pd.DataFrame({"episode_id": range(300), "flag": flag})
    assert numeric_feature_names(features) == ["flag"]


def test_constant_columns_are_never_features() -> None:
    features = pd.DataFrame({"episode_id": range(10), "always_one": 1.0})
    assert numeric_feature_names(features) == []


def test_probabilities_never_fall_as_the_horizon_grows() -> None:
    values = np.array([[0.37, 0.28, 0.24, 0.99], [0.1, 0.2, 0.3, 0.4]])
    frame = FeatureMemory()._frame(values, pd.RangeIndex(2), [7, 30, 90, 365])
    assert frame.loc[0].tolist() == [0.37, 0.37, 0.37, 0.99]
    assert frame.loc[1].tolist() == [0.1, 0.2, 0.3, 0.4]
    assert frame.columns.tolist() == [7, 30, 90, 365]


class _Remembering(FeatureMemory):
    name = "remembering"


def _fitted_memory() -> _Remembering:
    training = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan, np.nan, np.nan], "c": [0, 1, 1]})
    memory = _Remembering()
    memory._remember(training, ["c", "a", "b"])
    return memory


def test_matrix_takes_the_models_columns_in_its_own_order() -> None:
    table = pd.DataFrame({"a": [5.0], "extra": ["x"], "c": pd.array([True], dtype="boolean")})
    table["b"] = 7.0
    assert _fitted_memory()._matrix(table).tolist() == [[1.0, 5.0, 7.0]]


def test_matrix_fills_gaps_with_training_medians_and_zero_where_none_was_seen() -> None:
    table = pd.DataFrame(
        {"a": [np.nan, 4.0], "b": [np.nan, 2.0], "c": pd.array([pd.NA, 0], dtype="Int64")}
    )
    assert _fitted_memory()._matrix(table).tolist() == [[1.0, 2.0, 0.0], [0.0, 4.0, 2.0]]


def test_matrix_names_the_training_columns_a_table_lacks() -> None:
    with pytest.raises(ForecastError, match=r"lack column.*a, b"):
        _fitted_memory()._matrix(pd.DataFrame({"c": [1.0]}))
