"""How well the timing models order triggers in time, beyond Uno's C over the whole year.

One C over 365 days mixes two questions: is an answered trigger put ahead of one never answered,
and is a quick answer put ahead of a slow one? So the backtest also scores Uno's C truncated at
30 and 90 days and the time-dependent AUC at 7, 30 and 90 days, all with dyad-bootstrap
intervals. Two rows give these numbers a yardstick:

- `references.logit_30d`: the 30-day logit's probability used as the risk score of every C
  (and the logit's own probability at each day for the AUC). A timing model that does not beat
  it ranks no better than a likelihood model read as a timer.
- `comparisons`: the best timing model (highest C over the year) minus `cox`, and minus the
  logit reference, on the same bootstrap draws (`paired_timing_difference`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from forecast.core.config import Params
from forecast.evaluation import metrics
from forecast.models.common import survival_to_proba

C_TRUNCATIONS = (30, 90)
TD_AUC_DAYS = (7, 30, 90)
REFERENCE_MODEL = "logit"
REFERENCE_HORIZON = 30
REFERENCE_NAME = f"{REFERENCE_MODEL}_{REFERENCE_HORIZON}d"
BASELINE_TIMING_MODEL = "cox"


def _draws(params: Params) -> dict[str, int]:
    """The dyad bootstrap's size and seed: the same draws as every other interval."""
    return {"replicates": params.backtest.bootstrap_replicates, "seed": params.seed}


def curve_risks(survival: np.ndarray, grid: np.ndarray, taus: tuple[float, ...]) -> dict:
    """Each tau's risk score from survival curves: the days lost before tau (higher = sooner)."""
    return {tau: metrics.restricted_time_lost(survival, grid, tau) for tau in taus}


def c_index_name(tau: float, year: float) -> str:
    """`c_index` over the whole year (the champion rule's key), `c_index_<tau>` when truncated."""
    return "c_index" if tau == year else f"c_index_{tau:g}"


def ranking_block(
    time: np.ndarray,
    event: np.ndarray,
    risks: Mapping[float, np.ndarray],
    markers: Mapping[int, np.ndarray],
    clusters: np.ndarray,
    params: Params,
) -> dict[str, float | list[float]]:
    """Uno's C at each tau in `risks` and `td_auc_<day>` per day, each with its interval."""
    year = float(max(params.episodes.horizons))
    return metrics.timing_ranking_scores(
        time,
        event,
        {c_index_name(tau, year): (float(tau), risk) for tau, risk in risks.items()},
        {f"td_auc_{day}": (float(day), markers[day]) for day in TD_AUC_DAYS if day in markers},
        clusters,
        **_draws(params),
    )


def survival_markers(survival: np.ndarray, grid: tuple[int, ...]) -> dict[int, np.ndarray]:
    """P(answered by day) = 1 - S(day) for each td-AUC day on the grid."""
    return {
        day: survival_to_proba(survival[:, grid.index(day)]) for day in TD_AUC_DAYS if day in grid
    }


def reference_block(
    time: np.ndarray,
    event: np.ndarray,
    proba: np.ndarray,
    horizons: tuple[int, ...],
    clusters: np.ndarray,
    params: Params,
) -> dict[str, float | list[float]]:
    """The logit reference: its 30-day probability as the risk of every C (year, 30, 90 days)."""
    taus = (float(max(horizons)), *C_TRUNCATIONS)
    risk = proba[:, horizons.index(REFERENCE_HORIZON)]
    markers = {day: proba[:, horizons.index(day)] for day in TD_AUC_DAYS if day in horizons}
    block = ranking_block(time, event, dict.fromkeys(taus, risk), markers, clusters, params)
    block["n"] = len(time)
    return block


def comparison_block(
    time: np.ndarray,
    event: np.ndarray,
    risks_a: Mapping[float, np.ndarray],
    risks_b: Mapping[float, np.ndarray],
    clusters: np.ndarray,
    params: Params,
) -> dict[str, dict]:
    """C of A minus C of B at each truncation in `risks_a`, with paired intervals."""
    year = float(max(params.episodes.horizons))
    return {
        c_index_name(tau, year): (
            metrics.paired_timing_difference(
                time,
                event,
                risks_a[tau],
                risks_b[tau],
                float(tau),
                clusters,
                **_draws(params),
            )
        )
        for tau in risks_a
    }


