"""Matplotlib figures for the analysts' notebooks, drawn from forecast.notebook.summaries tables.

Every figure has a title, axis labels with units and country names rather than codes, and takes
the data's provenance banner as a subtitle, so a chart copied into a slide still says whether it
rests on real or synthetic events. Functions return the Figure and never call plt.show().
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

WIDE = (10.0, 4.5)
PANEL_SIDE = 3.6
TITLE_SIZE = 12
SUBTITLE_SIZE = 8


def _titled(figure: Figure, title: str, banner: str | None) -> Figure:
    """Title on top, provenance banner under it, layout that leaves room for both."""
    text = title if not banner else f"{title}\n{banner}"
    figure.suptitle(text, fontsize=TITLE_SIZE if not banner else SUBTITLE_SIZE + 2)
    figure.tight_layout()
    return figure


def _panels(count: int) -> tuple[Figure, list[plt.Axes]]:
    count = max(count, 1)
    figure, axes = plt.subplots(
        1, count, figsize=(PANEL_SIDE * count + 0.8, PANEL_SIDE + 1.0), squeeze=False
    )
    return figure, list(axes[0])


def _days_axis(axis: plt.Axes, days: Sequence[int]) -> None:
    axis.set_xscale("log")
    axis.set_xticks(list(days))
    axis.set_xticklabels([str(d) for d in days])
    axis.minorticks_off()


def incidents_per_year(table: pd.DataFrame, banner: str | None = None) -> Figure:
    """Stacked areas: incidents per year by the initiator's region."""
    figure, axis = plt.subplots(figsize=WIDE)
    columns = [c for c in table.columns if table[c].sum() > 0]
    axis.stackplot(table.index, *[table[c] for c in columns], labels=columns, alpha=0.85)
    axis.set_xlabel("year")
    axis.set_ylabel("incidents per year (count)")
    axis.legend(title="initiator's region", loc="upper left", fontsize=8)
    axis.margins(x=0)
    return _titled(figure, "Militarized incidents per year, by region", banner)


def busiest_dyads(table: pd.DataFrame, banner: str | None = None) -> Figure:
    """Horizontal bars: triggers per pair of states, busiest on top, labelled with names."""
    labels = [f"{a} – {b}" for a, b in zip(table["name_a"], table["name_b"], strict=True)]
    figure, axis = plt.subplots(figsize=(9.0, 0.38 * len(table) + 1.6))
    axis.barh(labels[::-1], table["triggers"].to_numpy()[::-1], color="tab:blue")
    axis.set_xlabel("triggers (uses of force, both directions; count)")
    axis.set_ylabel("pair of states")
    return _titled(figure, f"The {len(table)} busiest pairs of states", banner)


def retaliation_rates(rates: pd.DataFrame, by: str, banner: str | None = None) -> Figure:
    """Share answered within each horizon, one line per group, with 90 % intervals."""
    figure, axis = plt.subplots(figsize=(8.0, 4.8))
    horizons = sorted(rates["horizon"].unique().tolist())
    for group, rows in rates.groupby(by, sort=True):
        rows = rows.sort_values("horizon", kind="stable")
        # Rounding can put a Wilson bound a hair inside a rate of exactly 0 or 1.
        errors = np.vstack([rows["rate"] - rows["low"], rows["high"] - rows["rate"]]).clip(min=0)
        axis.errorbar(
            rows["horizon"], rows["rate"], yerr=errors, marker="o", capsize=3, label=str(group)
        )
    _days_axis(axis, horizons)
    axis.set_ylim(0, 1)
    axis.set_xlabel("horizon H (days after the trigger, log scale)")
    axis.set_ylabel("share of triggers answered within H")
    axis.legend(title=by.replace("_", " "), fontsize=8)
    return _titled(figure, f"Retaliation rate by horizon and {by.replace('_', ' ')}", banner)


def cumulative_retaliation(
    curve: pd.DataFrame, delays: pd.DataFrame | None = None, banner: str | None = None
) -> Figure:
    """Kaplan-Meier share answered by each day; the median delay per horizon in a side note."""
    figure, axis = plt.subplots(figsize=(8.0, 4.8))
    shown = curve[curve["day"] >= 1]
    axis.step(shown["day"], shown["answered"], where="post", color="tab:red")
    ticks = [1, 7, 30, 90, 365]
    if delays is not None:
        ticks = sorted({1, *delays["horizon"].astype(int).tolist()})
        lines = [
            f"within {row.horizon} d: median {row.days_median:.0f} d (n {row.answered:,})"
            for row in delays.dropna(subset=["days_median"]).itertuples()
        ]
        axis.text(
            0.98,
            0.04,
            "delay among answers\n" + "\n".join(lines),
            transform=axis.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "lightgrey"},
        )
    _days_axis(axis, ticks)
    axis.set_xlabel("days since the trigger (log scale)")
    axis.set_ylabel("share answered by then (Kaplan-Meier)")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    return _titled(figure, "How soon targets answer", banner)


