"""Summary tables for the analysts' notebooks: counts, rates, delays, backtest curves, scenarios.

Notebooks hold no logic of their own (docs/architecture.md): anything a notebook shows that is
more than one library call lives here, tested, so a number in a notebook means the same thing in
the brief, the CLI and the tests. Functions take the pipeline's tables and return new ones; only
the two `read_*` helpers touch files, and nothing here writes any or logs to MLflow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_curve, roc_curve

from forecast.core.config import Params, validated_params
from forecast.core.contracts import FORCE_ATTRIBUTES
from forecast.core.countries import cow_to_name
from forecast.core.errors import ForecastError
from forecast.core.rates import wilson_interval
from forecast.episodes import label_column
from forecast.evaluation.metrics import reliability_table
from forecast.models.common import survival_to_proba

# COW codes are allotted by region in blocks of hundreds; this is the codebook's own grouping.
REGION_BOUNDS = (200, 400, 600, 700, 900)
REGIONS = ("Americas", "Europe", "Africa", "Middle East", "Asia", "Oceania")

# Eras with different great-power structures, which the literature treats as different regimes.
ERA_STARTS = (1816, 1914, 1946, 1990)
ERAS = ("1816-1913", "1914-1945 (world wars)", "1946-1989 (Cold War)", "1990- (post-Cold War)")


# ---------------------------------------------------------------------------------------------
# Who, where and when
# ---------------------------------------------------------------------------------------------


def sources_table(sources: Mapping[str, Any]) -> pd.DataFrame:
    """sources.json's per-source block as rows: counts kept and quarantined, coverage, files."""
    rows = [
        {
            "source": name,
            "rows_read": block.get("rows_read"),
            "rows_kept": block.get("rows_kept"),
            "rows_quarantined": block.get("rows_quarantined"),
            "coverage_start": block.get("coverage", {}).get("start"),
            "coverage_end": block.get("coverage", {}).get("end"),
            "files": ", ".join(Path(f["path"]).name for f in block.get("files", [])),
        }
        for name, block in sorted(sources.get("sources", {}).items())
    ]
    return pd.DataFrame(rows)


def region_of(codes: pd.Series | Sequence[int]) -> pd.Series:
    """COW region of each state code (2-199 Americas, 200-399 Europe, ..., 900-999 Oceania)."""
    values = np.asarray(pd.Series(codes), dtype="int64")
    position = np.searchsorted(np.asarray(REGION_BOUNDS), values, side="right")
    return pd.Series(np.asarray(REGIONS, dtype=object)[position], dtype="string")


def era_of(years: pd.Series | Sequence[int]) -> pd.Series:
    """Historical era of each year (before 1816 counts as the first era)."""
    values = np.asarray(pd.Series(years), dtype="int64")
    position = np.searchsorted(np.asarray(ERA_STARTS), values, side="right") - 1
    return pd.Series(np.asarray(ERAS, dtype=object)[np.clip(position, 0, None)], dtype="string")


def incidents_per_year_region(
    incidents: pd.DataFrame, min_hostility: int = 1, sources: Iterable[str] | None = None
) -> pd.DataFrame:
    """Incidents per year (rows) and initiator's region (columns), zero where none.

    `sources` keeps only those sources, so MIE and COW MID 5, which code the same
    confrontations, are not counted twice; every year between the first and last is a row.
    """
    chosen = incidents[incidents["hostility"] >= min_hostility]
    if sources is not None:
        chosen = chosen[chosen["source"].isin(list(sources))]
    if chosen.empty:
        return pd.DataFrame(columns=list(REGIONS), dtype="int64").rename_axis(index="year")
    frame = pd.DataFrame(
        {
            "year": pd.to_datetime(chosen["date"]).dt.year.to_numpy(),
            "region": region_of(chosen["initiator"]).to_numpy(),
        }
    )
    table = pd.crosstab(frame["year"], frame["region"]).reindex(columns=list(REGIONS), fill_value=0)
    years = range(int(frame["year"].min()), int(frame["year"].max()) + 1)
    table = table.reindex(years, fill_value=0).rename_axis(index="year", columns=None)
    return table.astype("int64")


