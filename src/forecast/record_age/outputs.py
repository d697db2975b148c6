"""Files of the backtest by record age: the metric file, the DVC plot data and a figure.

metrics/record_age.json: `{subset: {model: {age: {horizon: {roc_auc, brier, bss, ece,
mean_forecast, observed_rate, n}}}}}` with subsets `all` and `limited_force`, ages in whole
years and horizons in days as strings, the naive use of today's models named `naive:...`.
metrics/record_age_data.json says which data and ages it came from, and
data/processed/record_age_predictions.parquet every forecast behind the scores;
plots/record_age.csv and plots/record_age.png draw Brier skill against record age (limited
force, 30 days).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: DVC stages and CI have no display

import matplotlib.pyplot as plt
import pandas as pd
from rich.table import Table

from forecast.core import atomic, tables
from forecast.core.atomic import JSON_DIGITS
from forecast.core.provenance import DataProvenance
from forecast.record_age.backtest import RecordAgeResult, skill_table

PLOT_SUBSET = "limited_force"
PLOT_HORIZON = 30


def write_record_age(
    result: RecordAgeResult, provenance: DataProvenance, root: Path = Path(".")
) -> list[Path]:
    """Write the metric file, its data note, the plot table and the figure under `root`."""
    tables.write("record_age", result.scores, root)
    tables.write("record_age_predictions", prediction_table(result.forecasts), root)
    tables.write(
        "record_age_data",
        {
            "data": provenance.as_dict(),
            "ages": list(result.ages),
            "choices": result.choices,
            "seconds": result.seconds,
        }
        | ({"synthetic_settings": result.settings} if result.settings else {}),
        root,
    )
    table = skill_table(result.scores, PLOT_SUBSET, PLOT_HORIZON)
    columns = ["record_age", "model", "bss", "roc_auc", "mean_forecast", "observed_rate", "n"]
    tables.write("record_age_plot", table[columns].round(JSON_DIGITS), root)
    skill_figure(table, provenance, tables.path("record_age_figure", root))
    names = (
        "record_age",
        "record_age_predictions",
        "record_age_data",
        "record_age_plot",
        "record_age_figure",
    )
    return [tables.path(name, root) for name in names]


def prediction_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    """The forecasts behind the scores, one row per (trigger, origin, model, age, horizon), in
    a stable order: what the backtest by class (forecast.classes) reads for ages past 0."""
    columns = ["episode_id", "origin", "model", "record_age", "horizon", "p", "y"]
    table = forecasts[columns].astype(
        {"origin": "int64", "record_age": "int64", "horizon": "int64", "p": "float64"}
    )
    order = ["origin", "record_age", "model", "horizon", "episode_id"]
    return table.sort_values(order, kind="stable", ignore_index=True)


def skill_figure(table: pd.DataFrame, provenance: DataProvenance, path: Path) -> None:
    """Brier skill and ROC AUC against record age, one line per forecaster."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 4))
    for model, rows in table.groupby("model", sort=True):
        style = "--" if str(model).startswith("naive:") else "-"
        for axis, metric in zip(axes, ("bss", "roc_auc"), strict=True):
            axis.plot(rows["record_age"], rows[metric], style, marker="o", label=model)
    for axis, label in zip(axes, ("Brier skill vs trailing base rate", "ROC AUC"), strict=True):
        axis.set_xlabel("record age (years between the record's end and the trigger)")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    axes[0].axhline(0, color="grey", linewidth=0.8)
    axes[1].legend(fontsize=8)
    title = f"Forecasts across a gap: limited force, {PLOT_HORIZON} days"
    atomic.write_figure(figure, title, provenance.banner(), path)


def headline_table(scores: dict, subset: str, horizon: int) -> Table:
    """Models down, ages across; each cell ROC AUC / Brier skill / mean forecast."""
    table = skill_table(scores, subset, horizon)
    ages = sorted(table["record_age"].unique().tolist()) if len(table) else []
    observed = table.groupby("record_age")["observed_rate"].first() if len(table) else {}
    out = Table(
        title=f"{subset}, {horizon} days: ROC AUC / Brier skill / mean forecast "
        f"(observed rate by age: " + ", ".join(f"{age} y {observed[age]:.2f}" for age in ages) + ")"
    )
    out.add_column("forecaster")
    for age in ages:
        out.add_column(f"age {age} y", justify="right")
    for model, rows in table.groupby("model", sort=True):
        by_age = rows.set_index("record_age")
        out.add_row(
            str(model),
            *[
                f"{by_age.at[a, 'roc_auc']:.2f} / {by_age.at[a, 'bss']:+.2f} / "
                f"{by_age.at[a, 'mean_forecast']:.2f}"
                if a in by_age.index
                else "-"
                for a in ages
            ],
        )
    return out