def model_scores(
    table: pd.DataFrame, score: str = "bss", subset: str = "all", banner: str | None = None
) -> Figure:
    """Grouped bars: one score per model, side by side for each horizon."""
    chosen = table[table["subset"] == subset]
    pivot = chosen.pivot(index="horizon", columns="model", values=score).sort_index()
    figure, axis = plt.subplots(figsize=WIDE)
    width = 0.8 / max(len(pivot.columns), 1)
    positions = np.arange(len(pivot.index))
    for number, model in enumerate(pivot.columns):
        axis.bar(positions + number * width, pivot[model], width, label=model)
    axis.set_xticks(positions + width * (len(pivot.columns) - 1) / 2)
    axis.set_xticklabels([f"{h} days" for h in pivot.index])
    axis.axhline(0, color="black", linewidth=0.8)
    axis.set_xlabel("horizon")
    axis.set_ylabel(SCORE_LABELS.get(score, score))
    axis.legend(fontsize=8, ncol=2)
    return _titled(figure, f"Backtest {score} by model and horizon ({subset})", banner)


SCORE_LABELS = {
    "bss": "Brier skill score vs trailing base rate (higher is better)",
    "brier": "Brier score (lower is better)",
    "log_loss": "log loss (nats, lower is better)",
    "roc_auc": "ROC AUC (higher is better)",
    "pr_auc": "PR AUC (higher is better)",
    "ece": "expected calibration error (lower is better)",
}


def reliability(curves: pd.DataFrame, banner: str | None = None) -> Figure:
    """Observed share against mean forecast per probability bin, a panel per horizon."""
    horizons = sorted(curves["horizon"].unique().tolist())
    figure, axes = _panels(len(horizons))
    for axis, horizon in zip(axes, horizons, strict=True):
        panel = curves[curves["horizon"] == horizon]
        for model, rows in panel.groupby("model", sort=True):
            axis.plot(rows["predicted"], rows["observed"], marker="o", markersize=3, label=model)
        axis.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        axis.set_title(f"within {horizon} days", fontsize=10)
        axis.set_xlabel("mean forecast probability")
        axis.set_xlim(0, 1)
        axis.set_ylim(0, 1)
    axes[0].set_ylabel("observed share answered")
    axes[0].legend(fontsize=7)
    return _titled(figure, "Reliability diagrams (rolling-origin backtest)", banner)


def roc(curves: pd.DataFrame, banner: str | None = None) -> Figure:
    """ROC curves, a panel per horizon."""
    horizons = sorted(curves["horizon"].unique().tolist())
    figure, axes = _panels(len(horizons))
    for axis, horizon in zip(axes, horizons, strict=True):
        for model, rows in curves[curves["horizon"] == horizon].groupby("model", sort=True):
            axis.plot(rows["fpr"], rows["tpr"], linewidth=1.2, label=model)
        axis.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        axis.set_title(f"within {horizon} days", fontsize=10)
        axis.set_xlabel("false positive rate")
    axes[0].set_ylabel("true positive rate")
    axes[0].legend(fontsize=7)
    return _titled(figure, "ROC curves (rolling-origin backtest)", banner)


def precision_recall(curves: pd.DataFrame, banner: str | None = None) -> Figure:
    """Precision-recall curves, a panel per horizon, with the share answered as the floor."""
    horizons = sorted(curves["horizon"].unique().tolist())
    figure, axes = _panels(len(horizons))
    for axis, horizon in zip(axes, horizons, strict=True):
        panel = curves[curves["horizon"] == horizon]
        for model, rows in panel.groupby("model", sort=True):
            axis.plot(rows["recall"], rows["precision"], linewidth=1.2, label=model)
        axis.axhline(float(panel["base_rate"].iloc[0]), color="grey", linestyle="--", linewidth=1)
        axis.set_title(f"within {horizon} days", fontsize=10)
        axis.set_xlabel("recall (share of answers caught)")
        axis.set_ylim(0, 1.02)
    axes[0].set_ylabel("precision")
    axes[0].legend(fontsize=7)
    return _titled(figure, "Precision-recall curves (dashed: share answered)", banner)