def busiest_dyads(episodes: pd.DataFrame, n: int = 10, horizon: int = 30) -> pd.DataFrame:
    """The `n` pairs of states with most triggers (both directions together), with names.

    Columns: state_a, state_b (COW codes, a < b), name_a, name_b, triggers, first_year,
    last_year, and the share of triggers answered within `horizon` days (known labels only).
    Ties are broken by the codes so the list is the same on every run.
    """
    label = label_column(horizon)
    pairs = pd.DataFrame(
        {
            "state_a": np.minimum(episodes["initiator"], episodes["target"]).astype("int64"),
            "state_b": np.maximum(episodes["initiator"], episodes["target"]).astype("int64"),
            "year": pd.to_datetime(episodes["date"]).dt.year.astype("int64"),
            "answered": episodes[label].astype("Float64"),
        }
    )
    table = (
        pairs.groupby(["state_a", "state_b"], sort=True)
        .agg(
            triggers=("year", "size"),
            first_year=("year", "min"),
            last_year=("year", "max"),
            answered=("answered", "mean"),
        )
        .reset_index()
        .rename(columns={"answered": f"answered_{horizon}d"})
    )
    table = table.sort_values(
        ["triggers", "state_a", "state_b"], ascending=[False, True, True], kind="stable"
    ).head(n)
    table.insert(2, "name_a", cow_to_name(table["state_a"]).to_numpy())
    table.insert(3, "name_b", cow_to_name(table["state_b"]).to_numpy())
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Retaliation rates and delays
# ---------------------------------------------------------------------------------------------


def retaliation_rates(
    episodes: pd.DataFrame, horizons: Iterable[int], by: str | None = None
) -> pd.DataFrame:
    """Share of triggers answered within each horizon, with a 90 % Wilson interval.

    Censored labels (NA) are left out of both counts, never read as "not answered". `by` is an
    episode column (`hostility`, `limited_force`) or `era` (from the trigger's year). Rows:
    one per group and horizon, with triggers (known labels), answered, rate, low, high.
    """
    groups = _grouping(episodes, by)
    frames = []
    for horizon in horizons:
        label = episodes[label_column(horizon)].astype("boolean")
        known = label.notna().to_numpy()
        counts = pd.DataFrame(
            {
                "group": groups[known],
                "answered": label[known].astype("int64").to_numpy(),
            }
        ).groupby("group", sort=True)["answered"]
        table = pd.DataFrame({"triggers": counts.size(), "answered": counts.sum()}).reset_index()
        table.insert(1, "horizon", int(horizon))
        frames.append(table)
    result = pd.concat(frames, ignore_index=True)
    result["rate"] = result["answered"] / result["triggers"]
    result["low"], result["high"] = wilson_interval(result["answered"], result["triggers"])
    result = result.sort_values(["group", "horizon"], kind="stable", ignore_index=True)
    return result.rename(columns={"group": by or "all"})


def _grouping(episodes: pd.DataFrame, by: str | None) -> np.ndarray:
    if by is None:
        return np.full(len(episodes), "all triggers", dtype=object)
    if by == "era":
        return era_of(pd.to_datetime(episodes["date"]).dt.year).to_numpy(dtype=object)
    if by not in episodes.columns:
        raise ForecastError(
            f"episodes have no column '{by}' to group by (use era, hostility, limited_force, "
            f"action or source)"
        )
    return episodes[by].astype("string").fillna("unknown").to_numpy(dtype=object)


