"""Timing models: how soon the target strikes back, as a survival curve S(t | x).

Both models give P(retaliation within H) = 1 - S(H), so the likelihood read off a timing model is
consistent across horizons and can never fall as H grows.

- `HazardGLM`: a discrete-time hazard on grouped day intervals with a complementary log-log link,
  a spline in log days since the trigger, and log exposure as offset. With the cloglog link this is
  a proportional-hazards model whose baseline is smooth in time, and the person-period table has
  at most one row per interval (not per day), so it stays small. Fitted by Newton's method;
  when the cloglog fit does not settle it falls back to the piecewise-exponential fit (Poisson,
  log link); `link_` says which.
- `CoxTiming`: statsmodels PHReg (Breslow ties) with dyad-clustered robust errors and the Breslow
  baseline hazard.

statsmodels and scikit-learn are imported where a model is fitted, not with this module: a fitted
model scores with numpy alone, and importing them would cost each forecast seconds. The scoring
copy of `BoostedHazard` holds its booster's trees as numpy arrays (`BoostedTrees`) for the same
reason: unpickling a scikit-learn booster imports most of scikit-learn.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from forecast.core.errors import ForecastError
from forecast.models.breslow import breslow_phreg
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    counted_interval,
    decorrelated_columns,
    dyad_groups,
    expit,
    normal_quantile,
    numeric_feature_names,
    survival_to_proba,
)
from forecast.models.logit import independent_columns
from forecast.models.person_period_glm import PersonPeriodLayout, person_period_glm
from forecast.models.weighted_bins import faster_weighted_binning

if TYPE_CHECKING:
    import statsmodels.api as sm
    from sklearn.ensemble import HistGradientBoostingClassifier

# Interval edges in days since the trigger: fine where most answers come, coarse later.
DEFAULT_EDGES = (0, 1, 3, 7, 14, 30, 60, 90, 180, 365)
LINEAR_PREDICTOR_BOUND = 30.0
# Newton on the person-period table reaches a score below tolerance in about 15 steps.
NEWTON_STEPS = 25
SCORE_TOLERANCE = 1e-5
# Boosting's OpenMP threads thrash on a busy two-core machine; each fit runs on one thread.
BOOSTING_THREADS = 1
# Nested windows of one count correlate above this; keeping both only makes the fit crawl.
MAX_FEATURE_CORRELATION = 0.95


def _sane(params: np.ndarray) -> bool:
    """Finite and not run off to infinity (a diverged IRLS leaves coefficients in the 1e3s+)."""
    values = np.asarray(params)
    return bool(np.all(np.isfinite(values)) and np.max(np.abs(values)) < 50)


def _durations(episodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    duration = episodes["duration"].astype("float64").to_numpy()
    observed = episodes["event_observed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if np.isnan(duration).any():
        raise ForecastError("episodes have missing 'duration' values; rebuild episodes")
    return duration, observed


@dataclass(frozen=True)
class PersonPeriods:
    """The person-period table: one row per trigger and day interval it entered.

    Grouped intervals (not days) keep the table to a few rows per trigger; `exposure` is the
    days spent at risk in the interval (at least half a day, so a same-day answer counts).
    """

    person: np.ndarray
    interval: np.ndarray
    exposure: np.ndarray
    event: np.ndarray
    n_triggers: int

    @classmethod
    def of(cls, duration: np.ndarray, observed: np.ndarray, edges: Sequence[int]) -> Self:
        starts = np.asarray(edges[:-1], dtype=float)
        ends = np.asarray(edges[1:], dtype=float)
        at_risk = duration[:, None] > starts[None, :]
        person, interval = np.nonzero(at_risk)
        exposure = np.minimum(duration[person], ends[interval]) - starts[interval]
        event = observed[person] & (duration[person] <= ends[interval])
        return cls(person, interval, np.maximum(exposure, 0.5), event, len(duration))


def interval_exposure(edges: Sequence[int], days: np.ndarray) -> np.ndarray:
    """(len(days), intervals): days spent in each interval by each day in `days`.

    Multiplied by each interval's hazard rate it gives the cumulative hazard at those days.
    Beyond the last edge the last interval's rate carries on, so S keeps falling.
    """
    days = np.asarray(days, dtype=float)
    starts = np.asarray(edges[:-1], dtype=float)
    ends = np.asarray(edges[1:], dtype=float).copy()
    ends[-1] = max(ends[-1], float(days.max()) if days.size else ends[-1])
    return np.clip(days[:, None], starts[None, :], ends[None, :]) - starts[None, :]


def _newton_fit(model: sm.GLM, groups: np.ndarray, start: np.ndarray) -> tuple[object, bool]:
    """A GLM fitted by Newton's method with dyad-clustered errors, and whether it converged.

    statsmodels' default IRLS solves a least-squares problem on the whole person-period table
    at every step and, under the cloglog link, often runs away; Newton's steps work on the
    small Hessian and settle. Convergence is judged by the score, since near-flat directions
    keep the coefficients jittering below any useful precision.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(
            start_params=start,
            method="newton",
            maxiter=NEWTON_STEPS,
            cov_type="cluster",
            cov_kwds={"groups": groups},
        )
    score = np.asarray(result.mle_retvals["score"])
    converged = bool(np.all(np.isfinite(score)) and np.abs(score).max() < SCORE_TOLERANCE)
    return result, converged and _sane(result.params)