def best_timing_model(timing: Mapping[str, dict], subset: str) -> str | None:
    """The timing model other than the baseline with the highest C over the year in `subset`."""
    scores = {
        name: (block if subset == "all" else block.get(subset, {})).get("c_index")
        for name, block in timing.items()
        if name != BASELINE_TIMING_MODEL
    }
    finite = {n: c for n, c in scores.items() if c is not None and np.isfinite(c)}
    return max(sorted(finite), key=finite.__getitem__) if finite else None


def yardsticks(
    outcomes: tuple[np.ndarray, np.ndarray, np.ndarray],
    subsets: Mapping[str, np.ndarray],
    survival: Mapping[str, np.ndarray],
    reference_proba: np.ndarray,
    timing: Mapping[str, dict],
    grid: tuple[int, ...],
    params: Params,
) -> dict[str, dict]:
    """`references` and `comparisons` for timing.json, per subset.

    `outcomes` is (duration, answered, dyad) per tested trigger; `subsets` the rows of each
    subset; `survival` each timing model's curves on `grid`; `reference_proba` the logit's
    probabilities at each horizon.
    """
    horizons = tuple(params.episodes.horizons)
    if REFERENCE_HORIZON not in horizons:
        return {}
    time, event, clusters = outcomes
    days = np.asarray(grid, dtype=float)
    taus = (float(max(horizons)), *C_TRUNCATIONS)
    references: dict[str, dict] = {}
    comparisons: dict[str, dict] = {}
    for subset, rows in subsets.items():
        scored = (time[rows], event[rows])
        block = reference_block(*scored, reference_proba[rows], horizons, clusters[rows], params)
        references.update(block if subset == "all" else {subset: block})
        best = best_timing_model(timing, subset)
        if best is None:
            continue
        logit_risk = reference_proba[rows, horizons.index(REFERENCE_HORIZON)]
        others = {REFERENCE_NAME: dict.fromkeys(taus, logit_risk)}
        # Every other timing model, so a variant is judged against the best by paired draws.
        for other in sorted(name for name in survival if name != best):
            others[other] = curve_risks(survival[other][rows], days, taus)
        risks = curve_risks(survival[best][rows], days, taus)
        comparisons[subset] = {
            f"{best} - {other}": comparison_block(
                *scored, risks, other_risks, clusters[rows], params
            )
            for other, other_risks in others.items()
        }
    return {"references": {REFERENCE_NAME: references}, "comparisons": comparisons}


def timing_headline(timing: Mapping[str, dict], subset: str) -> str | None:
    """One line: the best timing model's C and td-AUC on `subset`, against cox and the logit."""
    best = best_timing_model(timing, subset)
    if best is None:
        return None

    def scores(block: Mapping) -> Mapping:
        return block if subset == "all" else block.get(subset, {})

    def c_of(block: Mapping) -> str:
        value, interval = scores(block).get("c_index"), scores(block).get("c_index_ci90")
        if value is None:
            return "n/a"
        return f"{value:.3f}" + (f" ({interval[0]:.3f} to {interval[1]:.3f})" if interval else "")

    block = scores(timing[best])
    line = (
        f"timing: best Uno's C on {subset}: {best} {c_of(timing[best])}; "
        f"C 30/90 d {block.get('c_index_30', float('nan')):.3f}/"
        f"{block.get('c_index_90', float('nan')):.3f}; time-dependent AUC 7/30/90 d "
        + "/".join(f"{block.get(f'td_auc_{day}', float('nan')):.3f}" for day in TD_AUC_DAYS)
    )
    yardsticks = {
        BASELINE_TIMING_MODEL: timing.get(BASELINE_TIMING_MODEL),
        REFERENCE_NAME: timing.get("references", {}).get(REFERENCE_NAME),
    }
    shown = [f"{name} {c_of(b)}" for name, b in yardsticks.items() if b and name != best]
    return line + (f"; against {', '.join(shown)}" if shown else "")
