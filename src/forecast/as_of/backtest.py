"""The as-of backtest: forecasts made k days after a trigger that has not been answered yet.

For every trigger the rolling-origin backtest forecast out of sample, and every as-of day k
(params `as_of.days`) with no answer on days 1..k, the event scored at horizon H > k is an
answer in (k, H]. Three forecasts are scored on the same rows:
- `day0`: the day-0 forecast of H as it stands, the number an analyst would otherwise reread;
- `renormalised`: that forecast given no answer by day k (`forecast.as_of.renormalise`), the
  timing shape counted on the triggers known at the origin;
- `timing_curve`: the same, with each trigger's own out-of-sample curve from the timing model
  (backtest_survival.parquet) for the shape inside each window;
- `as_of_logit`: the logit of `forecast.as_of.model`, fitted at each origin on the as-of rows of
  earlier origins' out-of-sample forecasts whose labels were known by the origin (so no label
  and no evidence after the origin reaches it), reading the evidence since the trigger.

Scores are per subset, model, k and H, with Brier skill over the renormalised forecast and
paired dyad-bootstrap intervals. The record ages' band forecasts (which have no timing curve of
their own) are renormalised the same way and scored at each record age.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.as_of.evidence import EVIDENCE_COLUMNS, AsOfEvidence
from forecast.as_of.model import (
    AS_OF_LOGIT,
    RENORMALISED,
    TIMING_CURVE,
    AsOfModel,
    fit_as_of_logit,
    logit_inputs,
    renormalised_logodds,
    settled_shape,
)
from forecast.as_of.renormalise import CurveRows, renormalised
from forecast.core.config import Params
from forecast.episodes import day_numbers
from forecast.evaluation import metrics
from forecast.evaluation.comparisons import paired_difference, probability_score
from forecast.evaluation.splits import censor_at
from forecast.models.common import dyad_groups, expit, label_column

DAY0 = "day0"
MODELS = (DAY0, RENORMALISED, TIMING_CURVE, AS_OF_LOGIT)
# The forecasts that may be served instead of the renormalised one, in the order tried.
CANDIDATES = (TIMING_CURVE, AS_OF_LOGIT)
SUBSETS = ("all", "limited_force")


@dataclass
class AsOfResult:
    """metrics/as_of.json's blocks, the model a forecast made today serves, and the time."""

    scores: dict[str, Any]
    record_age: dict[str, Any]
    evidence_rates: dict[str, Any]
    model: AsOfModel
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)


def as_of_rows(
    episodes: pd.DataFrame, days: Sequence[int], horizons: Sequence[int]
) -> pd.DataFrame:
    """One row per trigger and as-of day k with no answer on days 1..k known by then.

    `y_<H>` is 1 for an answer in (k, H], 0 for none by H, NaN when unknown (the label is
    censored, the window has closed at k, or a month-dated answer leaves the first day open).
    """
    delay = pd.to_numeric(episodes["days_to_retaliation"], errors="coerce").to_numpy(dtype=float)
    frames = []
    for k in days:
        answered_by_k = delay <= k
        frame = episodes.loc[~answered_by_k, ["episode_id", "date", "initiator", "target"]].copy()
        frame["k"] = int(k)
        frame["limited_force"] = (
            episodes.loc[~answered_by_k, "limited_force"].astype(bool).to_numpy()
        )
        later = delay[~answered_by_k]
        for horizon in horizons:
            label = episodes.loc[~answered_by_k, label_column(horizon)].astype("boolean")
            known = label.notna().to_numpy() & (horizon > k)
            answered = label.fillna(False).to_numpy(dtype=bool)
            unsure = answered & np.isnan(later)
            y = np.where(answered, 1.0, 0.0)
            frame[f"y_{horizon}"] = np.where(known & ~unsure, y, np.nan)
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True)
    rows["day"] = day_numbers(rows["date"]) if len(rows) else np.array([], np.int64)
    return rows.sort_values(["episode_id", "k"], kind="stable", ignore_index=True)


