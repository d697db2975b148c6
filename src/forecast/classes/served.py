"""What a user would have been served at each backtest origin and record age, trigger by trigger.

At record age 0 (a record that reaches the trigger's day) a forecast comes from the champion:
its out-of-sample forecasts are the backtest's (data/processed/backtest_predictions.parquet).
At an older record it comes from the record-aware logit chosen for that age, without the
analyst's recent context (`record_logit`, data/processed/record_age_predictions.parquet), as
`forecast predict` serves an incident past the record's end. Each forecast is lined up with its
trigger's classes, its label and its cutoff: the last day its forecaster could learn from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.core.config import BacktestParams
from forecast.episodes import label_column

# forecast.record_age.bands.band_model_name(False): the record-aware logit without the
# analyst's recent context, as record_age_predictions.parquet names it (named here, not
# imported, so this stage does not depend on the model code; a test checks the two agree).
SERVED_RECORD_MODEL = "record_logit"


def served_forecasts(
    backtest: pd.DataFrame,
    record_age: pd.DataFrame | None,
    champion: str,
    triggers: pd.DataFrame,
    backtest_params: BacktestParams,
) -> pd.DataFrame:
    """One row per (trigger, origin, record age, horizon) of the served forecaster.

    Columns: `episode_id, origin, record_age, horizon, p, y` (float, NaN censored), the
    trigger's class columns (forecast.classes.membership), `cutoff` (the origin's cutoff
    less the record age), `resolved_on` (date + H) and `opening_known` (whether the
    forecaster knew the days before the trigger: only at age 0).
    """
    today = backtest.loc[backtest["model"] == champion, ["episode_id", "origin", "horizon", "p"]]
    parts = [today.assign(record_age=0)]
    if record_age is not None:
        older = record_age[
            (record_age["model"] == SERVED_RECORD_MODEL) & (record_age["record_age"] > 0)
        ]
        parts.append(older[["episode_id", "origin", "horizon", "p", "record_age"]])
    served = pd.concat(parts, ignore_index=True)
    served = served.astype({"origin": "int64", "record_age": "int64", "horizon": "int64"})
    served["episode_id"] = served["episode_id"].astype(str)
    served = served.merge(triggers, on="episode_id", how="inner", validate="many_to_one")
    served["y"] = np.nan
    for horizon in served["horizon"].unique():
        rows = (served["horizon"] == horizon).to_numpy()
        served.loc[rows, "y"] = served.loc[rows, label_column(int(horizon))].to_numpy(float)
    served = served.drop(columns=[c for c in served if c.startswith("retaliated_")])
    served["cutoff"] = cutoffs(served, backtest_params)
    served["resolved_on"] = served["date"] + pd.to_timedelta(served["horizon"], unit="D")
    served["opening_known"] = served["record_age"].to_numpy() == 0
    order = ["origin", "record_age", "horizon", "episode_id"]
    return served.sort_values(order, kind="stable", ignore_index=True)


def cutoffs(rows: pd.DataFrame, backtest_params: BacktestParams) -> pd.Series:
    """Each row's cutoff: 1 January of its origin year, less the embargo and its record age in
    whole years (computed once per distinct origin and age)."""
    keys = rows[["origin", "record_age"]].drop_duplicates()
    embargo = pd.Timedelta(days=backtest_params.embargo_days)
    keys["cutoff"] = [
        pd.Timestamp(year=int(origin), month=1, day=1) - embargo - pd.DateOffset(years=int(age))
        for origin, age in zip(keys["origin"], keys["record_age"], strict=True)
    ]
    cut = rows[["origin", "record_age"]].merge(keys, on=["origin", "record_age"], how="left")
    return pd.Series(pd.to_datetime(cut["cutoff"]).to_numpy(), index=rows.index)
