"""Charts for the brief, returned as inline PNG data URIs so the HTML stays one file.

matplotlib's Agg backend draws without a display, and the images travel inside the HTML and the
PDF, so neither ever asks the network for anything.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from forecast.predict.result import HorizonForecast

INK = "#1f2a44"
ACCENT = "#b5472f"
GRID = "#d9d9d9"
DPI = 150


def _data_uri(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    # Fixed metadata keeps the PNG bytes identical from run to run.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _style(axis: plt.Axes) -> None:
    axis.spines[["top", "right"]].set_visible(False)
    axis.grid(True, color=GRID, linewidth=0.6)
    axis.set_axisbelow(True)


def timing_chart(
    daily: Sequence[float],
    horizons: Mapping[int, HorizonForecast],
    responder: str,
    curve_label: str = "timing model",
) -> str:
    """P(the responder has used force by day t), with the per-horizon estimates and intervals.

    `curve_label` names where the line comes from: the timing model, or (beyond the record's
    end) the likelihood model's horizon estimates joined.

    Days run on a log scale because most answers come in the first weeks while the last horizon
    is a year away; a linear axis would squeeze the part readers care about into a sliver.
    """
    figure, axis = plt.subplots(figsize=(6.2, 2.6), layout="constrained")
    if len(daily):
        days = np.arange(1, len(daily) + 1)
        axis.plot(days, np.asarray(daily) * 100, color=INK, linewidth=2, label=curve_label)
    marks = sorted(horizons)
    p = np.array([horizons[h].p for h in marks]) * 100
    # A horizon without an interval is drawn as a bare point rather than left out.
    low = np.array([_or(horizons[h].low, horizons[h].p) for h in marks]) * 100
    high = np.array([_or(horizons[h].high, horizons[h].p) for h in marks]) * 100
    axis.errorbar(
        marks,
        p,
        yerr=[p - low, high - p],
        fmt="o",
        color=ACCENT,
        capsize=3,
        label="likelihood model, 90 % interval",
    )
    axis.set_xscale("log")
    axis.set_xticks(marks, [str(h) for h in marks])
    axis.set_xlim(0.9, max(marks) * 1.15)
    axis.set_ylim(0, 100)
    axis.set_xlabel("days after the incident")
    axis.set_ylabel(f"chance {responder}\nhas struck back (%)")
    axis.legend(frameon=False, fontsize=8, loc="upper left")
    _style(axis)
    return _data_uri(figure)


def _or(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def reliability_chart(table: pd.DataFrame, horizon: int) -> str:
    """Forecast against outcome frequency; points on the diagonal are well calibrated.

    `table` is `forecast.evaluation.metrics.reliability_table`'s, the bins of
    plots/reliability.csv, so the brief's chart and the backtest's file show the same points.
    """
    figure, axis = plt.subplots(figsize=(4.2, 3.6), layout="constrained")
    axis.plot([0, 100], [0, 100], color=GRID, linestyle="--", linewidth=1, label="perfect")
    sizes = 12 + 60 * np.sqrt(table["n"] / max(float(table["n"].max()), 1.0))
    axis.scatter(
        table["predicted"] * 100,
        table["observed"] * 100,
        s=sizes,
        color=INK,
        zorder=3,
        label="backtest bins (size = triggers)",
    )
    axis.plot(table["predicted"] * 100, table["observed"] * 100, color=INK, linewidth=1)
    axis.set_xlim(0, 100)
    axis.set_ylim(0, 100)
    axis.set_xlabel(f"forecast chance of retaliation within {horizon} days (%)")
    axis.set_ylabel("how often it happened (%)")
    axis.legend(frameon=False, fontsize=7, loc="upper left")
    _style(axis)
    return _data_uri(figure)
