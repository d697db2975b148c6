"""Likelihood models for forecasts whose record ends before the trigger: one per record age.

A model fitted on triggers whose whole past was observed reads an unobserved gap as quiet
years. `RecordAgeModels` holds, for each trained record age (a band, in whole years), a logit
fitted on the training triggers seen with their record cut that long before them
(`forecast.record_age.history`): one without the days just before the trigger (nothing but
the record is known) and one with them (`+context`: the analyst knows whether the target just used
force against the initiator). A forecast uses the band nearest its own record age, and the oldest
band beyond it. The logit is used because it keeps its skill across a gap where the boosted
trees lose theirs (docs/models.md, "Forecasting across a gap").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Self

import numpy as np
import pandas as pd

from forecast.core.config import Params
from forecast.core.coverage import Coverage
from forecast.core.errors import ForecastError
from forecast.features.registry import FeatureSelection
from forecast.models.ridge_logit import DEFAULT_C, RidgeLogit
from forecast.record_age.history import RecordHistory

if TYPE_CHECKING:
    from forecast.models.parallel_fit import FitJob

# Every feature but the recent context (whether the target just used force against the
# initiator): known from the record itself at age 0, beyond the record's end only from what an
# analyst supplies.
WITHOUT_CONTEXT = FeatureSelection(recent_context=False)
BAND_MODEL = "record_logit"
CONTEXT_SUFFIX = "+context"
# The two kinds of record-aware logit: one per age, or one over every age.
BAND = "band"
POOLED = "pooled"


def band_model_name(context: bool) -> str:
    """`record_logit` or `record_logit+context`: the names metrics/record_age.json and forecasts
    use (`logit` names the dyad-clustered logit of forecast.models.logit)."""
    return BAND_MODEL + (CONTEXT_SUFFIX if context else "")


def band_logit(
    horizons: Sequence[int],
    age: int,
    context: bool,
    *,
    with_covariance: bool = True,
    C: float = DEFAULT_C,
) -> RidgeLogit:
    """A fresh logit for one band: at age 0 the record holds the recent days, so both readings
    use every feature; beyond it the plain model leaves the recent context out."""
    return RidgeLogit(
        horizons,
        name=f"{band_model_name(context)}@{age}y",
        selection=None if context or age == 0 else WITHOUT_CONTEXT,
        with_covariance=with_covariance,
        C=C,
    )


def pooled_logit(
    horizons: Sequence[int], context: bool, *, with_covariance: bool = True
) -> RidgeLogit:
    """A fresh logit for every age past 0 at once, the record's age among its features."""
    return RidgeLogit(
        horizons,
        name=f"{band_model_name(context)}@pooled",
        selection=None if context else WITHOUT_CONTEXT,
        with_covariance=with_covariance,
    )


def mixed_ages(
    features_by_age: Mapping[int, pd.DataFrame], episodes: pd.DataFrame, ages: Sequence[int]
) -> pd.DataFrame:
    """Each trigger's features at one of `ages`, drawn from a hash of its episode id.

    The pooled logit learns how the record's age changes what history means from every age at
    once; seeing each trigger at one age keeps its table as large as one band's (four times
    fewer rows than every trigger at every age, for the same spread of ages), and the draw
    depends on the trigger alone, so a trigger keeps its age in every training window.
    """
    ordered = sorted(ages)
    draw = pd.util.hash_pandas_object(
        episodes["episode_id"].astype("string"), index=False
    ).to_numpy() % np.uint64(len(ordered))
    mixed = features_by_age[ordered[0]].copy()
    for position, age in enumerate(ordered[1:], start=1):
        rows = draw == position
        mixed.iloc[rows, :] = features_by_age[age].iloc[rows, :].to_numpy()
    return mixed


def nearest_band(ages: Sequence[int], age_years: float) -> int:
    """The trained age closest to `age_years` (the older on a tie); the oldest beyond it."""
    ordered = sorted(ages)
    if age_years >= ordered[-1]:
        return ordered[-1]
    return min(ordered, key=lambda band: (abs(band - age_years), -band))


