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
model scores with numpy alone, and importing them would cost each forecast seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Self

import numpy as np
import pandas as pd

from forecast.errors import ForecastError
from forecast.models.common import (
    FeatureMemory,
    align,
    check_horizons,
    decorrelated_columns,
    dyad_groups,
    normal_quantile,
    numeric_feature_names,
)
from forecast.models.logit import independent_columns

if TYPE_CHECKING:
    import statsmodels.api as sm

# Interval edges in days since the trigger: fine where most answers come, coarse later.
DEFAULT_EDGES = (0, 1, 3, 7, 14, 30, 60, 90, 180, 365)
LINEAR_PREDICTOR_BOUND = 30.0
# Newton on the person-period table reaches a score below tolerance in about 15 steps.
NEWTON_STEPS = 25
SCORE_TOLERANCE = 1e-5
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


def _newton_fit(
    outcome: np.ndarray,
    exog: np.ndarray,
    family: sm.families.Family,
    offset: np.ndarray,
    groups: np.ndarray,
) -> tuple[object, bool]:
    """A GLM fitted by Newton's method with dyad-clustered errors, and whether it converged.

    statsmodels' default IRLS solves a least-squares problem on the whole person-period table
    at every step and, under the cloglog link, often runs away; Newton's steps work on the
    small Hessian and settle. Convergence is judged by the score, since near-flat directions
    keep the coefficients jittering below any useful precision.
    """
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.GLM(outcome, exog, family=family, offset=offset).fit(
            method="newton",
            maxiter=NEWTON_STEPS,
            cov_type="cluster",
            cov_kwds={"groups": groups},
        )
    score = np.asarray(result.mle_retvals["score"])
    converged = bool(np.all(np.isfinite(score)) and np.abs(score).max() < SCORE_TOLERANCE)
    return result, converged and _sane(result.params)


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
        return 1.0 - self.predict_survival(features, self.horizons)

    def predict_interval(
        self, features: pd.DataFrame, level: float = 0.9
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Delta-method band on the linear predictor (baseline taken as known)."""
        z = normal_quantile(level)
        design = self._centred(features)
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov_, design))
        eta = self.linear_predictor(features)
        days = np.asarray(self.horizons, dtype=float)
        low = 1.0 - self._survival(eta - z * se, days)
        high = 1.0 - self._survival(eta + z * se, days)
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

    def __init__(self, horizons: Sequence[int], name: str = "cox") -> None:
        self.horizons = check_horizons(horizons)
        self.name = name

    def fit(self, features: pd.DataFrame, episodes: pd.DataFrame) -> Self:
        import statsmodels.api as sm

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
        model = sm.PHReg(duration, design, status=observed.astype(float), ties="breslow")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = model.fit(groups=groups)
            if not _sane(result.params):
                # Newton's steps can overflow on tens of thousands of tied daily durations;
                # L-BFGS takes smaller steps and stays finite.
                result = model.fit(groups=groups, method="lbfgs", maxiter=500)
        if not _sane(result.params):
            raise ForecastError(f"'{self.name}' did not converge on {len(duration)} triggers")
        self._unscale(np.asarray(result.params), np.asarray(result.cov_params()))
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
        import statsmodels.api as sm

        features, episodes = align(features, episodes)
        duration, observed = _durations(episodes)
        design = self._select(features, observed & (duration <= max(self.horizons)))
        starts = np.asarray(self.edges[:-1], dtype=float)
        ends = np.asarray(self.edges[1:], dtype=float)
        # Person-period rows: each trigger is at risk in every interval it entered.
        at_risk = duration[:, None] > starts[None, :]
        person, interval = np.nonzero(at_risk)
        exposure = np.minimum(duration[person], ends[interval]) - starts[interval]
        exposure = np.maximum(exposure, 0.5)
        event = observed[person] & (duration[person] <= ends[interval])
        time_basis = self._time_basis()
        n_basis = time_basis.shape[1]
        exog = np.hstack([time_basis[interval], design[person]])
        offset = np.log(exposure)
        outcome = event.astype(float)
        groups = dyad_groups(episodes)[person]
        cloglog = sm.families.Binomial(link=sm.families.links.CLogLog())
        result, converged = _newton_fit(outcome, exog, cloglog, offset, groups)
        self.link_ = "cloglog"
        if not converged:
            # The piecewise-exponential model (Poisson, log link, same offset) is the same
            # proportional-hazards model in continuous time, and its likelihood is better
            # behaved: the fallback when the cloglog fit does not settle.
            result, _ = _newton_fit(outcome, exog, sm.families.Poisson(), offset, groups)
            self.link_ = "log (piecewise exponential)"
        if not _sane(result.params):
            raise ForecastError(
                f"'{self.name}' did not converge on {len(duration)} triggers; "
                "try fewer features or a later backtest.first_origin"
            )
        params = np.asarray(result.params)
        cov = np.asarray(result.cov_params())
        self.log_baseline_rate_ = time_basis @ params[:n_basis]
        self._unscale(params[n_basis:], cov[n_basis:, n_basis:])
        self.person_periods_ = len(person)
        return self

    def _survival(self, eta: np.ndarray, days: np.ndarray) -> np.ndarray:
        starts = np.asarray(self.edges[:-1], dtype=float)
        ends = np.asarray(self.edges[1:], dtype=float).copy()
        # Beyond the last edge the last interval's rate carries on, so S keeps falling.
        ends[-1] = max(ends[-1], float(days.max()) if days.size else ends[-1])
        exposure = np.clip(days[:, None], starts[None, :], ends[None, :]) - starts[None, :]
        base = exposure @ np.exp(self.log_baseline_rate_)
        return np.exp(-np.outer(np.exp(eta), base))
