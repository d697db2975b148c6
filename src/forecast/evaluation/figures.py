"""Backtest figures: reliability diagrams and ROC curves, one panel per horizon.

Each figure's title names the data it came from, so a chart lifted into a slide still says
whether it rests on real or synthetic events.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: DVC stages and CI have no display

import matplotlib.pyplot as plt
import pandas as pd

from forecast.core.atomic import write_figure
from forecast.core.provenance import DataProvenance


def _panels(table: pd.DataFrame, subset: str) -> tuple[plt.Figure, list, list[int]]:
    chosen = table[table["subset"] == subset]
    horizons = sorted(chosen["horizon"].unique().tolist())
    figure, axes = plt.subplots(1, max(len(horizons), 1), figsize=(4 * max(len(horizons), 1), 4))
    axes = list(axes) if len(horizons) > 1 else [axes]
    return figure, axes, horizons


def _finish(figure: plt.Figure, title: str, provenance: DataProvenance, path: Path) -> None:
    write_figure(figure, title, provenance.banner(), path)


def _curves_figure(
    table: pd.DataFrame,
    subset: str,
    axes_columns: tuple[str, str],
    axes_labels: tuple[str, str],
    title: str,
    provenance: DataProvenance,
    path: Path,
    **style: object,
) -> None:
    """One curve per model in a panel per horizon, against the grey diagonal of no skill."""
    x, y = axes_columns
    figure, axes, horizons = _panels(table, subset)
    for axis, horizon in zip(axes, horizons, strict=False):
        panel = table[(table["subset"] == subset) & (table["horizon"] == horizon)]
        for name, rows in panel.groupby("model", sort=True):
            axis.plot(rows[x], rows[y], label=name, **style)
        axis.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        axis.set_title(f"within {horizon} days")
        axis.set_xlabel(axes_labels[0])
        axis.set_ylabel(axes_labels[1])
    axes[0].legend(fontsize=7)
    _finish(figure, f"{title}, rolling-origin backtest ({subset})", provenance, path)


def reliability_figure(
    table: pd.DataFrame, subset: str, provenance: DataProvenance, path: Path
) -> None:
    """Observed retaliation rate against mean forecast, per probability bin and model."""
    _curves_figure(
        table,
        subset,
        ("predicted", "observed"),
        ("forecast probability", "observed retaliation rate"),
        "Reliability",
        provenance,
        path,
        marker="o",
        ms=3,
    )


def roc_figure(table: pd.DataFrame, subset: str, provenance: DataProvenance, path: Path) -> None:
    """ROC curve per model and horizon."""
    _curves_figure(
        table,
        subset,
        ("fpr", "tpr"),
        ("false positive rate", "true positive rate"),
        "ROC",
        provenance,
        path,
        linewidth=1,
    )