def known_shape(
    episodes: pd.DataFrame, cutoff: pd.Timestamp, horizons: Sequence[int]
) -> np.ndarray:
    """The timing shape counted on the triggers whose last-horizon outcome was known at
    `cutoff`."""
    return settled_shape(censor_at(episodes, cutoff, horizons), horizons)


def origin_cutoff(origin: int, params: Params) -> pd.Timestamp:
    """The first day an origin's forecasts may not know: 1 January, less the embargo."""
    return pd.Timestamp(year=int(origin), month=1, day=1) - pd.Timedelta(
        days=params.backtest.embargo_days
    )


def origin_shapes(
    episodes: pd.DataFrame, origins: Sequence[int], horizons: Sequence[int], params: Params
) -> dict[int, np.ndarray]:
    """Each origin's timing shape, counted on what was settled by its cutoff."""
    return {
        int(origin): known_shape(episodes, origin_cutoff(origin, params), horizons)
        for origin in sorted(origins)
    }


def day0_table(forecasts: pd.DataFrame, horizons: Sequence[int]) -> pd.DataFrame:
    """One model's out-of-sample day-0 forecasts: one row per trigger, origin and p_<H>."""
    wide = forecasts.pivot_table(
        index=["episode_id", "origin"], columns="horizon", values="p", aggfunc="first"
    )
    wide = wide.reindex(columns=list(horizons))
    wide.columns = [f"p_{h}" for h in horizons]
    return wide.reset_index().sort_values(
        ["origin", "episode_id"], kind="stable", ignore_index=True
    )


@dataclass(frozen=True)
class RollingForecasts:
    """The as-of rows (with their evidence) and each forecast's numbers, (rows, horizons)."""

    rows: pd.DataFrame
    forecasts: dict[str, np.ndarray]


def curve_rows(
    rows: pd.DataFrame, survival: pd.DataFrame | None, model: str | None
) -> CurveRows | None:
    """Each row's out-of-sample P(answer by day) from `model`'s survival curves (NaN where the
    trigger has none), or None without curves."""
    if survival is None or model is None or survival.empty:
        return None
    chosen = survival[survival["model"].astype(str) == model]
    if chosen.empty:
        return None
    wide = chosen.pivot_table(index="episode_id", columns="day", values="survival", aggfunc="first")
    grid = [int(day) for day in wide.columns]
    matrix = 1.0 - wide.reindex(rows["episode_id"]).to_numpy(dtype=float)
    return CurveRows(matrix, grid)


