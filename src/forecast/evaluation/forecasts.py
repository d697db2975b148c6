"""What the models said at each backtest origin, and the same forecasts as one long table.

Kept apart from the backtest loop so that scoring, stacking and the files written all read one
shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    # Reference forecasts that are not models, e.g. the trailing base rate of one subset.
    references: dict[str, np.ndarray] = field(default_factory=dict)


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


def long_survival(
    forecasts: list[OriginForecasts], episodes: pd.DataFrame, grid: tuple[int, ...]
) -> pd.DataFrame:
    """One row per (trigger, timing model, day of `grid`): `episode_id, origin, model, day,
    survival`, the out-of-sample S(day) the timing scores were computed from."""
    frames = []
    for origin in forecasts:
        test = episodes["episode_id"].to_numpy()[origin.positions]
        for name, curves in origin.survival.items():
            frames.append(
                pd.DataFrame(
                    {
                        "episode_id": np.repeat(test, len(grid)),
                        "origin": np.int64(origin.split.year),
                        "model": name,
                        "day": np.tile(np.asarray(grid, dtype=np.int64), len(test)),
                        "survival": np.clip(np.asarray(curves, dtype=float), 0, 1).ravel(),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            {
                "episode_id": pd.Series(dtype=object),
                "origin": pd.Series(dtype="int64"),
                "model": pd.Series(dtype=object),
                "day": pd.Series(dtype="int64"),
                "survival": pd.Series(dtype="float64"),
            }
        )
    survival = pd.concat(frames, ignore_index=True)
    survival["origin"] = survival["origin"].astype("int64")
    return survival


def resolution_dates(history: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """The day each row's outcome was settled: trigger date + H (rows of a long table)."""
    dates = pd.to_datetime(episodes.set_index("episode_id")["date"])
    return history["episode_id"].map(dates) + pd.to_timedelta(history["horizon"], unit="D")


def known_at(history: pd.DataFrame, resolved_on: pd.Series, split: Split) -> np.ndarray:
    """Rows an origin may learn from: earlier origins' forecasts settled before its cutoff.

    The same rule that decides which training labels are known (`splits.censor_at`), applied
    to out-of-sample forecasts: every choice made at an origin (ensemble members and weights,
    recalibration, the collinearity limit) reads only these rows.
    """
    return (
        (history["origin"] < split.year) & (resolved_on < pd.Timestamp(split.cutoff))
    ).to_numpy()
