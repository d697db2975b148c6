"""Which classes a trigger belongs to: crisis or not, opening an exchange or answering one.

Two attributes define the outside view's classes beside the subset (limited force or not):

- `crisis`: whether the target treated the strike as a crisis. In training it is ICB's label
  (the episodes' `crisis`, NA where the crisis record is silent); at forecast time it is the
  analyst's judgement, which may rest on what the target said or did in the first days. It is
  the one input allowed to rest on anything after the trigger's day (docs/models.md).
- `opening`: the target used no force against the initiator in the 30 days before
  (`is_response_30d` == 0); `answer`: it did. The outside view splits on it only where both
  parts hold MIN_CLASS_TRIGGERS resolved triggers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from forecast.episodes import label_column

CRISIS_COLUMN = "crisis"
# The window that tells an opening move from an answer.
OPENING_WINDOW_DAYS = 30
OPENING_FEATURE = f"is_response_{OPENING_WINDOW_DAYS}d"
SUBSETS = ("all", "limited_force")
# The outside view splits a class into opening moves and answers only where the smaller part
# still holds this many triggers with a known label: a rate counted on fewer swings with a few
# cases (a credibility floor, the same for every class).
MIN_CLASS_TRIGGERS = 50


def trigger_classes(
    episodes: pd.DataFrame, features: pd.DataFrame, horizons: tuple[int, ...]
) -> pd.DataFrame:
    """One row per trigger: `episode_id`, `date`, `limited_force`, `crisis` (1.0 / 0.0 / NaN
    unknown), `answered_before` (1.0 answer, 0.0 opening, NaN unknown) and each horizon's label
    as a float (NaN censored), in the episodes' order."""
    answered = (
        features.set_index("episode_id")[OPENING_FEATURE].reindex(episodes["episode_id"])
        if OPENING_FEATURE in features
        else pd.Series(np.nan, index=episodes["episode_id"])
    ).to_numpy(dtype=float)
    crisis = (
        episodes[CRISIS_COLUMN].astype("boolean").astype("Float64").to_numpy(float, na_value=np.nan)
        if CRISIS_COLUMN in episodes
        else np.full(len(episodes), np.nan)
    )
    table = pd.DataFrame(
        {
            "episode_id": episodes["episode_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(episodes["date"]).to_numpy(),
            "limited_force": episodes["limited_force"].astype(bool).to_numpy(),
            "crisis": crisis,
            "answered_before": np.where(np.isnan(answered), np.nan, (answered > 0).astype(float)),
        }
    )
    for horizon in horizons:
        column = label_column(horizon)
        table[column] = (
            pd.to_numeric(episodes[column].astype("Float64"), errors="coerce").to_numpy(
                float, na_value=np.nan
            )
            if column in episodes
            else np.nan
        )
    return table


# The classes metrics/classes.json scores; they may overlap. Each maps the trigger table (or a
# table with the same class columns) to a boolean mask.
CLASSES: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
    "all": lambda t: np.ones(len(t), dtype=bool),
    "salient": lambda t: t["crisis"].to_numpy() == 1.0,
    "not_salient": lambda t: t["crisis"].to_numpy() == 0.0,
    "opening": lambda t: t["answered_before"].to_numpy() == 0.0,
    "answer": lambda t: t["answered_before"].to_numpy() == 1.0,
    "salient_opening": lambda t: (
        (t["crisis"].to_numpy() == 1.0) & (t["answered_before"].to_numpy() == 0.0)
    ),
}


def in_subset(table: pd.DataFrame, subset: str) -> np.ndarray:
    """The rows of `subset`: every trigger, or the limited uses of force."""
    if subset == "all":
        return np.ones(len(table), dtype=bool)
    return table["limited_force"].to_numpy(dtype=bool)


def knows_crises(table: pd.DataFrame) -> bool:
    """Whether any trigger carries a crisis label (never on the synthetic world)."""
    return bool(np.isfinite(table["crisis"].to_numpy(dtype=float)).any())
