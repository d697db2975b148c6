"""What the models said at each backtest origin, and the same forecasts as one long table.

Kept apart from the backtest loop so that scoring, stacking and the files written all read one
shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.evaluation.splits import Split
from forecast.models.common import label_column


@dataclass
class OriginForecasts:
    """What every model said about one origin's test triggers."""

    split: Split
    positions: np.ndarray
    proba: dict[str, np.ndarray]
    survival: dict[str, np.ndarray]
    seconds: dict[str, float]


def long_predictions(
    forecasts: list[OriginForecasts],
    episodes: pd.DataFrame,
    horizons: tuple[int, ...],
    models: list[str] | None = None,
) -> pd.DataFrame:
    """One row per (trigger, model, horizon): `episode_id, origin, model, horizon, p, y`.

    `models` limits the table to those models (all of them by default).
    """
    frames = []
    for origin in forecasts:
        test = episodes.iloc[origin.positions]
        for name, values in origin.proba.items():
            if models is not None and name not in models:
                continue
            for column, horizon in enumerate(horizons):
                frames.append(
                    pd.DataFrame(
                        {
                            "episode_id": test["episode_id"].to_numpy(),
                            "origin": origin.split.year,
                            "model": name,
                            "horizon": horizon,
                            "p": values[:, column],
                            "y": test[label_column(horizon)].astype("boolean").to_numpy(),
                        }
                    )
                )
    predictions = pd.concat(frames, ignore_index=True)
    predictions["origin"] = predictions["origin"].astype("int64")
    predictions["horizon"] = predictions["horizon"].astype("int64")
    return predictions
