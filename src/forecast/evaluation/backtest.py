"""The rolling-origin backtest: every model on identical splits, scored on all triggers and on
limited uses of force, into the metric blocks and plot data of docs/design.md, section "Tables"
(the backtest stage, `forecast.stages.backtest`, writes them).

War battles make retaliation near-certain and would flatter the headline numbers, so every score
is also computed on `limited_force` triggers (hostility 4 outside war battles), the subset policy
readers care about most.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from forecast.core.config import Params
from forecast.core.errors import ForecastError
from forecast.core.provenance import DataProvenance, data_provenance, provenance_of
from forecast.evaluation import metrics, timing_ranking
from forecast.evaluation.choices import (
    add_recalibrated,
    apply_limits,
    build_variant,
    limit_variants,
)
from forecast.evaluation.comparisons import champion_by_rule, model_difference
from forecast.evaluation.forecasts import OriginForecasts, long_predictions, long_survival
from forecast.evaluation.splits import Split, censor_at, in_test_year, rolling_origins
from forecast.evaluation.stacking import add_ensemble
from forecast.models import registry
from forecast.models.common import align, dyad_groups, label_column
from forecast.models.ensemble import ENSEMBLE_NAME
from forecast.models.parallel_fit import on_one_thread

SUBSETS = ("all", "limited_force")
# Days at which survival curves are scored for the integrated Brier score.
SURVIVAL_GRID = (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)


@dataclass
class BacktestResult:
    """All outputs of one backtest, before anything is written."""

    predictions: pd.DataFrame
    likelihood: dict
    timing: dict
    per_origin: pd.DataFrame
    reliability: pd.DataFrame
    roc: pd.DataFrame
    provenance: DataProvenance
    models: list[str]
    fit_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    # The champion rule's walk and the champion's paired differences (likelihood.json).
    comparisons: dict = field(default_factory=dict)
    # Every setting chosen inside each origin, and for the final models (backtest_data.json).
    choices: dict = field(default_factory=dict)
    # params.yaml's `synthetic_settings` when the data were synthetic and they were used.
    settings: dict = field(default_factory=dict)
    # The timing models' out-of-sample S(day) on SURVIVAL_GRID (backtest_survival.parquet).
    survival: pd.DataFrame | None = None


# One fit at one origin: (model name as scored, (model to build, collinearity limit or None)).
Fit = tuple[str, tuple[str, float | None]]
# What one fit gives: its forecasts by horizon, survival curves (timing models) and seconds.
FitForecasts = tuple[np.ndarray, np.ndarray | None, float]


def _forecast_fit(
    split: Split,
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    fit: Fit,
) -> FitForecasts:
    """Fit one model (or limit variant) on what was known at one origin and forecast that
    origin's test year.

    One fit is one task: the backtest's workers stay busy to the end however few origins there
    are, and the forecasts do not depend on which worker made them.
    """
    name, (base, limit) = fit
    # One BLAS/OpenMP thread per fit: the backtest parallelises over fits, and nested threads
    # on a small busy machine slow every fit down many times over.
    with threadpool_limits(1):
        horizons = tuple(params.episodes.horizons)
        train = censor_at(episodes, split.cutoff, horizons)
        test_features = features.iloc[np.flatnonzero(in_test_year(episodes, split))]
        model = build_variant(base, params, limit)
        if hasattr(model, "with_covariance"):
            # Scored on point forecasts only: no interval is ever read from a backtest fit.
            model.with_covariance = False
        started = time.perf_counter()
        try:
            model.fit(features.iloc[train.index], train)
        except ForecastError as exc:
            raise ForecastError(f"backtest origin {split.year}, model '{name}': {exc}") from exc
        proba = model.predict_proba(test_features)[list(horizons)].to_numpy()
        survival = (
            model.predict_survival(test_features, SURVIVAL_GRID).to_numpy()
            if registry.is_timing(base)
            else None
        )
        return proba, survival, time.perf_counter() - started


def _origin_forecasts(
    split: Split,
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    fitted: dict[str, FitForecasts],
) -> OriginForecasts:
    """One origin's forecasts from its fits, in the fits' order, with the subsets' base rates."""
    horizons = tuple(params.episodes.horizons)
    train = censor_at(episodes, split.cutoff, horizons)
    positions = np.flatnonzero(in_test_year(episodes, split))
    with threadpool_limits(1):
        references = _subset_base_rates(
            train, features.iloc[train.index], features.iloc[positions], params
        )
    return OriginForecasts(
        split,
        positions,
        proba={name: proba for name, (proba, _, _) in fitted.items()},
        survival={name: curves for name, (_, curves, _) in fitted.items() if curves is not None},
        seconds={name: seconds for name, (_, _, seconds) in fitted.items()},
        references=references,
    )