def baseline_start(periods: PersonPeriods, time_basis: np.ndarray, n_columns: int) -> np.ndarray:
    """Newton's starting point: each interval's crude rate through the time basis, no effects.

    Events over days at risk per interval is the hazard of the average trigger (the effects'
    columns are centred), so Newton starts next to the answer. statsmodels' default start is
    three IRLS steps, each a least-squares solve on the whole person-period table: two thirds
    of a fit, for a start Newton no longer needs. The optimum is the same.
    """
    intervals = time_basis.shape[0]
    events = np.bincount(periods.interval, weights=periods.event, minlength=intervals)
    exposure = np.bincount(periods.interval, weights=periods.exposure, minlength=intervals)
    log_rate = np.log(np.maximum(events, 0.5) / np.maximum(exposure, 0.5))
    baseline = np.linalg.lstsq(time_basis, log_rate, rcond=None)[0]
    return np.concatenate([baseline, np.zeros(n_columns - time_basis.shape[1])])


class _SurvivalModel(FeatureMemory):
    """Shared parts: horizons, proba from survival, intervals from the linear predictor."""

    horizons: tuple[int, ...]
    # Set per instance by the backtest's nested choice (forecast.evaluation.choices).
    correlation_limit: float = MAX_FEATURE_CORRELATION

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        eta = self.linear_predictor(features)
        values = self._survival(eta, np.asarray(days, dtype=float))
        return pd.DataFrame(values, index=features.index, columns=list(days))

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        return survival_to_proba(self.predict_survival(features, self.horizons))

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Delta-method band on the linear predictor (baseline taken as known)."""
        z = normal_quantile(level)
        design = self._centred(features)
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov_, design))
        eta = self.linear_predictor(features)
        days = np.asarray(self.horizons, dtype=float)
        low = survival_to_proba(self._survival(eta - z * se, days))
        high = survival_to_proba(self._survival(eta + z * se, days))
        return (
            self._frame(low, features.index, self.horizons),
            self._frame(high, features.index, self.horizons),
        )

    def _select(self, features: pd.DataFrame, outcome: np.ndarray) -> np.ndarray:
        candidates = numeric_feature_names(features)
        self._remember(features, candidates)
        matrix = self._matrix(features)
        independent = independent_columns(matrix, candidates)
        positions = [candidates.index(c) for c in independent]
        self.columns_ = decorrelated_columns(
            matrix[:, positions], independent, outcome, self.correlation_limit
        )
        self._index = [candidates.index(c) for c in self.columns_]
        self.means_ = matrix[:, self._index].mean(axis=0)
        # Fitting on standardised columns keeps IRLS and Newton well conditioned when features
        # range from flags to day counts in the tens of thousands; `_unscale` maps back.
        self.scales_ = matrix[:, self._index].std(axis=0)
        self.scales_[self.scales_ == 0] = 1.0
        return (matrix[:, self._index] - self.means_) / self.scales_

    def _unscale(self, coef: np.ndarray, cov: np.ndarray) -> None:
        """Coefficients and covariance per unit of each feature (as the brief reports them)."""
        self.coef_ = coef / self.scales_
        self.cov_ = cov / np.outer(self.scales_, self.scales_)

    def _centred(self, features: pd.DataFrame) -> np.ndarray:
        return self._matrix(features)[:, self._index] - self.means_

    def linear_predictor(self, features: pd.DataFrame) -> np.ndarray:
        """Log relative hazard against the training mean covariates.

        Bounded at +-30 (a relative hazard of 10^13): far outside the training range a linear
        predictor only says "certain" or "never", and unbounded it overflows.
        """
        return np.clip(
            self._centred(features) @ self.coef_, -LINEAR_PREDICTOR_BOUND, LINEAR_PREDICTOR_BOUND
        )

    def _survival(self, eta: np.ndarray, days: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hazard_ratios(self, level: float = 0.9) -> pd.DataFrame:
        """Hazard ratio per feature unit with its robust interval."""
        z = normal_quantile(level)
        se = np.sqrt(np.diag(self.cov_))
        return pd.DataFrame(
            {
                "feature": self.columns_,
                "hazard_ratio": np.exp(self.coef_),
                "low": np.exp(self.coef_ - z * se),
                "high": np.exp(self.coef_ + z * se),
            }
        )


class CoxTiming(_SurvivalModel):
    """Cox proportional hazards (statsmodels PHReg) with dyad-clustered robust errors.

    Breslow's tie handling: daily data tie often, and Efron's correction costs far more time
    than the difference it makes with a few hundred distinct days.
    """

    # The robust covariance serves intervals and hazard ratios only; the backtest, which scores
    # point forecasts, turns it off (the dyad-clustered score residuals are a fifth of a fit).
    # The coefficients and the baseline are the same either way.
    with_covariance: bool = True

    def __init__(self, horizons: Sequence[int], name: str = "cox") -> None:
        self.horizons = check_horizons(horizons)
        self.name = name

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        features, episodes = align(features, episodes)
        duration, observed = _durations(episodes)
        design = self._select(features, observed & (duration <= max(self.horizons)))
        # A trigger on the data's last day was never at risk: it carries no information, and
        # PHReg's score residuals are undefined for a row censored before the first event.
        informative = duration > 0
        design, duration, observed = (
            design[informative],
            duration[informative],
            observed[informative],
        )
        groups = dyad_groups(episodes)[informative]
        # Nothing after the longest horizon is forecast; stopping the clock there keeps the
        # model about the weeks and months that matter and the fit fast.
        horizon_end = float(max(self.horizons))
        observed = observed & (duration <= horizon_end)
        duration = np.minimum(duration, horizon_end)
        model = breslow_phreg(duration, design, observed.astype(float))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clusters = groups if self.with_covariance else None
            result = model.fit(groups=clusters)
            if not _sane(result.params):
                # Newton's steps can overflow on tens of thousands of tied daily durations;
                # L-BFGS takes smaller steps and stays finite.
                result = model.fit(groups=clusters, method="lbfgs", maxiter=500)
        if not _sane(result.params):
            raise ForecastError(f"'{self.name}' did not converge on {len(duration)} triggers")
        params = np.asarray(result.params)
        cov = (
            np.asarray(result.cov_params())
            if self.with_covariance
            else np.full((len(params), len(params)), np.nan)
        )
        self._unscale(params, cov)
        times, cumulative_hazard, _ = result.baseline_cumulative_hazard[0]
        self.baseline_times_ = np.asarray(times, dtype=float)
        self.baseline_cumhaz_ = np.asarray(cumulative_hazard, dtype=float)
        return self

    def _survival(self, eta: np.ndarray, days: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self.baseline_times_, days, side="right") - 1
        base = np.where(position >= 0, self.baseline_cumhaz_[np.maximum(position, 0)], 0.0)
        return np.exp(-np.outer(np.exp(eta), base))


class HazardGLM(_SurvivalModel):
    """Discrete-time hazard with a cloglog link on grouped day intervals (person-period GLM)."""

    # The fitted spline only makes the time basis; scoring reads `log_baseline_rate_`.
    _fit_only = ("_spline",)

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "hazard_glm",
        edges: Sequence[int] = DEFAULT_EDGES,
        spline_knots: int = 4,
    ) -> None:
        self.horizons = check_horizons(horizons)
        self.name = name
        self.edges = tuple(sorted(set(edges) | {0, max(self.horizons)}))
        self.spline_knots = spline_knots

    def _time_basis(self) -> np.ndarray:
        from sklearn.preprocessing import SplineTransformer

        starts = np.asarray(self.edges[:-1], dtype=float)
        ends = np.asarray(self.edges[1:], dtype=float)
        middle = np.log((starts + ends) / 2 + 1)[:, None]
        self._spline = SplineTransformer(
            n_knots=self.spline_knots, degree=2, include_bias=True
        ).fit(middle)
        return self._spline.transform(middle)

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        features, episodes = align(features, episodes)
        duration, observed = _durations(episodes)
        design = self._select(features, observed & (duration <= max(self.horizons)))
        periods = PersonPeriods.of(duration, observed, self.edges)
        time_basis = self._time_basis()
        n_basis = time_basis.shape[1]
        layout = PersonPeriodLayout(time_basis, design, periods.person, periods.interval)
        params, cov = self._fit_glm(periods, layout, dyad_groups(episodes)[periods.person])
        self.log_baseline_rate_ = time_basis @ params[:n_basis]
        self._keep_effects(params[n_basis:], cov[n_basis:, n_basis:])
        self.person_periods_ = len(periods.person)
        return self

    def _keep_effects(self, params: np.ndarray, cov: np.ndarray) -> None:
        self._unscale(params, cov)

    def _glm(
        self,
        layout: PersonPeriodLayout,
        outcome: np.ndarray,
        offset: np.ndarray,
        family: sm.families.Family,
    ) -> sm.GLM:
        """The GLM on the person-period table: each row the interval's time basis and the
        trigger's own features (its Hessian sums the two blocks separately)."""
        return person_period_glm(outcome, layout, family, offset)

    def _fit_glm(
        self, periods: PersonPeriods, layout: PersonPeriodLayout, groups: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and clustered covariance: cloglog, or piecewise exponential if unsettled."""
        import statsmodels.api as sm

        offset = np.log(periods.exposure)
        outcome = periods.event.astype(float)
        cloglog = self._glm(
            layout, outcome, offset, sm.families.Binomial(link=sm.families.links.CLogLog())
        )
        start = baseline_start(periods, layout.basis, cloglog.exog.shape[1])
        result, converged = _newton_fit(cloglog, groups, start)
        self.link_ = "cloglog"
        if not converged:
            # The piecewise-exponential model (Poisson, log link, same offset) is the same
            # proportional-hazards model in continuous time, and its likelihood is better
            # behaved: the fallback when the cloglog fit does not settle.
            poisson = self._glm(layout, outcome, offset, sm.families.Poisson())
            result, _ = _newton_fit(poisson, groups, start)
            self.link_ = "log (piecewise exponential)"
        if not _sane(result.params):
            raise ForecastError(
                f"'{self.name}' did not converge on {periods.n_triggers} triggers; "
                "try fewer features or a later backtest.first_origin"
            )
        return np.asarray(result.params), np.asarray(result.cov_params())

    def _survival(self, eta: np.ndarray, days: np.ndarray) -> np.ndarray:
        base = interval_exposure(self.edges, days) @ np.exp(self.log_baseline_rate_)
        return np.exp(-np.outer(np.exp(eta), base))


# Centre of the time interactions: the time-varying model's main effects (and the hazard ratios
# the brief reads from them) are the effects at 30 days.
TIME_CENTRE_DAYS = 30


class _IntervalRates:
    """Curves from (n, intervals) log hazard rates: the models whose effects vary with time."""

    edges: tuple[int, ...]
    horizons: tuple[int, ...]

    def log_rates(self, features: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def predict_survival(self, features: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
        values = _survival_from_rates(self.log_rates(features), self.edges, days)
        return pd.DataFrame(values, index=features.index, columns=list(days))

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        return survival_to_proba(self.predict_survival(features, self.horizons))


class TimeVaryingHazard(_IntervalRates, HazardGLM):
    """The discrete-time hazard GLM with each feature's effect changing linearly in log days.

    Proportional hazards give every feature one effect at every day, so the model ranks every
    pair of triggers the same way at 7 and at 365 days. Here the log hazard in interval k is
    a_k + x'b + x'c * (log(mid_k + 1) - log(31)): a feature can drive quick answers and matter
    little for late ones (the curves of two triggers may cross). `coef_` (b) holds the effects
    at 30 days, `slope_` (c) their change per unit of log days.
    """

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "hazard_glm_tv",
        edges: Sequence[int] = DEFAULT_EDGES,
        spline_knots: int = 4,
    ) -> None:
        super().__init__(horizons, name=name, edges=edges, spline_knots=spline_knots)

    def _log_time(self) -> np.ndarray:
        """Each interval's centred log mid-day, the multiplier of the features' slopes."""
        starts = np.asarray(self.edges[:-1], dtype=float)
        ends = np.asarray(self.edges[1:], dtype=float)
        return np.log((starts + ends) / 2 + 1) - np.log(TIME_CENTRE_DAYS + 1)

    def _glm(
        self,
        layout: PersonPeriodLayout,
        outcome: np.ndarray,
        offset: np.ndarray,
        family: sm.families.Family,
    ) -> sm.GLM:
        """Each row's features enter twice, the second time times the interval's log days."""
        import statsmodels.api as sm

        slopes = layout.design[layout.person] * self._log_time()[layout.interval, None]
        exog = np.hstack([layout.rows(), slopes])
        # The time basis sums to one in every interval: the constant is there, and saying so
        # spares statsmodels a rank check (an SVD) of the whole person-period table.
        return sm.GLM(outcome, exog, family=family, offset=offset, hasconst=True)

    def _keep_effects(self, params: np.ndarray, cov: np.ndarray) -> None:
        width = len(self.columns_)
        self._unscale(params[:width], cov[:width, :width])
        scales = np.r_[self.scales_, self.scales_]
        self.slope_ = params[width:] / self.scales_
        self.joint_cov_ = cov / np.outer(scales, scales)

    def log_rates(self, features: pd.DataFrame, shift: float = 0.0) -> np.ndarray:
        """(n, intervals) log hazard rates; `shift` standard errors up or down (delta method)."""
        centred = self._centred(features)
        log_time = self._log_time()
        eta = (centred @ self.coef_)[:, None] + (centred @ self.slope_)[:, None] * log_time
        if shift:
            # Gradient of interval k's linear predictor: (x, x * log_time_k).
            width = len(self.columns_)
            cov = self.joint_cov_
            main, cross, slope = (
                np.einsum("ij,jk,ik->i", centred, block, centred)[:, None]
                for block in (cov[:width, :width], cov[:width, width:], cov[width:, width:])
            )
            variance = main + 2 * cross * log_time + slope * log_time**2
            eta = eta + shift * np.sqrt(np.maximum(variance, 0.0))
        eta = np.clip(eta, -LINEAR_PREDICTOR_BOUND, LINEAR_PREDICTOR_BOUND)
        return eta + self.log_baseline_rate_

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Delta-method band on each interval's log hazard (baseline taken as known)."""
        z = normal_quantile(level)
        bounds = [
            survival_to_proba(
                _survival_from_rates(self.log_rates(features, s), self.edges, self.horizons)
            )
            for s in (-z, z)
        ]
        low, high = (self._frame(b, features.index, self.horizons) for b in bounds)
        return low, high


def _survival_from_rates(
    log_rates: np.ndarray, edges: Sequence[int], days: Sequence[int]
) -> np.ndarray:
    """S(day) for each row of (n, intervals) log hazard rates, constant within an interval."""
    exposure = interval_exposure(edges, np.asarray(days, dtype=float))
    return np.exp(-np.exp(log_rates) @ exposure.T)


@dataclass(frozen=True)
class BoostedTrees:
    """A fitted binary HistGradientBoostingClassifier's trees, scored with numpy alone.

    The forecast's copy of `BoostedHazard` keeps these arrays instead of the booster, so the
    champion bundle unpickles without scikit-learn (over a second of a cold `forecast predict`).
    The arithmetic is scikit-learn's own: each tree is walked as its predictor walks it (a
    missing value goes where the split sent missing values in training, else `x <= threshold`
    goes left), the raw score is the baseline plus each tree's leaf value added in the trees'
    order (the same bits: a test compares the raw scores exactly), and the probability is the
    expit of it (scipy's to two units in the last place, tests/test_links.py). The nodes of
    all trees sit in one set of arrays, tree t's root at `roots[t]`, so one step of the walk
    moves every row down every tree at once.
    """

    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    n_features: int

    @classmethod
    def of(cls, booster: HistGradientBoostingClassifier) -> BoostedTrees | None:
        """The booster's trees, or None for a booster these arrays cannot stand for.

        Reads scikit-learn's fitted predictors (private attributes, stable since 1.0): a binary
        classifier has one tree per iteration; a categorical split would need its bitsets.
        """
        predictors = getattr(booster, "_predictors", None)
        if not predictors or booster.n_trees_per_iteration_ != 1:
            return None
        trees = [iteration[0].nodes for iteration in predictors]
        if any(nodes["is_categorical"].any() for nodes in trees):
            return None
        sizes = np.array([len(nodes) for nodes in trees])
        roots = np.r_[0, np.cumsum(sizes)[:-1]]
        nodes = np.concatenate(trees)
        shift = np.repeat(roots, sizes)
        return cls(
            baseline=float(np.asarray(booster._baseline_prediction).item()),
            roots=roots,
            feature=nodes["feature_idx"].astype(np.intp),
            threshold=nodes["num_threshold"].astype(np.float64),
            missing_left=nodes["missing_go_to_left"].astype(bool),
            left=nodes["left"].astype(np.intp) + shift,
            right=nodes["right"].astype(np.intp) + shift,
            leaf=nodes["is_leaf"].astype(bool),
            value=nodes["value"].astype(np.float64),
            n_features=int(booster.n_features_in_),
        )

    def raw_score(self, inputs: np.ndarray) -> np.ndarray:
        """The log-odds per row: the baseline, then each tree's leaf value in the trees' order."""
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim != 2 or inputs.shape[1] != self.n_features:
            raise ForecastError(f"the booster takes {self.n_features} inputs per row")
        rows = np.arange(len(inputs))[:, None]
        node = np.broadcast_to(self.roots, (len(inputs), len(self.roots))).copy()
        inner = ~self.leaf[node]
        while inner.any():
            x = inputs[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
            inner = ~self.leaf[node]
        # Added one tree at a time as scikit-learn does (a pairwise sum would round otherwise).
        terms = np.column_stack([np.full(len(inputs), self.baseline), self.value[node]])
        return np.add.accumulate(terms, axis=1)[:, -1]

    def predict_proba(self, inputs: np.ndarray) -> np.ndarray:
        """(n, 2) class probabilities, as the booster's `predict_proba` returns them."""
        answered = expit(self.raw_score(inputs))
        return np.column_stack([1 - answered, answered])


class BoostedHazard(_IntervalRates, FeatureMemory):
    """A discrete-time hazard learned by gradient boosting on the person-period table.

    The interval's log mid-day is one more input, so the booster may let any feature matter
    more early than late, and combine features as it likes: no proportional hazards, no
    linearity. Each interval's answer probability h_k becomes a constant rate
    -log(1 - h_k) / width_k within it, which gives S(t) at any day. A trigger censored inside
    an interval enters that interval with weight exposure / width (it was watched for that
    share of it).
    """

    def __init__(
        self,
        horizons: Sequence[int],
        name: str = "hazard_gb",
        edges: Sequence[int] = DEFAULT_EDGES,
        seed: int = 0,
        **booster_params: float,
    ) -> None:
        """`booster_params` go to HistGradientBoostingClassifier (the registry passes hist_gb's)."""
        self.horizons = check_horizons(horizons)
        self.name = name
        self.edges = tuple(sorted(set(edges) | {0, max(self.horizons)}))
        self.seed = seed
        self.booster_params = booster_params

    def _widths(self) -> np.ndarray:
        return np.diff(np.asarray(self.edges, dtype=float))

    def _log_middles(self) -> np.ndarray:
        edges = np.asarray(self.edges, dtype=float)
        return np.log((edges[:-1] + edges[1:]) / 2 + 1)

    def _inputs(self, rows: np.ndarray, interval: np.ndarray) -> np.ndarray:
        """The booster's inputs: a trigger's features and the interval's log mid-day."""
        return np.hstack([rows, self._log_middles()[interval, None]])

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        from sklearn.ensemble import HistGradientBoostingClassifier

        features, episodes = align(features, episodes)
        self._remember(features, numeric_feature_names(features))
        duration, observed = _durations(episodes)
        periods = PersonPeriods.of(duration, observed, self.edges)
        if periods.event.all() or not periods.event.any():
            raise ForecastError(
                f"'{self.name}' needs both answered and unanswered intervals to learn a hazard"
            )
        share = np.minimum(periods.exposure / self._widths()[periods.interval], 1.0)
        weight = np.where(periods.event, 1.0, share)
        inputs = self._inputs(self._matrix(features)[periods.person], periods.interval)
        booster = HistGradientBoostingClassifier(
            **self.booster_params, early_stopping=False, random_state=self.seed
        )
        with threadpool_limits(BOOSTING_THREADS), faster_weighted_binning():
            self.booster_ = booster.fit(inputs, periods.event, sample_weight=weight)
        self.n_triggers_ = periods.n_triggers
        self.person_periods_ = len(periods.person)
        return self

    def log_rates(self, features: pd.DataFrame) -> np.ndarray:
        """(n, intervals) log constant hazard rates from the booster's interval probabilities."""
        matrix = self._matrix(features)
        intervals = len(self.edges) - 1
        every_interval = np.tile(np.arange(intervals), len(matrix))
        inputs = self._inputs(np.repeat(matrix, intervals, axis=0), every_interval)
        with threadpool_limits(BOOSTING_THREADS):
            hazard = self.booster_.predict_proba(inputs)[:, 1]
        hazard = hazard.reshape(len(matrix), intervals)
        rate = -np.log1p(-np.clip(hazard, 0.0, 1 - 1e-12)) / self._widths()
        with np.errstate(divide="ignore"):
            return np.log(rate)

    def for_scoring(self) -> Self:
        """The copy keeps the booster's trees as numpy arrays when they can stand for it."""
        copy = super().for_scoring()
        trees = BoostedTrees.of(self.booster_)
        if trees is not None:
            copy.booster_ = trees
        return copy

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Wilson band with n = training triggers / 20: rough, as boosting has no standard error."""
        proba = self.predict_proba(features)
        return counted_interval(proba, {h: self.n_triggers_ / 20 for h in self.horizons}, level)
