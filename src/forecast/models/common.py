"""Plumbing every model shares: aligning features with episodes, labels per horizon, intervals.

Kept apart from the models so that each model module holds only its statistics, and so that the
rules (which rows carry a label, how features are chosen and imputed) are the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist
from typing import Any, Self, TypeVar

import numpy as np
import pandas as pd

from forecast.core.errors import ForecastError

EPISODE_KEY = "episode_id"


def label_column(horizon: int) -> str:
    """The episodes column holding the H-day label (`retaliated_{H}d`, docs/design.md)."""
    return f"retaliated_{horizon}d"


def align(features: pd.DataFrame, episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Features and episodes in the same row order, matched on `episode_id`.

    Every episode must have a feature row: a missing one means the features file is stale, and
    guessing its values would silently change what the model learns.
    """
    for name, frame in (("features", features), ("episodes", episodes)):
        if EPISODE_KEY not in frame.columns:
            raise ForecastError(f"{name} table has no '{EPISODE_KEY}' column (rebuild it)")
    positions = pd.Index(features[EPISODE_KEY]).get_indexer(episodes[EPISODE_KEY])
    missing = positions < 0
    if missing.any():
        example = episodes.loc[missing, EPISODE_KEY].iloc[0]
        raise ForecastError(
            f"{int(missing.sum())} episodes have no feature row (e.g. '{example}'); "
            "run `forecast features build` again"
        )
    return (
        features.iloc[positions].reset_index(drop=True),
        episodes.reset_index(drop=True),
    )


# A feature that differs from its most common value in fewer training rows than this has no
# estimable effect: a logit separates on it, and a new incident with the rare value (a strike on
# militants when nearly every training trigger hit state forces) gets a wild extrapolation.
MIN_FEATURE_SUPPORT = 20


def numeric_feature_names(
    features: pd.DataFrame, min_support: int = MIN_FEATURE_SUPPORT
) -> list[str]:
    """Numeric feature columns with enough variation to learn from, in the table's order.

    A column qualifies when at least `min_support` rows (or 1 % of the rows, if fewer; at least
    one) differ from its most common value. Called on training features only, so the choice is
    made inside the training window.
    """
    numeric = [
        c
        for c in features.columns
        if c != EPISODE_KEY
        and (pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c]))
    ]
    needed = min(min_support, max(1, math.ceil(0.01 * len(features))))
    return [
        c
        for c in numeric
        if len(features) - int(features[c].value_counts(dropna=False).iloc[0]) >= needed
    ]


