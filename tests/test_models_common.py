"""Rules every model shares: what it may learn from, and probabilities that rise with H."""

import numpy as np
import pandas as pd

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
