"""Files of the backtest by class: the metric file, its data note, the DVC plot and a figure.

metrics/classes.json (forecast.classes.scores), metrics/classes_data.json (which data, which
forecaster served each record age, the blend's rule, the weights a forecast made today uses
and the weight chosen inside every origin), plots/classes.csv (limited force, 30 days: mean
forecast against observed rate by class, forecaster and record age) and plots/classes.png.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: DVC stages and CI have no display

import matplotlib.pyplot as plt
import pandas as pd
from rich.table import Table

from forecast.classes.backtest import ClassResult, served_models
from forecast.classes.blend import GRID, MIN_BLEND_ROWS
from forecast.classes.scores import class_table
from forecast.core import atomic, tables
from forecast.core.atomic import JSON_DIGITS
from forecast.core.provenance import DataProvenance

PLOT_SUBSET = "limited_force"
PLOT_HORIZON = 30
BLEND_RULE = (
    "served = w * model + (1 - w) * the class's outside view, w on a grid of tenths with the "
    "lowest Brier score on the class's earlier served forecasts resolved before the cutoff, "
    f"pooled over record ages; below {MIN_BLEND_ROWS} of them a minority class is served its "
    "outside view and a majority class the model; crisis unknown: the model"
)


def write_classes(
    result: ClassResult, provenance: DataProvenance, root: Path = Path(".")
) -> list[Path]:
    """Write the metric file, its data note, the plot table and the figure under `root`."""
    tables.write("classes", result.scores, root)
    tables.write(
        "classes_data",
        {
            "data": provenance.as_dict(),
            "served": served_models(result.champion),
            "blend": {
                "rule": BLEND_RULE,
                "grid": [float(w) for w in GRID],
                "min_rows": MIN_BLEND_ROWS,
                "model": result.champion,
                "weights": result.weights,
                "by_origin": result.chosen,
            },
            "seconds": result.seconds,
        },
        root,
    )
    table = class_table(result.scores, PLOT_SUBSET, PLOT_HORIZON)
    columns = ["class", "forecaster", "record_age", "mean_forecast", "observed_rate", "n"]
    plot = table[columns] if len(table) else pd.DataFrame(columns=columns)
    tables.write("classes_plot", plot.round(JSON_DIGITS), root)
    calibration_figure(plot, provenance, tables.path("classes_figure", root))
    names = ("classes", "classes_data", "classes_plot", "classes_figure")
    return [tables.path(name, root) for name in names]


def calibration_figure(table: pd.DataFrame, provenance: DataProvenance, path: Path) -> None:
    """Mean forecast against observed rate, one panel per forecaster, a point per class and
    record age: points on the diagonal are calibrated on average."""
    forecasters = ["served", "served_crisis_unknown", "reference"]
    figure, axes = plt.subplots(1, 3, figsize=(12, 4.2), sharex=True, sharey=True)
    for axis, forecaster in zip(axes, forecasters, strict=True):
        rows = table[table["forecaster"] == forecaster]
        for name, points in rows.groupby("class", sort=True):
            axis.plot(points["observed_rate"], points["mean_forecast"], "o", label=str(name))
        axis.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
        axis.set_title(forecaster, fontsize=9)
        axis.set_xlabel("observed rate")
        axis.set_xlim(0, 0.8)
        axis.set_ylim(0, 0.8)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("mean forecast")
    axes[-1].legend(fontsize=7)
    title = f"By class, every record age: limited force, {PLOT_HORIZON} days"
    atomic.write_figure(figure, title, provenance.banner(), path)


def class_headline(scores: dict, subset: str, horizon: int, name: str) -> Table:
    """Forecasters down, ages across; each cell mean forecast / observed / Brier skill / AUC."""
    table = class_table(scores, subset, horizon)
    table = table[table["class"] == name] if len(table) else table
    out = Table(
        title=f"{subset}, class {name}, {horizon} days: mean forecast / observed rate / "
        "Brier skill vs the class's trailing rate / ROC AUC (n)"
    )
    out.add_column("forecaster")
    ages = sorted(table["record_age"].unique().tolist()) if len(table) else []
    for age in ages:
        out.add_column(f"age {age} y", justify="right")
    for forecaster, rows in table.groupby("forecaster", sort=True) if len(table) else []:
        by_age = rows.set_index("record_age")
        out.add_row(
            str(forecaster),
            *[
                f"{by_age.at[a, 'mean_forecast']:.2f} / {by_age.at[a, 'observed_rate']:.2f} / "
                f"{by_age.at[a, 'bss']:+.2f} / {by_age.at[a, 'roc_auc']:.2f} "
                f"({int(by_age.at[a, 'n'])})"
                if a in by_age.index
                else "-"
                for a in ages
            ],
        )
    return out