def decorrelated_columns(
    matrix: np.ndarray, names: Sequence[str], outcome: np.ndarray, limit: float
) -> list[str]:
    """Names whose columns correlate no more than `limit` with a kept one, in the given order.

    Nested windows of one count (force in the last 30 and in the last 90 days) are nearly
    collinear: a model given both learns large coefficients of opposite sign that mean
    nothing and leave its Newton steps crawling along a flat ridge. Of each such group the
    column that tracks the outcome most closely is kept, so the choice uses training data only.
    """
    if len(names) < 2:
        return list(names)
    spread = matrix.std(axis=0)
    standard = (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    target = outcome - outcome.mean()
    relevance = np.abs(standard.T @ target)
    correlation = np.abs(np.corrcoef(matrix, rowvar=False))
    kept: list[int] = []
    for column in np.argsort(-relevance, kind="stable"):
        if not kept or correlation[column, kept].max() <= limit:
            kept.append(int(column))
    return [names[i] for i in sorted(kept)]


def labels(episodes: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """(known, retaliated) arrays for one horizon; censored labels (NA) are not known."""
    column = label_column(horizon)
    if column not in episodes.columns:
        raise ForecastError(
            f"episodes table has no '{column}' column; add {horizon} to episodes.horizons "
            "in params.yaml and rebuild episodes"
        )
    values = episodes[column].astype("boolean")
    known = values.notna().to_numpy()
    return known, values.fillna(False).to_numpy(dtype=bool)


def dyad_groups(episodes: pd.DataFrame) -> np.ndarray:
    """Integer cluster ids for the undirected dyad, so both directions share one cluster."""
    low = np.minimum(episodes["initiator"].to_numpy(), episodes["target"].to_numpy())
    high = np.maximum(episodes["initiator"].to_numpy(), episodes["target"].to_numpy())
    return pd.factorize(pd.Series(low).astype(str) + "-" + pd.Series(high).astype(str))[0]


def expit(x: Any) -> Any:
    """1 / (1 + e^-x), element by element, keeping a Series a Series.

    Written out rather than taken from `scipy.special`, whose import costs a cold forecast a
    fifth of a second; the numbers are scipy's to two units in the last place
    (`tests/test_links.py`: scipy 1.17.1 calls the C library's `exp`, numpy its own).
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) as `scipy.special.logit` computes it (to two units in the last place):
    near p = 0.5, where the ratio loses precision, as log1p(2(p - 0.5)) - log1p(-2(p - 0.5))."""
    p = np.asarray(p, dtype=float)
    centred = 2 * (p - 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        near_half = np.log1p(centred) - np.log1p(-centred)
        ratio = np.log(p / (1 - p))
    return np.where((p < 0.3) | (p > 0.65), ratio, near_half)


def normal_quantile(level: float) -> float:
    """z of a central normal interval at `level` (1.645 at 0.9), as `scipy.stats.norm.ppf` gives
    it to within 1e-15.

    Taken from the standard library's `statistics.NormalDist`, because importing scipy (even
    only `scipy.special`) costs a cold forecast a fifth of a second, and nothing else a
    forecast does needs scipy.
    """
    return NormalDist().inv_cdf(0.5 + level / 2)


def binomial_band(p: np.ndarray, effective_n: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """A Wilson score interval for a rate estimated from about `effective_n` cases.

    Used where a model has no parametric standard error: the band reflects how many labelled
    cases stand behind a probability, which is the uncertainty a reader most needs to see.
    """
    z = normal_quantile(level)
    n = max(effective_n, 1.0)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def counted_interval(
    proba: pd.DataFrame, effective_n: Mapping[int, float], level: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each horizon's probabilities banded by the cases behind them (`binomial_band`).

    One place for the models whose only honest uncertainty is a sample size: each passes its
    own effective count per horizon, and the band is computed the same way for all of them.
    """
    low, high = proba.copy(), proba.copy()
    for horizon in proba.columns:
        band = binomial_band(proba[horizon].to_numpy(), effective_n[horizon], level)
        low[horizon], high[horizon] = band
    return low, high


def monotone_in_horizon(values: np.ndarray, horizons: Sequence[int]) -> np.ndarray:
    """Each row's running maximum over ascending horizons (columns in `horizons` order).

    Retaliation within 7 days is retaliation within 30 days, so P(within H) cannot fall with
    H; models fitted one horizon at a time can disagree slightly, and the running maximum is
    the smallest correction that restores the order.
    """
    order = np.argsort(np.asarray(horizons), kind="stable")
    ordered = np.maximum.accumulate(np.asarray(values, dtype=float)[:, order], axis=1)
    monotone = np.empty_like(ordered)
    monotone[:, order] = ordered
    return monotone


class FeatureMemory:
    """Remembers which features a model was fitted on and their training medians.

    `predict` explains drivers against `reference_values_`, and a table missing a training
    feature is an error that names it rather than a shape mismatch deep inside a solver.
    """

    feature_names_: list[str]
    reference_values_: pd.Series
    # Attributes only fitting and reporting read, which a scoring copy leaves out.
    _fit_only: tuple[str, ...] = ()

    def for_scoring(self) -> Self:
        """A copy without what only fitting and reporting read, kept for forecasts.

        The local champion bundle (`forecast.tracking.bundle`) stores such copies: they unpickle
        with numpy and pandas alone, so a forecast need not import statsmodels or
        scikit-learn for models that score without them. Their forecasts are the same.
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(
            {key: value for key, value in self.__dict__.items() if key not in self._fit_only}
        )
        return copy

    def _remember(self, features: pd.DataFrame, names: Sequence[str]) -> None:
        self.feature_names_ = list(names)
        self.reference_values_ = features[self.feature_names_].astype("float64").median()

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The model's columns as float64, gaps filled with the training medians.

        Built with numpy rather than pandas' per-column `fillna`, which costs milliseconds per
        call and is called several times per forecast; the values are the same.
        """
        positions = features.columns.get_indexer(self.feature_names_)
        if (positions < 0).any():
            missing = [n for n, p in zip(self.feature_names_, positions, strict=True) if p < 0]
            raise ForecastError(
                f"features lack column(s) {', '.join(missing)} that the model '{self.name}' "
                "was trained on; rebuild features with the same params"
            )
        matrix = features.iloc[:, positions].to_numpy(dtype="float64", na_value=np.nan)
        gaps = np.isnan(matrix)
        if not gaps.any():
            return matrix
        reference = self.reference_values_.reindex(self.feature_names_).to_numpy(dtype="float64")
        # A feature never observed in training has no median; zero adds nothing to a fit.
        filler = np.where(np.isnan(reference), 0.0, reference)
        return np.where(gaps, filler[None, :], matrix)

    name: str

    def _frame(self, values: np.ndarray, index: pd.Index, horizons: Sequence[int]) -> pd.DataFrame:
        """Probabilities (or their bounds) per horizon, never falling as the horizon grows."""
        return pd.DataFrame(
            monotone_in_horizon(values, horizons), index=index, columns=list(horizons)
        )


Curves = TypeVar("Curves", np.ndarray, pd.DataFrame)


def survival_to_proba(survival: Curves) -> Curves:
    """P(retaliation within t) = 1 - S(t), for survival values of any shape.

    The one place a survival curve becomes a probability: a timing model's horizon forecasts
    and bands, the brief's daily curve, the backtest's timing scores and the empirical curve
    all read it here, so the likelihood read off a timing model and its timing agree.
    """
    return 1.0 - survival


def check_horizons(horizons: Sequence[int]) -> tuple[int, ...]:
    """Horizons sorted and positive; a zero-day horizon has no meaning under daily data."""
    ordered = tuple(sorted({int(h) for h in horizons}))
    if not ordered or ordered[0] <= 0:
        raise ForecastError(f"horizons must be positive day counts, got {list(horizons)}")
    return ordered
