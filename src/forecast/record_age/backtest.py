"""The backtest by record age: how well forecasts hold up when the record ends years earlier.

For every rolling origin O and every simulated record age g (params `record_age.ages`), the
test year's triggers are seen with their record cut g years before each of them, and every
forecaster is trained only on what it could know then: labels resolved before O - g years (the
record's end for the test year), features at the same age. Scored at each age:

- `record_logit` and `record_logit+context`, the record-aware models (`forecast.record_age.bands`),
  without and with the analyst's knowledge of the days just before the trigger: at each origin
  and age the band or the pooled logit, whichever had the lower Brier score on earlier
  forecasts resolved before the cutoff (`forecast.record_age.choice`); both kinds are
  also scored on their own (`record_logit:band`, `record_logit:pooled`, ...);
- `naive:record_logit`, today's logit (fitted on complete records) fed the gap as the features
  read it when the gap is not known: windows counted back from the trigger over a record that stops
  early, so the unobserved years count as quiet ones;
- `base_rate`, the trailing base rate as of the same cut, the reference of the skill scores.

At age 0 all three logits are one model: today's. Written to metrics/record_age.json (sections
`all` and `limited_force`, then model, age in years, horizon) and plots/record_age.csv.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from forecast.core.config import Params
from forecast.core.coverage import Coverage
from forecast.evaluation import metrics
from forecast.evaluation.splits import Split, censor_at, in_test_year, rolling_origins
from forecast.models.baselines import TrailingBaseRate
from forecast.models.common import label_column
from forecast.record_age.bands import (
    BAND,
    POOLED,
    band_logit,
    band_model_name,
    kind_name,
    mixed_ages,
    pooled_logit,
)
from forecast.record_age.choice import choice_table, choose_kinds, with_chosen
from forecast.record_age.history import RecordHistory

SUBSETS = ("all", "limited_force")
NAIVE_PREFIX = "naive:"
BASE_RATE = "base_rate"


def naive_name(model: str) -> str:
    """How metrics/record_age.json names today's model fed features that ignore the gap."""
    return NAIVE_PREFIX + model


@dataclass
class AgeTables:
    """Per age, the feature table of every trigger: record-aware and naive readings."""

    aware: dict[int, pd.DataFrame]
    naive: dict[int, pd.DataFrame]

    @classmethod
    def build(cls, history: RecordHistory, ages: tuple[int, ...]) -> AgeTables:
        aware, naive = {}, {}
        for age in ages:
            aware[age] = history.features(age, anchor="record_end", context="all")
            naive[age] = history.features(age, anchor="trigger", context="known")
        return cls(aware, naive)


@dataclass
class RecordAgeResult:
    """Scores by subset, model, age and horizon, plus the forecasts behind them."""

    scores: dict
    forecasts: pd.DataFrame
    ages: tuple[int, ...]
    # Per origin and age, which kind of record-aware logit served (forecast.record_age.choice):
    # chosen inside each origin from forecasts resolved before its cutoff.
    choices: dict = field(default_factory=dict)
    seconds: float = 0.0
    # params.yaml's `synthetic_settings` when the data were synthetic and they were used.
    settings: dict = field(default_factory=dict)


Forecasts = dict[tuple[int, int], dict[str, np.ndarray]]


def _cutoff(split: Split, age: int) -> pd.Timestamp:
    """The end of what a forecaster at this origin knew with its record `age` years old."""
    return split.cutoff - pd.DateOffset(years=age)


def _todays_forecasts(
    cutoff: pd.Timestamp,
    targets: list[tuple[Split, int]],
    episodes: pd.DataFrame,
    tables: AgeTables,
    params: Params,
    horizons: tuple[int, ...],
) -> Forecasts:
    """Today's logit and the base rate, fitted once at a cutoff and scored for every (origin,
    age) whose record ends there: the naive reading at each age, and both readings at age 0.

    Origin O at age g and origin O - g at age 0 learn from the same labels, so the fit is
    shared rather than repeated for each age.
    """
    with threadpool_limits(1):
        train = censor_at(episodes, cutoff, horizons)
        rows = train.index.to_numpy()
        today = tables.aware[0]
        base = TrailingBaseRate(horizons, years=params.models.base_rate_years)
        base.fit(today.iloc[rows], train)
        logit = band_logit(horizons, 0, False, with_covariance=False).fit(today.iloc[rows], train)
        out: Forecasts = {}
        for split, age in targets:
            test = np.flatnonzero(in_test_year(episodes, split))
            naive = _matrix(logit.predict_proba(tables.naive[age].iloc[test]), horizons)
            block = {
                BASE_RATE: _matrix(base.predict_proba(today.iloc[test]), horizons),
                naive_name(band_model_name(False)): naive,
            }
            if age == 0:
                block |= {band_model_name(context): naive for context in (False, True)}
            out[(split.year, age)] = block
        return out