def timing_curves(
    by_horizon: pd.DataFrame, observed: pd.DataFrame | None = None, banner: str | None = None
) -> Figure:
    """Each model's mean P(answer within H) across horizons against the observed share."""
    figure, axis = plt.subplots(figsize=(8.0, 4.8))
    horizons = sorted(by_horizon["horizon"].unique().tolist())
    for model, rows in by_horizon.groupby("model", sort=True):
        axis.plot(rows["horizon"], rows["forecast"], marker="o", markersize=3, label=model)
    share = by_horizon.groupby("horizon", sort=True)["observed"].first()
    axis.plot(share.index, share.to_numpy(), "k*", markersize=10, label="observed share")
    if observed is not None:
        axis.step(
            observed["day"],
            observed["answered"],
            where="post",
            color="black",
            linewidth=0.8,
            alpha=0.6,
            label="Kaplan-Meier (all triggers)",
        )
    _days_axis(axis, [1, *horizons])
    axis.set_ylim(0, 1)
    axis.set_xlabel("days after the trigger (log scale)")
    axis.set_ylabel("P(answered by then)")
    axis.legend(fontsize=7, ncol=2)
    return _titled(figure, "Timing: mean forecast against what happened", banner)


def odds_ratios(table: pd.DataFrame, n: int = 15, banner: str | None = None) -> Figure:
    """Forest plot of the logit's first `n` stable odds ratios with their clustered intervals.

    Rows flagged `unstable` (separation, near-constant features) are counted in the title
    instead of drawn, since a bound of 10^7 would squash every other interval to a dot.
    """
    stable = table[~table["unstable"]] if "unstable" in table else table
    dropped = len(table) - len(stable)
    shown = stable.head(n).iloc[::-1]
    figure, axis = plt.subplots(figsize=(9.0, 0.35 * len(shown) + 1.8))
    positions = np.arange(len(shown))
    errors = np.vstack(
        [shown["odds_ratio"] - shown["low"], shown["high"] - shown["odds_ratio"]]
    ).clip(min=0)
    axis.errorbar(shown["odds_ratio"], positions, xerr=errors, fmt="o", capsize=3)
    axis.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    axis.set_xscale("log")
    axis.set_yticks(positions)
    axis.set_yticklabels(shown["feature"], fontsize=8)
    axis.set_xlabel("odds ratio per unit of the feature (log scale; 90 % dyad-clustered interval)")
    title = "Logit: clearest associations with retaliation"
    if dropped:
        title += f" ({dropped} unstable estimates not drawn)"
    return _titled(figure, title, banner)


def dyad_timeline(history: pd.DataFrame, banner: str | None = None) -> Figure:
    """Each incident between two states as a point on a time line, one row per direction."""
    directions = history["initiator_name"].astype(str) + " → " + history["target_name"].astype(str)
    rows = sorted(directions.unique().tolist())
    figure, axis = plt.subplots(figsize=(10.0, 1.0 + 0.9 * max(len(rows), 1)))
    for number, direction in enumerate(rows):
        chosen = history[directions == direction]
        sizes = 20 + 30 * (chosen["hostility"].astype(float) - 1)
        axis.scatter(pd.to_datetime(chosen["date"]), [number] * len(chosen), s=sizes, alpha=0.7)
    axis.set_yticks(range(len(rows)))
    axis.set_yticklabels(rows)
    axis.set_ylim(-0.7, len(rows) - 0.3)
    axis.set_xlabel("date (marker size: hostility, 1 none to 5 war)")
    states = sorted(set(history["initiator_name"].astype(str)) | set(history["target_name"]))
    return _titled(figure, f"Incidents between {' and '.join(states)}", banner)


def scenarios(table: pd.DataFrame, banner: str | None = None) -> Figure:
    """Grouped bars: the probability of an answer per horizon under each scenario."""
    labels = list(dict.fromkeys(table["scenario"]))
    horizons = sorted(table["horizon"].unique().tolist())
    figure, axis = plt.subplots(figsize=(11.0, 4.5))
    width = 0.8 / max(len(labels), 1)
    positions = np.arange(len(horizons))
    for number, label in enumerate(labels):
        rows = table[table["scenario"] == label].set_index("horizon").reindex(horizons)
        errors = np.vstack([rows["p"] - rows["low"], rows["high"] - rows["p"]]).clip(min=0)
        axis.bar(positions + number * width, rows["p"], width, yerr=errors, capsize=2, label=label)
    axis.set_xticks(positions + width * (len(labels) - 1) / 2)
    axis.set_xticklabels([f"within {h} days" for h in horizons])
    axis.set_ylim(0, 1)
    axis.set_xlabel("horizon after the incident")
    axis.set_ylabel("probability of an answer (90 % interval)")
    # Outside the axes: bars reach the top at long horizons and would hide under the legend.
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="scenario")
    return _titled(figure, "How the forecast moves under different assumptions", banner)