def rolling_as_of_forecasts(
    episodes: pd.DataFrame,
    predictions: pd.DataFrame,
    champion: str,
    evidence: AsOfEvidence,
    params: Params,
    survival: pd.DataFrame | None = None,
    timing_model: str | None = None,
    shapes: dict[int, np.ndarray] | None = None,
) -> RollingForecasts:
    """Every origin's as-of forecasts from what was known before it.

    At origin O the timing shape is counted on the triggers settled before O (less the
    embargo; `shapes` when given, else counted here), and the logit is fitted on earlier
    origins' rows whose H-day label had closed by then; the evidence of a row is read up to
    its own as-of day only.
    """
    horizons = tuple(int(h) for h in params.episodes.horizons)
    days = tuple(sorted(int(k) for k in params.as_of.days))
    rows = as_of_rows(episodes, days, horizons)
    champion_forecasts = predictions[predictions["model"].astype(str) == champion]
    rows = rows.merge(day0_table(champion_forecasts, horizons), on="episode_id", how="inner")
    rows = rows.sort_values(["origin", "episode_id", "k"], kind="stable", ignore_index=True)
    day, k = rows["day"].to_numpy(np.int64), rows["k"].to_numpy(np.int64)
    initiator, target = rows["initiator"].to_numpy(np.int64), rows["target"].to_numpy(np.int64)
    rows = rows.join(evidence.of(initiator, target, day, day + k))
    origin_of = rows["origin"].to_numpy()
    labels = rows[[f"y_{h}" for h in horizons]].to_numpy(dtype=float)
    flags = logit_inputs(rows)
    p = rows[[f"p_{h}" for h in horizons]].to_numpy(dtype=float)
    curves = curve_rows(rows, survival, timing_model)
    shapes = shapes or origin_shapes(episodes, np.unique(origin_of), horizons, params)
    base = np.full_like(p, np.nan)
    own = np.full_like(p, np.nan)
    fitted = np.full_like(p, np.nan)
    for origin in sorted(int(o) for o in np.unique(origin_of)):
        cutoff_day = day_numbers(pd.Series([origin_cutoff(origin, params)]))[0]
        shape = shapes[origin]
        test, earlier = origin_of == origin, origin_of < origin
        # Earlier rows are renormalised again with this origin's shape as training inputs
        # only: the scored numbers of a row are those of its own origin.
        inputs = np.full_like(p, np.nan)
        inputs[earlier] = renormalised(p[earlier], horizons, shape, k[earlier])
        base[test] = renormalised(p[test], horizons, shape, k[test])
        own[test] = (
            base[test]
            if curves is None
            else renormalised(p[test], horizons, shape, k[test], curves.rows(test))
        )
        fitted[test] = base[test]
        for column, horizon in enumerate(horizons):
            y = labels[:, column]
            train = earlier & ~np.isnan(y) & (day + horizon < cutoff_day)
            if train.sum() < params.as_of.min_training_rows:
                continue
            coefficients = fit_as_of_logit(
                flags[train], renormalised_logodds(inputs[train, column]), y[train]
            )
            if coefficients is None:
                continue
            scored = test & ~np.isnan(base[:, column])
            linear = renormalised_logodds(base[scored, column]) + flags[scored] @ coefficients
            fitted[scored, column] = expit(linear)
    forecasts = {DAY0: p, RENORMALISED: base, TIMING_CURVE: own, AS_OF_LOGIT: fitted}
    return RollingForecasts(rows, forecasts)


def run_as_of_backtest(
    episodes: pd.DataFrame,
    predictions: pd.DataFrame,
    champion: str,
    evidence: AsOfEvidence,
    params: Params,
    record_age_predictions: pd.DataFrame | None = None,
    data_hash: str | None = None,
    survival: pd.DataFrame | None = None,
    timing_model: str | None = None,
) -> AsOfResult:
    """Score the as-of forecasts at every origin, and fit the model served today."""
    started = time.perf_counter()
    horizons = tuple(int(h) for h in params.episodes.horizons)
    days = tuple(sorted(int(k) for k in params.as_of.days))
    origins = set(predictions["origin"].astype(int))
    if record_age_predictions is not None:
        origins |= set(record_age_predictions["origin"].astype(int))
    shapes = origin_shapes(episodes, sorted(origins), horizons, params)
    rolling = rolling_as_of_forecasts(
        episodes, predictions, champion, evidence, params, survival, timing_model, shapes
    )
    rows = rolling.rows
    scores = score_as_of(rows, rolling.forecasts, horizons, days, params)
    served = served_models(scores, horizons, params.as_of.decision_day)
    model = final_model(
        episodes, rows, rolling.forecasts[DAY0], horizons, served, params, data_hash
    )
    record_age = (
        score_record_ages(episodes, record_age_predictions, days, params, shapes)
        if record_age_predictions is not None and len(record_age_predictions)
        else {}
    )
    return AsOfResult(
        scores=scores,
        record_age=record_age,
        evidence_rates=evidence_rates(rows, horizons, days),
        model=model,
        seconds=time.perf_counter() - started,
    )