class RecordAgeModels:
    """Logits for records that end before the trigger, without and with the recent facts.

    For each trained age past 0 there is a band logit (fitted on the triggers seen at that age
    only) and one pooled logit over every such age (the age a feature); `choice_` says which of
    the two serves each age and reading, as `forecast.record_age.choice` chose from the backtest
    by record age (`serve_kinds`; the band by default). Age 0 is one logit for both readings.
    """

    def __init__(self, horizons: Sequence[int], ages: Sequence[int]) -> None:
        self.horizons = tuple(int(h) for h in horizons)
        self.ages = tuple(sorted(int(a) for a in ages))
        if not self.ages or self.ages[0] != 0:
            raise ForecastError("params.yaml record_age.ages must include 0 (today's record)")

    def fit(
        self,
        features_by_age: Mapping[int, pd.DataFrame],
        episodes: pd.DataFrame,
        n_jobs: int = 1,
    ) -> Self:
        """Fit every band, and the pooled logits, on the same labelled triggers (`n_jobs` fits
        side by side)."""
        from forecast.models.parallel_fit import fit_models

        older = [age for age in self.ages if age > 0]
        jobs: dict[tuple[int | str, bool], FitJob] = {}
        if older:
            # The pooled logits learn from every older age at once: the longest fits, first.
            features = mixed_ages(features_by_age, episodes, older)
            for context in (False, True):
                jobs[(POOLED, context)] = (pooled_logit(self.horizons, context), features, episodes)
        for age in self.ages:
            # At age 0 both readings are one model: the record itself holds the recent days.
            for context in (False, True) if age else (False,):
                model = band_logit(self.horizons, age, context=context)
                jobs[(age, context)] = (model, features_by_age[age], episodes)
        fitted = dict(zip(jobs, fit_models(list(jobs.values()), n_jobs), strict=True))
        self.pooled_: dict[bool, RidgeLogit] = {
            context: fitted[(POOLED, context)] for context in (False, True) if older
        }
        self.models_: dict[tuple[int, bool], RidgeLogit] = {
            (age, context): fitted[(age, context if age else False)]
            for age in self.ages
            for context in (False, True)
        }
        self.choice_ = {(age, context): BAND for age in older for context in (False, True)}
        return self

    def serve_kinds(self, choice: Mapping[tuple[int, bool], str]) -> Self:
        """Serve each (age, reading) by the kind of model the backtest by age found better."""
        unknown = sorted(set(choice.values()) - {BAND, POOLED})
        if unknown:
            raise ForecastError(f"record-age model kind(s) {unknown} are not band or pooled")
        self.choice_ = {**self.choice_, **dict(choice)}
        return self

    @property
    def oldest(self) -> int:
        return self.ages[-1]

    def band(self, age_years: float) -> int:
        return nearest_band(self.ages, age_years)

    def kind(self, age_years: float, context: bool) -> str:
        """`band` or `pooled`: which logit serves a record this old."""
        band = self.band(age_years)
        return BAND if band == 0 else self.choice_.get((band, context), BAND)

    def model(self, age_years: float, context: bool) -> RidgeLogit:
        """The fitted logit for a record this old, with or without the recent facts."""
        band = self.band(age_years)
        if self.kind(age_years, context) == POOLED:
            return self.pooled_[context]
        return self.models_[(band, context)]

    def for_scoring(self) -> Self:
        """A copy whose logits hold only what scoring reads."""
        copy = type(self)(self.horizons, self.ages)
        scoring: dict[int, RidgeLogit] = {}

        def light(model: RidgeLogit) -> RidgeLogit:
            # Age 0's shared model stays shared in the copy.
            if id(model) not in scoring:
                scoring[id(model)] = model.for_scoring()
            return scoring[id(model)]

        copy.models_ = {key: light(model) for key, model in self.models_.items()}
        copy.pooled_ = {key: light(model) for key, model in self.pooled_.items()}
        copy.choice_ = dict(self.choice_)
        return copy

    def predict_proba(self, features: pd.DataFrame, age_years: float, context: bool) -> np.ndarray:
        """P(answer within each horizon) from the logit serving `age_years` (rows x horizons)."""
        model = self.model(age_years, context)
        return model.predict_proba(features)[list(self.horizons)].to_numpy()


def kind_name(model: str, kind: str) -> str:
    """`record_logit:band`, `record_logit+context:pooled`: one kind of a record-aware model, as
    scored."""
    return f"{model}:{kind}"


def fit_record_models(
    incidents: pd.DataFrame,
    episodes: pd.DataFrame,
    covariates: pd.DataFrame | None,
    coverage: Mapping[str, Coverage],
    params: Params,
    choice: Mapping[tuple[int, bool], str] | None = None,
    n_jobs: int = 1,
) -> RecordAgeModels:
    """The final record-aware models: every labelled trigger, seen at each trained age.

    `incidents` are the history's incidents and `coverage` their declared spans, the inputs of
    the features stage; the recent days are known in full in training (context). `choice`
    ({(age, context): kind}, `forecast.record_age.choice.served_kinds`) says whether the band
    or the pooled logit serves each age; the band where it is silent.
    """
    history = RecordHistory.build(incidents, episodes, covariates, coverage, params)
    ages = sorted(params.record_age.ages)
    tables = {age: history.features(age, anchor="record_end", context="all") for age in ages}
    models = RecordAgeModels(params.episodes.horizons, ages).fit(
        tables, history.episodes, n_jobs=n_jobs
    )
    if choice:
        models.serve_kinds(choice)
    return models
