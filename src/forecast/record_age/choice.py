"""Band or pooled: which record-aware logit serves each record age, by one rule.

The rule (`lower_brier_kind`): the pooled logit serves where both kinds were scored and its
Brier score is lower, the band otherwise. It is applied on two kinds of evidence:

- inside each origin of the backtest (`choose_kinds`): for a forecast at origin O with a record
  g years old, both kinds were fitted on labels known before O - g; they are scored on their
  earlier out-of-sample forecasts at the same age whose outcome was known before that cutoff
  (triggers of earlier origins with date + H < O - g), the same discipline as the ensemble's
  weights: no label resolved after the cutoff can move the choice. With fewer than
  `MIN_RESOLVED` such forecasts the band serves;
- for the final models `forecast train` fits (`served_kinds`): on the whole backtest's scores
  in metrics/record_age.json, on the champion rule's subset and horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.evaluation.splits import Split
from forecast.record_age.bands import BAND, POOLED, band_model_name, kind_name

MIN_RESOLVED = 200
Choice = dict[tuple[int, int, bool], str]


def lower_brier_kind(band: float | None, pooled: float | None) -> str:
    """`pooled` where both kinds were scored and the pooled logit's Brier score is lower, else
    `band`: the band is the default because it is the simpler reading of one age."""
    return POOLED if band is not None and pooled is not None and pooled < band else BAND


def choose_kinds(
    forecasts: pd.DataFrame,
    splits: Sequence[Split],
    ages: Sequence[int],
    horizon: int,
    cutoff_of: dict[tuple[int, int], pd.Timestamp],
) -> Choice:
    """{(origin year, age, context): 'band' or 'pooled'} for every age past 0.

    `forecasts` is the backtest's long table (model, record_age, horizon, origin, date, p, y);
    `cutoff_of[(year, age)]` the end of what that forecast could know.
    """
    choice: Choice = {}
    rows = forecasts[(forecasts["horizon"] == horizon) & forecasts["y"].notna()]
    for age in (a for a in ages if a > 0):
        for context in (False, True):
            name = band_model_name(context)
            errors = _squared_errors(rows, age, name)
            for split in splits:
                cutoff = cutoff_of[(split.year, age)]
                known = (errors["origin"] < split.year) & (errors["resolved"] < cutoff)
                band = pooled = None
                if int(known.sum()) >= MIN_RESOLVED:
                    band, pooled = errors.loc[known, [BAND, POOLED]].mean()
                choice[(split.year, age, context)] = lower_brier_kind(band, pooled)
    return choice


def served_kinds(
    scores: Mapping[str, Any], ages: Sequence[int], subset: str, horizon: int
) -> dict[tuple[int, bool], str]:
    """Per age and reading, the kind (band or pooled) with the lower Brier score in a
    metrics/record_age.json; the band where either is missing."""
    choice = {}
    for age in (a for a in ages if a > 0):
        for context in (False, True):
            name = band_model_name(context)
            brier = {
                kind: scores.get(subset, {})
                .get(kind_name(name, kind), {})
                .get(str(age), {})
                .get(str(horizon), {})
                .get("brier")
                for kind in (BAND, POOLED)
            }
            choice[(age, context)] = lower_brier_kind(brier[BAND], brier[POOLED])
    return choice


def _squared_errors(rows: pd.DataFrame, age: int, name: str) -> pd.DataFrame:
    """Per test trigger at one age: origin, the day its label resolved, each kind's error."""
    frames = {}
    for kind in (BAND, POOLED):
        chosen = rows[(rows["model"] == kind_name(name, kind)) & (rows["record_age"] == age)]
        frames[kind] = chosen.set_index(["origin", "episode_id"])
    band, pooled = frames[BAND], frames[POOLED].reindex(frames[BAND].index)
    y = band["y"].astype(bool).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "origin": band.index.get_level_values("origin").to_numpy(),
            "resolved": (band["date"] + pd.to_timedelta(band["horizon"], unit="D")).to_numpy(),
            BAND: (band["p"].to_numpy() - y) ** 2,
            POOLED: (pooled["p"].to_numpy() - y) ** 2,
        }
    )


def with_chosen(forecasts: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """The long table plus `record_logit` and `record_logit+context` rows: the chosen kind's
    forecasts."""
    added = []
    for context in (False, True):
        name = band_model_name(context)
        for kind in (BAND, POOLED):
            rows = forecasts[forecasts["model"] == kind_name(name, kind)]
            picked = np.array(
                [
                    choice.get((origin, age, context)) == kind
                    for origin, age in zip(rows["origin"], rows["record_age"], strict=True)
                ],
                dtype=bool,
            )
            added.append(rows[picked].assign(model=name))
    return pd.concat([forecasts, *added], ignore_index=True)


def choice_table(choice: Choice) -> dict[str, dict[str, dict[str, str]]]:
    """{origin: {age: {'record_logit': kind, 'record_logit+context': kind}}}: the record of
    choices."""
    table: dict[str, dict[str, dict[str, str]]] = {}
    for (origin, age, context), kind in sorted(choice.items()):
        table.setdefault(str(origin), {}).setdefault(str(age), {})[band_model_name(context)] = kind
    return table