def _blocks(rows: pd.DataFrame, horizons: Sequence[int], days: Sequence[int]):
    """(subset, k, horizon, row mask) for every scored cell with known labels."""
    for subset in SUBSETS:
        members = (
            np.ones(len(rows), bool) if subset == "all" else rows["limited_force"].to_numpy(bool)
        )
        for k in days:
            at_k = members & (rows["k"].to_numpy() == k)
            for horizon in horizons:
                if horizon <= k:
                    continue
                y = rows[f"y_{horizon}"].to_numpy(dtype=float)
                yield subset, k, horizon, at_k & ~np.isnan(y)


def score_as_of(
    rows: pd.DataFrame,
    forecasts: dict[str, np.ndarray],
    horizons: Sequence[int],
    days: Sequence[int],
    params: Params,
) -> dict[str, Any]:
    """subset -> model -> k -> horizon -> metrics; the day-0 and as-of logit blocks also
    hold their paired Brier difference from the renormalised forecast."""
    scores: dict[str, Any] = {}
    for subset, k, horizon, mask in _blocks(rows, horizons, days):
        column = list(horizons).index(horizon)
        y = rows.loc[mask, f"y_{horizon}"].to_numpy(dtype=float)
        clusters = dyad_groups(rows.loc[mask])
        reference = forecasts[RENORMALISED][mask, column]
        for name in MODELS:
            p = forecasts[name][mask, column]
            block = _metrics(p, y, reference, params)
            if name != RENORMALISED and len(y):
                block |= _against_reference(p, y, reference, clusters, params)
            scores.setdefault(subset, {}).setdefault(name, {}).setdefault(str(k), {})[
                str(horizon)
            ] = block
    return scores


def _against_reference(
    p: np.ndarray, y: np.ndarray, reference: np.ndarray, clusters: np.ndarray, params: Params
) -> dict[str, Any]:
    """The paired Brier difference from the renormalised forecast and the Brier skill's
    interval, both over the same dyad resamples."""
    replicates, level = params.backtest.bootstrap_replicates, params.train.interval_level
    bins = params.backtest.calibration_bins
    difference = paired_difference(
        probability_score("brier", p, y, reference, bins),
        probability_score("brier", reference, y, reference, bins),
        clusters,
        replicates,
        params.seed,
        level,
    )
    weights = metrics.cluster_weights(clusters, replicates, params.seed)
    skill = probability_score("bss", p, y, reference, bins)(weights)
    return {"brier_difference": difference, "bss_ci90": metrics.percentile_interval(skill, level)}


def _metrics(p: np.ndarray, y: np.ndarray, reference: np.ndarray, params: Params) -> dict[str, Any]:
    """One cell's scores (`metrics.cell_scores`); an empty cell has only its n."""
    if len(y) == 0:
        return {"n": 0}
    return metrics.cell_scores(p, y, reference, params.backtest.calibration_bins)


def served_models(
    scores: dict[str, Any], horizons: Sequence[int], decision_day: int
) -> dict[int, str]:
    """Per horizon: the candidate (`CANDIDATES`) whose paired Brier difference from the
    renormalised forecast, on all triggers at `decision_day`, has an interval wholly below
    zero, the lowest difference first; otherwise the renormalised forecast (also for horizons
    the decision day has already closed)."""
    served: dict[int, str] = {}
    for horizon in horizons:
        better = []
        for name in CANDIDATES:
            cell = scores.get("all", {}).get(name, {}).get(str(decision_day), {})
            difference = cell.get(str(horizon), {}).get("brier_difference", {})
            interval = difference.get("ci90") or []
            if interval and interval[1] < 0:
                better.append((difference["difference"], name))
        served[horizon] = min(better)[1] if better else RENORMALISED
    return served