def _subset_base_rates(
    train: pd.DataFrame, train_features: pd.DataFrame, test_features: pd.DataFrame, params: Params
) -> dict[str, np.ndarray]:
    """The trailing base rate of each subset's own training triggers (`bss_subset`'s reference).

    Limited uses of force are answered less often than all triggers, and how much less moves
    by year, so a skill score against the rate of all triggers credits a model for knowing
    the subset. A subset without a known label in the window falls back to all triggers.
    """
    horizons = list(params.episodes.horizons)
    references = {}
    for subset in SUBSETS[1:]:
        rows = _subset_mask(train, subset)
        try:
            model = registry.build("base_rate", params).fit(train_features[rows], train[rows])
        except ForecastError:
            continue
        references[subset] = model.predict_proba(test_features)[horizons].to_numpy()
    return references


def run_backtest(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    progress: bool = True,
    n_jobs: int = 1,
) -> BacktestResult:
    """Fit every model at every origin and score the forecasts (no files written).

    When the data include the synthetic world, params' `synthetic_settings` are laid over
    params first (`Params.for_data`), and the result records them.
    """
    started = time.perf_counter()
    episodes = episodes.sort_values(["date", "episode_id"], kind="stable")
    features, episodes = align(features, episodes)
    provenance = data_provenance(episodes, features)
    settings = params.applied_settings(provenance.kind)
    params = params.for_data(provenance.kind)
    if "limited_force" not in episodes.columns:
        raise ForecastError("episodes table has no 'limited_force' column; rebuild episodes")
    # Years without triggers (gaps between sources) have nothing to score.
    splits = [
        s for s in rolling_origins(episodes, params.backtest) if in_test_year(episodes, s).any()
    ]
    names = registry.model_names(params)
    fits: list[Fit] = [(name, (name, None)) for name in names]
    fits += list(limit_variants(params).items())
    # Latest origins first: they learn from the most triggers, and the short early fits then
    # fill the workers' last minutes.
    tasks = [(split, fit) for split in reversed(splits) for fit in fits]
    jobs = (delayed(_forecast_fit)(split, episodes, features, params, fit) for split, fit in tasks)
    runner = Parallel(n_jobs=n_jobs, return_as="generator")
    done = tqdm(runner(jobs), total=len(tasks), desc="backtest fits", disable=not progress)
    by_origin: dict[int, dict[str, FitForecasts]] = {}
    for (split, (name, _)), fitted in zip(tasks, done, strict=True):
        by_origin.setdefault(split.year, {})[name] = fitted
    forecasts = [
        _origin_forecasts(
            split,
            episodes,
            features,
            params,
            {name: by_origin[split.year][name] for name, _ in fits},
        )
        for split in splits
    ]
    # The nested choices, in the order they feed one another (forecast.evaluation.choices).
    limits, final_limits = apply_limits(forecasts, episodes, params)
    weights: dict[int, dict[int, np.ndarray]] = {}
    if params.models.ensemble and forecasts:
        weights = add_ensemble(forecasts, episodes, params)
        names = [*names, ENSEMBLE_NAME]
    recalibrated, maps = add_recalibrated(forecasts, episodes, params, names)
    names = [*names, *recalibrated]
    result = score(forecasts, episodes, params, names, n_jobs=n_jobs)
    result.choices = _choices_record(limits, final_limits, weights, maps, params)
    result.provenance = provenance
    result.settings = settings
    result.seconds = time.perf_counter() - started
    return result