def retaliation_delays(episodes: pd.DataFrame, horizons: Iterable[int]) -> pd.DataFrame:
    """Days from trigger to answer among triggers answered within each horizon.

    One row per horizon: answered, and the quartiles and mean of days_to_retaliation.
    """
    days = episodes["days_to_retaliation"].astype("Float64")
    rows = []
    for horizon in horizons:
        answered = episodes[label_column(horizon)].astype("boolean").fillna(False)
        within = days[answered.to_numpy(dtype=bool)].dropna().astype(float)
        quartiles = within.quantile([0.25, 0.5, 0.75]) if len(within) else pd.Series([np.nan] * 3)
        rows.append(
            {
                "horizon": int(horizon),
                "answered": len(within),
                "days_q1": float(quartiles.iloc[0]),
                "days_median": float(quartiles.iloc[1]),
                "days_q3": float(quartiles.iloc[2]),
                "days_mean": float(within.mean()) if len(within) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def cumulative_retaliation(episodes: pd.DataFrame, days: Sequence[int]) -> pd.DataFrame:
    """Kaplan-Meier share of triggers answered by each day, censoring at each trigger's end.

    The empirical timing curve: P(answer by day d) = 1 - S(d), with triggers followed for
    `duration` days and answered when `event_observed`. Triggers never followed (duration 0)
    carry no information and are left out.
    """
    duration = episodes["duration"].to_numpy(dtype=float)
    observed = episodes["event_observed"].astype("boolean").to_numpy(dtype=bool, na_value=False)
    followed = duration > 0
    duration, observed = duration[followed], observed[followed]
    times = np.unique(duration[observed])
    at_risk = len(duration) - np.searchsorted(np.sort(duration), times, side="left")
    events = np.bincount(np.searchsorted(times, duration[observed]), minlength=len(times)).astype(
        float
    )
    # A leading 1.0 is survival before the first answer, so days before it index position 0.
    survival = np.concatenate([[1.0], np.cumprod(1.0 - events / np.maximum(at_risk, 1))])
    at_day = survival[np.searchsorted(times, np.asarray(days, dtype=float), side="right")]
    return pd.DataFrame(
        {"day": np.asarray(days, dtype="int64"), "answered": survival_to_proba(at_day)}
    )


# ---------------------------------------------------------------------------------------------
# Backtest results
# ---------------------------------------------------------------------------------------------


def read_likelihood_metrics(root: Path | None = None) -> pd.DataFrame:
    """metrics/likelihood.json as a tidy table: subset, model, horizon and one column per score."""
    from forecast.core import tables

    return likelihood_table(tables.read("likelihood", root))


def likelihood_table(likelihood: Mapping[str, Any]) -> pd.DataFrame:
    """The nested likelihood block {subset: {model: {horizon: scores}}} as rows.

    The shape is metrics/likelihood.json's in docs/design.md, section "Tables".
    """
    rows = [
        {"subset": subset, "model": model, "horizon": int(horizon), **scores}
        for subset, models in likelihood.items()
        if subset != "comparisons"
        for model, by_horizon in models.items()
        for horizon, scores in by_horizon.items()
    ]
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(["subset", "horizon", "model"], kind="stable", ignore_index=True)


def read_backtest_predictions(root: Path | None = None) -> pd.DataFrame:
    """data/processed/backtest_predictions.parquet: episode_id, origin, model, horizon, p, y."""
    from forecast.core import tables

    return tables.read("backtest_predictions", root)


def limited_force_only(predictions: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Backtest predictions for limited uses of force (hostility 4 outside war battles)."""
    limited = episodes.loc[
        episodes["limited_force"].astype("boolean").fillna(False).to_numpy(dtype=bool),
        "episode_id",
    ]
    return predictions[predictions["episode_id"].isin(limited)].reset_index(drop=True)


def _scored(predictions: pd.DataFrame) -> pd.DataFrame:
    """Rows with a known outcome, in a fixed order."""
    known = predictions[predictions["y"].notna()]
    return known.sort_values(["model", "horizon", "episode_id"], kind="stable")


def reliability_curves(
    predictions: pd.DataFrame, bins: int = 10, min_count: int = 1
) -> pd.DataFrame:
    """Per model and horizon: mean forecast, observed rate and count in each probability bin.

    Bins holding fewer than `min_count` triggers are left out: their observed share is noise.
    """
    frames = [
        reliability_table(
            group["p"].to_numpy(float), group["y"].to_numpy(dtype=float), bins
        ).assign(model=model, horizon=int(horizon))
        for (model, horizon), group in _scored(predictions).groupby(["model", "horizon"])
    ]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[table["n"] >= min_count].reset_index(drop=True)


def roc_curves(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per model and horizon: the ROC curve (fpr, tpr); skipped where one class is missing."""
    return _curves(predictions, _roc_points)


def pr_curves(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per model and horizon: the precision-recall curve, with the positive share as base."""
    return _curves(predictions, _pr_points)


def _roc_points(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    fpr, tpr, _ = roc_curve(y, p)
    return pd.DataFrame({"fpr": fpr, "tpr": tpr})


def _pr_points(y: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    precision, recall, _ = precision_recall_curve(y, p)
    return pd.DataFrame({"recall": recall, "precision": precision, "base_rate": y.mean()})


def _curves(
    predictions: pd.DataFrame, points: Callable[[np.ndarray, np.ndarray], pd.DataFrame]
) -> pd.DataFrame:
    frames = []
    for (model, horizon), group in _scored(predictions).groupby(["model", "horizon"]):
        y = group["y"].to_numpy(dtype=bool)
        if 0 < y.sum() < len(y):
            curve = points(y, group["p"].to_numpy(float))
            frames.append(curve.assign(model=model, horizon=int(horizon)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def timing_by_horizon(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per model and horizon: the mean forecast P(answer within H) and the observed share.

    Read across horizons this is each model's average timing curve, set against what happened.
    """
    table = (
        _scored(predictions)
        .assign(y=lambda f: f["y"].astype(float))
        .groupby(["model", "horizon"], sort=True)
        .agg(forecast=("p", "mean"), observed=("y", "mean"), n=("p", "size"))
        .reset_index()
    )
    return table


# ---------------------------------------------------------------------------------------------
# Models in the notebook
# ---------------------------------------------------------------------------------------------


def logit_odds_ratios(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    horizon: int,
    level: float = 0.9,
    meanings: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Fit the dyad-clustered logit on every trigger and give its odds ratios for `horizon`.

    Ordered by p-value, so the clearest associations come first. `unstable` flags estimates
    that separation or near-constant features blow up (an odds ratio or bound beyond
    1e-3..1e3, or not finite): they say nothing about the effect and would swamp a plot.
    """
    from forecast.models import registry

    model = registry.build("logit", params)
    model.fit(features, episodes)  # type: ignore[attr-defined]
    table = model.odds_ratios(horizon, level)  # type: ignore[attr-defined]
    table["unstable"] = unstable_odds(table)
    if meanings is not None:
        table["meaning"] = table["feature"].map(meanings).fillna("")
    return table.sort_values(["unstable", "p_value", "feature"], kind="stable", ignore_index=True)


def unstable_odds(table: pd.DataFrame, limit: float = 1e3) -> pd.Series:
    """True where an odds ratio or either bound is not finite or lies beyond 1/limit..limit."""
    values = table[["odds_ratio", "low", "high"]].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (values > limit) | (values < 1.0 / limit)
    return pd.Series(bad.any(axis=1), index=table.index)


def with_changes(params: Params, changes: Mapping[str, Any]) -> Params:
    """A copy of params with dotted keys replaced, as `dvc exp run -S key=value` would."""
    raw = params.model_dump()
    for dotted, value in changes.items():
        section = raw
        *parents, leaf = dotted.split(".")
        for key in parents:
            if key not in section or not isinstance(section[key], dict):
                raise ForecastError(f"unknown parameter '{dotted}' (no section '{key}')")
            section = section[key]
        if leaf not in section:
            raise ForecastError(f"unknown parameter '{dotted}' (no key '{leaf}')")
        section[leaf] = value
    return validated_params(raw, "changed params")


def small_backtest(
    episodes: pd.DataFrame,
    features: pd.DataFrame,
    params: Params,
    changes: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run the rolling-origin backtest in-process (no files, no MLflow) and return its scores.

    Meant for quick "what if" runs from a notebook: pass small settings in `changes`
    (e.g. two horizons, a few models, a late first origin) to keep it to seconds.
    """
    from forecast.evaluation.backtest import run_backtest

    chosen = with_changes(params, changes or {})
    horizons = [int(h) for h in chosen.episodes.horizons]
    result = run_backtest(episodes, features, chosen, progress=True, n_jobs=1)
    table = likelihood_table(result.likelihood)
    return table[table["horizon"].isin(horizons)].reset_index(drop=True)


def compare_scores(
    before: pd.DataFrame, after: pd.DataFrame, scores: Sequence[str] = ("brier", "bss", "roc_auc")
) -> pd.DataFrame:
    """Two score tables side by side with the change (after - before) for each score."""
    keys = ["subset", "model", "horizon"]
    merged = before[[*keys, *scores]].merge(
        after[[*keys, *scores]], on=keys, suffixes=("_before", "_after"), how="inner"
    )
    for name in scores:
        merged[f"{name}_change"] = merged[f"{name}_after"] - merged[f"{name}_before"]
    return merged.sort_values(keys, kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------------------------
# The case study: one dyad's history and forecasts under different assumptions
# ---------------------------------------------------------------------------------------------


def dyad_history(incidents: pd.DataFrame, state_a: int, state_b: int) -> pd.DataFrame:
    """Every incident between two states, in either direction, oldest first, with names."""
    pair = {int(state_a), int(state_b)}
    mask = (
        incidents["initiator"].isin(pair)
        & incidents["target"].isin(pair)
        & (incidents["initiator"] != incidents["target"])
    )
    columns = [
        c
        for c in (
            "incident_id",
            "source",
            "date",
            "date_precision",
            *FORCE_ATTRIBUTES,
            "target_kind",
            "dispute_id",
        )
        if c in incidents.columns
    ]
    history = incidents.loc[mask, columns].sort_values(
        ["date", "incident_id"], kind="stable", ignore_index=True
    )
    history.insert(
        history.columns.get_loc("target") + 1,
        "initiator_name",
        cow_to_name(history["initiator"]).to_numpy(),
    )
    history.insert(
        history.columns.get_loc("initiator_name") + 1,
        "target_name",
        cow_to_name(history["target"]).to_numpy(),
    )
    return history


def forecast_table(forecasts: Mapping[str, Any]) -> pd.DataFrame:
    """Labelled forecasts as rows: label, horizon, p, low, high (one row per horizon)."""
    rows = [
        {"scenario": label, "horizon": int(horizon), **values.to_dict()}
        for label, forecast in forecasts.items()
        for horizon, values in forecast.horizons.items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "horizon", "p", "low", "high"])


def analogues_table(forecast: Any) -> pd.DataFrame:
    """A forecast's nearest historical analogues as a table (what happened in each)."""
    columns = ["date", "dyad", "action", "outcome", "days_to_retaliation", "what_happened"]
    records = [analogue.to_dict() for analogue in forecast.analogues]
    return pd.DataFrame(records, columns=[*columns, "distance"])


def scenario_forecasts(
    forecaster: Any, incident: Any, scenarios: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Forecast the incident as given and under each scenario's changed Incident fields.

    A scenario names the fields to change, e.g. {"fatalities_target": 40} or
    {"target_kind": "state"}; everything else stays as given, so differences between the
    forecasts are due to the named fields alone. Keys: "as given", then the scenario labels.
    """
    results = {"as given": forecaster.predict(incident)}
    for label, changes in scenarios.items():
        try:
            changed = dataclasses.replace(incident, **changes)
        except TypeError as exc:
            raise ForecastError(
                f"scenario '{label}': {exc} (change Incident fields such as fatalities_target, "
                f"hostility, action or target_kind)"
            ) from exc
        results[label] = forecaster.predict(changed)
    return results