def final_model(
    episodes: pd.DataFrame,
    rows: pd.DataFrame,
    p: np.ndarray,
    horizons: Sequence[int],
    served: dict[int, str],
    params: Params,
    data_hash: str | None,
) -> AsOfModel:
    """The model a forecast made today serves: the shape from every settled trigger, the logit
    per horizon fitted on every as-of row with a known label."""
    end = pd.to_datetime(episodes["date"]).max() + pd.Timedelta(days=1)
    shape = known_shape(episodes, end, horizons)
    base = renormalised(p, horizons, shape, rows["k"].to_numpy())
    coefficients: dict[int, np.ndarray | None] = {}
    for column, horizon in enumerate(horizons):
        y = rows[f"y_{horizon}"].to_numpy(dtype=float)
        known = ~np.isnan(y)
        coefficients[horizon] = (
            fit_as_of_logit(
                logit_inputs(rows.loc[known]), renormalised_logodds(base[known, column]), y[known]
            )
            if known.sum() >= params.as_of.min_training_rows
            else None
        )
    served = {
        h: RENORMALISED if name == AS_OF_LOGIT and coefficients[h] is None else name
        for h, name in served.items()
    }
    return AsOfModel(
        horizons=tuple(horizons),
        shape=shape,
        coefficients=coefficients,
        served=served,
        data_hash=data_hash,
        basis={
            "rule": (
                "timing_curve or as_of_logit at a horizon only when its paired Brier "
                "difference from the renormalised forecast at "
                f"k = {params.as_of.decision_day} has a {params.train.interval_level:.0%} "
                "interval below zero (all triggers; the lower difference of the two)"
            ),
            "rows": len(rows),
        },
    )


def evidence_rates(
    rows: pd.DataFrame, horizons: Sequence[int], days: Sequence[int]
) -> dict[str, Any]:
    """How often an answer came in (k, H] with and without each kind of evidence by day k:
    the raw contrast the as-of logit learns from (all triggers of the scored origins)."""
    out: dict[str, Any] = {}
    for name in EVIDENCE_COLUMNS:
        present = rows[name].to_numpy() > 0
        for subset, k, horizon, mask in _blocks(rows, horizons, days):
            if subset != "all":
                continue
            y = rows[f"y_{horizon}"].to_numpy(dtype=float)
            with_it, without = mask & present, mask & ~present
            out.setdefault(name, {}).setdefault(str(k), {})[str(horizon)] = {
                "rate_with": float(y[with_it].mean()) if with_it.any() else None,
                "n_with": int(with_it.sum()),
                "rate_without": float(y[without].mean()) if without.any() else None,
                "n_without": int(without.sum()),
            }
    return out


def score_record_ages(
    episodes: pd.DataFrame,
    predictions: pd.DataFrame,
    days: Sequence[int],
    params: Params,
    shapes: dict[int, np.ndarray],
) -> dict[str, Any]:
    """subset -> model -> record age -> k -> horizon -> metrics of the renormalised band
    forecasts (the record-age backtest's out-of-sample day-0 numbers), each origin's with
    its own timing shape (`shapes`)."""
    horizons = tuple(sorted(int(h) for h in predictions["horizon"].unique()))
    rows = as_of_rows(episodes, days, horizons)
    out: dict[str, Any] = {}
    for (model, age), chosen in predictions.groupby(["model", "record_age"], sort=True):
        scored = rows.merge(day0_table(chosen, horizons), on="episode_id", how="inner")
        if scored.empty:
            continue
        p = scored[[f"p_{h}" for h in horizons]].to_numpy(dtype=float)
        base = np.full_like(p, np.nan)
        for origin in np.unique(scored["origin"]):
            at = (scored["origin"] == origin).to_numpy()
            base[at] = renormalised(
                p[at], horizons, shapes[int(origin)], scored.loc[at, "k"].to_numpy()
            )
        for subset, k, horizon, mask in _blocks(scored, horizons, days):
            column = horizons.index(horizon)
            y = scored.loc[mask, f"y_{horizon}"].to_numpy(dtype=float)
            block = _metrics(base[mask, column], y, base[mask, column], params)
            block.pop("bss", None)
            out.setdefault(subset, {}).setdefault(str(model), {}).setdefault(
                str(age), {}
            ).setdefault(str(k), {})[str(horizon)] = block
    return out