def _pooled_forecasts(
    cutoff: pd.Timestamp,
    targets: list[tuple[Split, int]],
    episodes: pd.DataFrame,
    tables: AgeTables,
    horizons: tuple[int, ...],
) -> Forecasts:
    """The pooled logits (every age past 0 at once), fitted once at a cutoff and scored for
    every (origin, age) whose record ends there."""
    with threadpool_limits(1):
        train = censor_at(episodes, cutoff, horizons)
        rows = train.index.to_numpy()
        older = sorted(age for age in tables.aware if age > 0)
        features = mixed_ages({age: tables.aware[age].iloc[rows] for age in older}, train, older)
        out: Forecasts = {}
        for context in (False, True):
            model = pooled_logit(horizons, context, with_covariance=False)
            model.fit(features, train)
            for split, age in targets:
                test = np.flatnonzero(in_test_year(episodes, split))
                p = _matrix(model.predict_proba(tables.aware[age].iloc[test]), horizons)
                out.setdefault((split.year, age), {})[
                    kind_name(band_model_name(context), POOLED)
                ] = p
        return out


def _band_forecasts(
    split: Split,
    age: int,
    episodes: pd.DataFrame,
    tables: AgeTables,
    horizons: tuple[int, ...],
) -> Forecasts:
    """The band logits of one age, without and with context, for one origin's test year."""
    with threadpool_limits(1):
        train = censor_at(episodes, _cutoff(split, age), horizons)
        rows = train.index.to_numpy()
        test = np.flatnonzero(in_test_year(episodes, split))
        block = {}
        for context in (False, True):
            model = band_logit(horizons, age, context, with_covariance=False)
            model.fit(tables.aware[age].iloc[rows], train)
            block[kind_name(band_model_name(context), BAND)] = _matrix(
                model.predict_proba(tables.aware[age].iloc[test]), horizons
            )
        return {(split.year, age): block}


def _jobs(
    splits: list[Split],
    episodes: pd.DataFrame,
    tables: AgeTables,
    params: Params,
    ages: tuple[int, ...],
    horizons: tuple[int, ...],
) -> list:
    """One job per distinct cutoff (today's logit, shared) and per origin and older age."""
    by_cutoff: dict[pd.Timestamp, list[tuple[Split, int]]] = {}
    for split in splits:
        for age in ages:
            by_cutoff.setdefault(_cutoff(split, age), []).append((split, age))
    shared = [
        delayed(_todays_forecasts)(cutoff, targets, episodes, tables, params, horizons)
        for cutoff, targets in sorted(by_cutoff.items())
    ]
    shared += [
        delayed(_pooled_forecasts)(
            cutoff, [(split, age) for split, age in targets if age > 0], episodes, tables, horizons
        )
        for cutoff, targets in sorted(by_cutoff.items())
        if any(age > 0 for _, age in targets)
    ]
    bands = [
        delayed(_band_forecasts)(split, age, episodes, tables, horizons)
        for split in splits
        for age in ages
        if age > 0
    ]
    return shared + bands


def _origin_forecasts(
    split: Split,
    episodes: pd.DataFrame,
    tables: AgeTables,
    params: Params,
    ages: tuple[int, ...],
    horizons: tuple[int, ...],
) -> dict[str, object]:
    """Every forecaster at every age for one origin's test year (its jobs run in turn)."""
    merged: Forecasts = {}
    for job, args, kwargs in _jobs([split], episodes, tables, params, ages, horizons):
        for key, block in job(*args, **kwargs).items():
            merged.setdefault(key, {}).update(block)
    return {
        "year": split.year,
        "positions": np.flatnonzero(in_test_year(episodes, split)),
        "proba": {
            (model, age): p for (_, age), block in merged.items() for model, p in block.items()
        },
    }


def _matrix(frame: pd.DataFrame, horizons: tuple[int, ...]) -> np.ndarray:
    return frame[list(horizons)].to_numpy(dtype=float)