def _choices_record(
    limits: dict[int, dict[str, float]],
    final_limits: dict[str, float],
    weights: dict[int, dict[int, np.ndarray]],
    maps: dict[int, dict[str, dict]],
    params: Params,
) -> dict:
    """Every setting chosen inside each origin, as backtest_data.json and MLflow record it."""
    members = list(params.models.ensemble)
    origins = sorted({*limits, *weights, *maps})
    return {
        "rule": (
            "each setting at origin O is chosen from earlier origins' out-of-sample forecasts "
            "whose outcome resolved before O's cutoff"
        ),
        "origins": {
            str(year): {
                "correlation_limit": limits.get(year, {}),
                "ensemble_weights": {
                    str(h): dict(zip(members, map(float, w), strict=True))
                    for h, w in weights.get(year, {}).items()
                },
                "recalibration": maps.get(year, {}),
            }
            for year in origins
        },
        "final": {"correlation_limit": final_limits},
    }


def _subset_mask(episodes: pd.DataFrame, subset: str) -> np.ndarray:
    if subset == "all":
        return np.ones(len(episodes), dtype=bool)
    return episodes["limited_force"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def score(
    forecasts: list[OriginForecasts],
    episodes: pd.DataFrame,
    params: Params,
    names: list[str],
    n_jobs: int = 1,
) -> BacktestResult:
    """Turn the forecasts into metric blocks, per-origin scores and plot tables.

    The blocks are those of docs/design.md, section "Tables". Each (subset, model) block, each
    timing block and the champion rule's comparisons are independent, so they are scored on
    `n_jobs` workers; the results are put together in the same order whatever the worker count.
    """
    horizons = tuple(params.episodes.horizons)
    positions = np.concatenate([f.positions for f in forecasts])
    tested = episodes.iloc[positions].reset_index(drop=True)
    origin_of = np.concatenate([np.full(len(f.positions), f.split.year) for f in forecasts])
    proba = {n: np.vstack([f.proba[n] for f in forecasts]) for n in names}
    references = {
        subset: np.vstack([f.references.get(subset, f.proba["base_rate"]) for f in forecasts])
        for subset in SUBSETS[1:]
    } | {"all": proba["base_rate"]}
    clusters = dyad_groups(tested)
    in_subset = {subset: _subset_mask(tested, subset) for subset in SUBSETS}
    labels = {h: tested[label_column(h)].astype("boolean") for h in horizons}
    common = _ScoringCommon(
        labels={h: (label.notna().to_numpy(), _as_float(label)) for h, label in labels.items()},
        base=proba["base_rate"],
        persistence=proba["dyad_persistence"],
        origin_of=origin_of,
        clusters=clusters,
    )
    likelihood_jobs = [
        delayed(on_one_thread)(
            _likelihood_block,
            subset,
            name,
            proba[name],
            references[subset],
            in_subset[subset],
            common,
            params,
        )
        for subset in SUBSETS
        for name in names
    ]
    survival = {
        n: np.vstack([f.survival[n] for f in forecasts]) for n in names if registry.is_timing(n)
    }
    outcomes, timing_subsets = _timing_outcomes(tested)
    timing_jobs = [
        delayed(on_one_thread)(
            _timing_block, *_timing_rows(outcomes, curves, rows), horizons, params
        )
        for curves in survival.values()
        for rows in timing_subsets.values()
    ]
    comparison_job = [delayed(on_one_thread)(_comparisons, proba, tested, clusters, names, params)]
    # The comparisons are the longest task: first, so the other tasks fill the other worker.
    comparisons, *done = Parallel(n_jobs=n_jobs)([*comparison_job, *likelihood_jobs, *timing_jobs])
    likelihood_done = done[: len(likelihood_jobs)]
    timing_done = iter(done[len(likelihood_jobs) :])

    likelihood: dict[str, dict] = {subset: {} for subset in SUBSETS}
    per_origin_rows: list[dict] = []
    reliability_frames, roc_frames = [], []
    for (subset, name), (blocks, reliability, roc, rows) in zip(
        ((s, n) for s in SUBSETS for n in names), likelihood_done, strict=True
    ):
        likelihood[subset][name] = blocks
        reliability_frames += reliability
        roc_frames += roc
        per_origin_rows += rows
    timing: dict[str, dict] = {}
    for name in survival:
        block = {}
        for subset in timing_subsets:
            scores = next(timing_done)
            block.update(scores if subset == "all" else {subset: scores})
        timing[name] = block
    timing |= on_one_thread(
        _timing_yardsticks, outcomes, timing_subsets, survival, forecasts, timing, names, params
    )
    fit_seconds: dict[str, float] = {}
    for origin in forecasts:
        for name, seconds in origin.seconds.items():
            fit_seconds[name] = fit_seconds.get(name, 0.0) + seconds
    return BacktestResult(
        predictions=long_predictions(forecasts, episodes, horizons),
        likelihood=likelihood,
        timing=timing,
        per_origin=pd.DataFrame(per_origin_rows),
        reliability=pd.concat(reliability_frames, ignore_index=True),
        roc=pd.concat(roc_frames, ignore_index=True) if roc_frames else pd.DataFrame(),
        provenance=provenance_of(episodes),
        models=names,
        fit_seconds=fit_seconds,
        comparisons=comparisons,
        survival=long_survival(forecasts, episodes, SURVIVAL_GRID),
    )


def _as_float(label: pd.Series) -> np.ndarray:
    """A nullable boolean label as 0/1 floats (unknown labels read 0 and are masked out)."""
    return label.to_numpy(dtype=bool, na_value=False).astype(float)


@dataclass(frozen=True)
class _ScoringCommon:
    """What every likelihood block is scored with: labels, references, origins and dyads."""

    # Horizon -> (label known, label as 0/1) per tested trigger.
    labels: dict[int, tuple[np.ndarray, np.ndarray]]
    base: np.ndarray
    persistence: np.ndarray
    origin_of: np.ndarray
    clusters: np.ndarray


def _likelihood_block(
    subset: str,
    name: str,
    proba: np.ndarray,
    own_reference: np.ndarray,
    in_subset: np.ndarray,
    common: _ScoringCommon,
    params: Params,
) -> tuple[dict, list[pd.DataFrame], list[pd.DataFrame], list[dict]]:
    """One model's scores on one subset at every horizon, its plot tables and per-origin rows."""
    horizons = tuple(params.episodes.horizons)
    bins = params.backtest.calibration_bins
    blocks: dict[str, dict] = {}
    reliability_frames, roc_frames, per_origin_rows = [], [], []
    for column, horizon in enumerate(horizons):
        known, label = common.labels[horizon]
        rows = in_subset & known
        if not rows.any():
            continue
        y = label[rows]
        p = proba[rows, column]
        base = common.base[rows, column]
        persistence = common.persistence[rows, column]
        block = metrics.probability_scores(p, y, base, persistence, bins)
        block["bss_subset"] = metrics.brier_skill(p, y, own_reference[rows, column])
        block.update(
            metrics.bootstrap_intervals(
                p,
                y,
                base,
                common.clusters[rows],
                params.backtest.bootstrap_replicates,
                params.seed,
                bins=bins,
            )
        )
        blocks[str(horizon)] = block
        table = metrics.reliability_table(p, y, bins)
        reliability_frames.append(table.assign(subset=subset, model=name, horizon=horizon))
        if 0 < y.sum() < len(y):
            curve = metrics.roc_table(p, y)
            roc_frames.append(curve.assign(subset=subset, model=name, horizon=horizon))
        origin_of = common.origin_of[rows]
        for year in np.unique(origin_of):
            in_year = origin_of == year
            per_origin_rows.append(
                {
                    "subset": subset,
                    "model": name,
                    "horizon": horizon,
                    "origin": int(year),
                    "brier": metrics.brier(p[in_year], y[in_year]),
                    "bss": metrics.brier_skill(p[in_year], y[in_year], base[in_year]),
                    "roc_auc": metrics.roc_auc(p[in_year], y[in_year]),
                    "n": int(in_year.sum()),
                }
            )
    return blocks, reliability_frames, roc_frames, per_origin_rows


COMPARED_METRICS = ("roc_auc", "brier", "bss", "ece")


def _comparisons(
    proba: dict[str, np.ndarray],
    tested: pd.DataFrame,
    clusters: np.ndarray,
    names: list[str],
    params: Params,
) -> dict:
    """The champion rule's walk, and the champion against every other model at every horizon.

    On the rule's subset; every difference is champion minus other (or candidate minus
    champion in the walk) with a paired dyad-bootstrap interval (forecast.evaluation.comparisons).
    """
    rule = params.train
    horizons = tuple(params.episodes.horizons)
    in_subset = _subset_mask(tested, rule.champion_subset)

    def scored(horizon: int) -> tuple[np.ndarray, np.ndarray, int]:
        label = tested[label_column(horizon)].astype("boolean")
        rows = in_subset & label.notna().to_numpy()
        y = label.to_numpy(dtype=bool, na_value=False)[rows].astype(float)
        return rows, y, horizons.index(horizon)

    def difference(metric: str, first: str, second: str, horizon: int) -> dict:
        rows, y, column = scored(horizon)
        return model_difference(
            metric,
            proba[first][rows, column],
            proba[second][rows, column],
            y,
            proba["base_rate"][rows, column],
            clusters[rows],
            params.backtest.bootstrap_replicates,
            params.seed,
            params.backtest.calibration_bins,
            rule.interval_level,
        )

    if rule.champion_horizon not in horizons or not scored(rule.champion_horizon)[0].any():
        return {}
    champion, steps = champion_by_rule(
        names,
        rule.champion_metric,
        rule.complexity,
        lambda candidate, incumbent: difference(
            rule.champion_metric, candidate, incumbent, rule.champion_horizon
        ),
    )
    versus = {
        other: {
            str(h): {m: difference(m, champion, other, h) for m in COMPARED_METRICS}
            for h in horizons
            if scored(h)[0].any()
        }
        for other in names
        if other != champion
    }
    return {
        "subset": rule.champion_subset,
        "horizon": rule.champion_horizon,
        "metric": rule.champion_metric,
        "level": rule.interval_level,
        "order": list(rule.complexity),
        "rule": (
            "from simplest to most complex, a model takes over from the current champion only "
            "when the paired dyad-bootstrap interval of its difference excludes zero in its "
            "favour"
        ),
        "champion": champion,
        "steps": steps,
        "versus": versus,
    }


def _timing_block(
    time_to: np.ndarray,
    observed: np.ndarray,
    survival: np.ndarray,
    clusters: np.ndarray,
    horizons: tuple[int, ...],
    params: Params,
) -> dict[str, float]:
    grid = np.asarray(SURVIVAL_GRID, dtype=float)
    tau = float(max(horizons))
    within_grid = grid <= tau
    risk = metrics.restricted_time_lost(survival, grid, tau)
    scores_by_day = metrics.ipcw_brier(
        time_to, observed, survival[:, within_grid], grid[within_grid]
    )
    block = {
        "c_index": metrics.uno_c(time_to, observed, risk, tau),
        "ibs": metrics.integrated_brier(scores_by_day, grid[within_grid]),
        "n": len(time_to),
    }
    block.update(
        metrics.timing_bootstrap_intervals(
            time_to,
            observed,
            risk,
            tau,
            survival[:, within_grid],
            grid[within_grid],
            clusters,
            params.backtest.bootstrap_replicates,
            params.seed,
        )
    )
    for horizon in horizons:
        if horizon in SURVIVAL_GRID:
            block[f"brier_{horizon}"] = float(scores_by_day[SURVIVAL_GRID.index(horizon)])
    risks = timing_ranking.curve_risks(survival, grid, timing_ranking.C_TRUNCATIONS)
    markers = timing_ranking.survival_markers(survival, SURVIVAL_GRID)
    block.update(timing_ranking.ranking_block(time_to, observed, risks, markers, clusters, params))
    return block


def _timing_outcomes(
    tested: pd.DataFrame,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict[str, np.ndarray]]:
    """(duration, answered, dyad) per tested trigger, and the rows of each timing subset.

    Triggers on the data's last day were never followed up: they carry no timing information.
    """
    time_to = tested["duration"].to_numpy(dtype=float)
    observed = tested["event_observed"].astype("boolean").to_numpy(dtype=bool, na_value=False)
    followed = time_to > 0
    subsets = {s: followed & _subset_mask(tested, s) for s in SUBSETS}
    subsets = {s: rows for s, rows in subsets.items() if rows.any()}
    return (time_to, observed, dyad_groups(tested)), subsets


def _timing_rows(
    outcomes: tuple[np.ndarray, np.ndarray, np.ndarray], curves: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, ...]:
    """`_timing_block`'s first four arguments on one subset's rows."""
    time_to, observed, clusters = outcomes
    return time_to[rows], observed[rows], curves[rows], clusters[rows]


def _timing_yardsticks(
    outcomes: tuple[np.ndarray, np.ndarray, np.ndarray],
    subsets: dict[str, np.ndarray],
    survival: dict[str, np.ndarray],
    forecasts: list[OriginForecasts],
    timing: dict[str, dict],
    names: list[str],
    params: Params,
) -> dict[str, dict]:
    """timing.json's `references` (the 30-day logit read as a risk score) and `comparisons`
    (the best timing model against every other and that reference, on paired bootstrap draws): see
    `forecast.evaluation.timing_ranking`.

    The timing blocks' shape: metrics/timing.json in docs/design.md, section "Tables".
    """
    reference = timing_ranking.REFERENCE_MODEL
    if reference not in names:
        return {}
    return timing_ranking.yardsticks(
        outcomes,
        subsets,
        survival,
        np.vstack([f.proba[reference] for f in forecasts]),
        timing,
        SURVIVAL_GRID,
        params,
    )


def headline(result: BacktestResult, params: Params) -> str:
    """One line: the rule's champion on its subset and horizon (ADR 1)."""
    subset, horizon = params.train.champion_subset, str(params.train.champion_horizon)
    blocks = {
        name: scores[horizon]
        for name, scores in result.likelihood.get(subset, {}).items()
        if horizon in scores
    }
    if not blocks:
        return "backtest finished: no scores"
    best = result.comparisons.get("champion") or max(
        blocks, key=lambda n: _finite(blocks[n]["bss"])
    )
    block = blocks[best]
    line = (
        f"backtest: {len(result.models)} models x {result.per_origin['origin'].nunique()} origins "
        f"in {result.seconds:.0f}s; champion by rule on {horizon}-day {subset}: {best} "
        f"(BSS {block['bss']:.3f}, ROC AUC {block['roc_auc']:.3f}, ECE {block['ece']:.3f}, "
        f"n {block['n']})"
    )
    timing = timing_ranking.timing_headline(result.timing, subset)
    return line if timing is None else f"{line}\n{timing}"


def _finite(value: float) -> float:
    return value if value is not None and math.isfinite(value) else -math.inf
