"""Likelihood models for forecasts whose record ends before the trigger: one per record age.

A model fitted on triggers whose whole past was observed reads an unobserved gap as quiet
years. `RecordAgeModels` holds, for each trained record age (a band, in whole years), a logit
fitted on the training triggers seen with their record cut that long before them
(`forecast.record_age`): one without the days just before the trigger (nothing but the record
is known) and one with them (`+context`: the analyst knows whether the target just used force
against the initiator). A forecast uses the band nearest its own record age, and the oldest
band beyond it. The logit is used because it keeps its skill across a gap where the boosted
trees lose theirs (docs/models.md, "Forecasting across a gap").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np
import pandas as pd

from forecast.config import Params
from forecast.errors import ForecastError
from forecast.models.ridge_logit import DEFAULT_C, RidgeLogit
from forecast.record import SourceCoverage
from forecast.record_age import RecordHistory

# The flags that say whether the target just used force against the initiator: known from the
# record itself at age 0, beyond the record's end only from what an analyst supplies.
CONTEXT_PATTERN = r"^is_response_"
WITHOUT_CONTEXT = r"^(?!is_response_)"
BAND_MODEL = "logit"
CONTEXT_SUFFIX = "+context"


def band_model_name(context: bool) -> str:
    """`logit` or `logit+context`: how metrics/record_age.json and forecasts name them."""
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
    use every feature; beyond it the plain model leaves the recent-days flags out."""
    pattern = None if context or age == 0 else WITHOUT_CONTEXT
    return RidgeLogit(
        horizons,
        name=f"{band_model_name(context)}@{age}y",
        column_pattern=pattern,
        with_covariance=with_covariance,
        C=C,
    )


def nearest_band(ages: Sequence[int], age_years: float) -> int:
    """The trained age closest to `age_years` (the older on a tie); the oldest beyond it."""
    ordered = sorted(ages)
    if age_years >= ordered[-1]:
        return ordered[-1]
    return min(ordered, key=lambda band: (abs(band - age_years), -band))


class RecordAgeModels:
    """One logit per record-age band, without and with the analyst's recent facts."""

    def __init__(self, horizons: Sequence[int], ages: Sequence[int]) -> None:
        self.horizons = tuple(int(h) for h in horizons)
        self.ages = tuple(sorted(int(a) for a in ages))
        if not self.ages or self.ages[0] != 0:
            raise ForecastError("params.yaml record_age.ages must include 0 (today's record)")

    def fit(self, features_by_age: Mapping[int, pd.DataFrame], episodes: pd.DataFrame) -> Self:
        """Fit every band on the same labelled triggers seen at that band's record age."""
        self.models_: dict[tuple[int, bool], RidgeLogit] = {}
        for age in self.ages:
            features = features_by_age[age]
            plain = band_logit(self.horizons, age, context=False).fit(features, episodes)
            self.models_[(age, False)] = plain
            # At age 0 both readings are one model: the record itself holds the recent days.
            self.models_[(age, True)] = (
                plain if age == 0 else band_logit(self.horizons, age, True).fit(features, episodes)
            )
        return self

    @property
    def oldest(self) -> int:
        return self.ages[-1]

    def band(self, age_years: float) -> int:
        return nearest_band(self.ages, age_years)

    def model(self, age_years: float, context: bool) -> RidgeLogit:
        """The fitted logit for a record this old, with or without the recent facts."""
        return self.models_[(self.band(age_years), context)]

    def for_scoring(self) -> Self:
        """A copy whose logits hold only what scoring reads (no statsmodels results)."""
        copy = type(self)(self.horizons, self.ages)
        copy.models_ = {}
        scoring: dict[int, RidgeLogit] = {}
        for key, model in self.models_.items():
            # Age 0's shared model stays shared in the copy.
            if id(model) not in scoring:
                scoring[id(model)] = model.for_scoring()
            copy.models_[key] = scoring[id(model)]
        return copy

    def predict_proba(self, features: pd.DataFrame, age_years: float, context: bool) -> np.ndarray:
        """P(answer within each horizon) from the band of `age_years` (rows x horizons)."""
        model = self.model(age_years, context)
        return model.predict_proba(features)[list(self.horizons)].to_numpy()


def fit_record_models(
    incidents: pd.DataFrame,
    episodes: pd.DataFrame,
    covariates: pd.DataFrame | None,
    coverage: Mapping[str, SourceCoverage],
    params: Params,
) -> RecordAgeModels:
    """The final band models: every labelled trigger, seen at each trained record age.

    `incidents` are the modelled sources' incidents and `coverage` their declared spans, the
    inputs of the features stage; the recent days are known in full in training (context).
    """
    history = RecordHistory.build(incidents, episodes, covariates, coverage, params)
    ages = sorted(params.record_age.ages)
    tables = {age: history.features(age, anchor="record_end", context="all") for age in ages}
    return RecordAgeModels(params.episodes.horizons, ages).fit(tables, history.episodes)