def run_record_age_backtest(
    incidents: pd.DataFrame,
    episodes: pd.DataFrame,
    covariates: pd.DataFrame | None,
    coverage: Mapping[str, Coverage],
    params: Params,
    *,
    n_jobs: int = 1,
    progress: bool = True,
) -> RecordAgeResult:
    """Forecast every origin's test year at every record age, then score by age.

    `incidents` are the modelled sources' incidents, `coverage` their declared spans
    (sources.json): the same inputs the features stage reads.
    """
    started = time.perf_counter()
    ages = tuple(sorted(params.record_age.ages))
    horizons = tuple(params.record_age.horizons)
    episodes = episodes.sort_values(["date", "episode_id"], kind="stable", ignore_index=True)
    history = RecordHistory.build(incidents, episodes, covariates, coverage, params)
    tables = AgeTables.build(history, ages)
    splits = [
        s for s in rolling_origins(episodes, params.backtest) if in_test_year(episodes, s).any()
    ]
    jobs = _jobs(splits, episodes, tables, params, ages, horizons)
    runner = Parallel(n_jobs=n_jobs, return_as="generator")
    merged: Forecasts = {}
    for result in tqdm(runner(jobs), total=len(jobs), desc="record-age fits", disable=not progress):
        for key, block in result.items():
            merged.setdefault(key, {}).update(block)
    origins = [
        {
            "year": split.year,
            "positions": np.flatnonzero(in_test_year(episodes, split)),
            "proba": {
                (model, age): p for age in ages for model, p in merged[(split.year, age)].items()
            },
        }
        for split in splits
    ]
    forecasts = _long_forecasts(origins, episodes, horizons)
    chooser = params.train.champion_horizon
    choice = choose_kinds(
        forecasts,
        splits,
        ages,
        chooser if chooser in horizons else max(horizons),
        {(split.year, age): _cutoff(split, age) for split in splits for age in ages},
    )
    forecasts = with_chosen(forecasts, choice)
    return RecordAgeResult(
        scores=score_by_age(forecasts, params.backtest.calibration_bins),
        forecasts=forecasts,
        ages=ages,
        choices=choice_table(choice),
        seconds=time.perf_counter() - started,
    )


def _long_forecasts(
    origins: list[dict[str, object]], episodes: pd.DataFrame, horizons: tuple[int, ...]
) -> pd.DataFrame:
    """One row per (trigger, model, age, horizon) with the forecast, its reference and label."""
    frames = []
    for origin in origins:
        positions = origin["positions"]
        test = episodes.iloc[positions]  # type: ignore[call-overload]
        proba: dict[tuple[str, int], np.ndarray] = origin["proba"]  # type: ignore[assignment]
        for (model, age), values in proba.items():
            base = proba[(BASE_RATE, age)]
            for column, horizon in enumerate(horizons):
                frames.append(
                    pd.DataFrame(
                        {
                            "episode_id": test["episode_id"].to_numpy(),
                            "date": test["date"].to_numpy(),
                            "origin": origin["year"],
                            "model": model,
                            "record_age": age,
                            "horizon": horizon,
                            "p": values[:, column],
                            "p_base_rate": base[:, column],
                            "y": test[label_column(horizon)].astype("boolean").to_numpy(),
                            "limited_force": test["limited_force"].astype(bool).to_numpy(),
                        }
                    )
                )
    return pd.concat(frames, ignore_index=True)


def score_by_age(forecasts: pd.DataFrame, bins: int) -> dict:
    """{subset: {model: {age: {horizon: block}}}} over triggers with a known label."""
    scores: dict = {}
    known = forecasts[forecasts["y"].notna()]
    for subset in SUBSETS:
        chosen = known if subset == "all" else known[known["limited_force"]]
        scores[subset] = {}
        for (model, age, horizon), group in chosen.groupby(
            ["model", "record_age", "horizon"], sort=True
        ):
            y = group["y"].astype(bool).to_numpy(dtype=float)
            p = group["p"].to_numpy(dtype=float)
            block = {
                "roc_auc": metrics.roc_auc(p, y),
                "brier": metrics.brier(p, y),
                "bss": metrics.brier_skill(p, y, group["p_base_rate"].to_numpy(dtype=float)),
                "ece": metrics.ece(p, y, bins),
                "mean_forecast": float(p.mean()),
                "observed_rate": float(y.mean()),
                "n": len(y),
            }
            scores[subset].setdefault(model, {}).setdefault(str(age), {})[str(horizon)] = block
    return scores


def skill_table(scores: dict, subset: str, horizon: int) -> pd.DataFrame:
    """One row per (model, age): ROC AUC, Brier skill, mean forecast and observed rate."""
    rows = []
    for model, by_age in scores.get(subset, {}).items():
        for age, by_horizon in by_age.items():
            block = by_horizon.get(str(horizon))
            if block:
                rows.append({"model": model, "record_age": int(age), **block})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(["model", "record_age"], kind="stable").reset_index(drop=True)
