"""Notebook figures: titled, labelled with units, named countries, provenance in the title."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from forecast.notebook import charts, summaries

BANNER = "DATA: SYNTHETIC (embedded default world, not real events; hash abc)"


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _title(figure: Figure) -> str:
    return figure._suptitle.get_text() if figure._suptitle else ""


def _labelled(figure: Figure) -> bool:
    """Every axis that shows data has an x label, and at least one axis has a y label."""
    axes = [a for a in figure.axes if a.has_data()]
    return all(a.get_xlabel() for a in axes) and any(a.get_ylabel() for a in axes)


def _episodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "episode_id": ["a", "b", "c", "d"],
            "date": pd.to_datetime(["1950-01-01", "1960-01-01", "1995-01-01", "2000-01-01"]),
            "initiator": [750, 770, 750, 630],
            "target": [770, 750, 770, 770],
            "hostility": [4, 5, 4, 4],
            "retaliated_7d": pd.array([True, False, False, True], dtype="boolean"),
            "retaliated_30d": pd.array([True, True, False, True], dtype="boolean"),
            "days_to_retaliation": pd.array([2, 12, None, 5], dtype="Int64"),
            "event_observed": [True, True, False, True],
            "duration": [2, 12, 400, 5],
        }
    )


def _predictions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "episode_id": list("abcd") * 4,
            "origin": 2000,
            "model": ["logit"] * 8 + ["base_rate"] * 8,
            "horizon": ([7] * 4 + [30] * 4) * 2,
            "p": [0.9, 0.2, 0.3, 0.7, 0.9, 0.6, 0.2, 0.8] + [0.5] * 8,
            "y": pd.array([True, False, False, True, True, True, False, True] * 2, dtype="boolean"),
        }
    )


def test_incidents_per_year_is_titled_with_the_data_banner() -> None:
    table = pd.DataFrame({"Asia": [1, 2], "Europe": [0, 1]}, index=pd.Index([2000, 2001]))
    figure = charts.incidents_per_year(table, BANNER)
    assert "per year" in _title(figure) and BANNER in _title(figure)
    assert _labelled(figure)
    assert "count" in figure.axes[0].get_ylabel()


def test_busiest_dyads_label_bars_with_country_names() -> None:
    figure = charts.busiest_dyads(summaries.busiest_dyads(_episodes(), n=2), BANNER)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "India – Pakistan" in labels and "Iran – Pakistan" in labels
    assert _labelled(figure)


def test_retaliation_rates_show_one_line_per_group_on_a_day_axis() -> None:
    rates = summaries.retaliation_rates(_episodes(), [7, 30], by="hostility")
    figure = charts.retaliation_rates(rates, "hostility", BANNER)
    axis = figure.axes[0]
    assert [t.get_text() for t in axis.get_legend().get_texts()] == ["4", "5"]
    assert "days" in axis.get_xlabel()


def test_cumulative_retaliation_notes_the_median_delay_per_horizon() -> None:
    episodes = _episodes()
    figure = charts.cumulative_retaliation(
        summaries.cumulative_retaliation(episodes, range(0, 31)),
        summaries.retaliation_delays(episodes, [7, 30]),
        BANNER,
    )
    notes = " ".join(t.get_text() for t in figure.axes[0].texts)
    assert "within 7 d: median 4 d" in notes
    assert "days" in figure.axes[0].get_xlabel()


def test_model_scores_put_models_side_by_side_per_horizon() -> None:
    scores = pd.DataFrame(
        {
            "subset": "all",
            "model": ["logit", "base_rate", "logit", "base_rate"],
            "horizon": [7, 7, 30, 30],
            "bss": [0.2, 0.0, 0.3, 0.0],
        }
    )
    figure = charts.model_scores(scores, "bss", "all", BANNER)
    axis = figure.axes[0]
    assert [t.get_text() for t in axis.get_xticklabels()] == ["7 days", "30 days"]
    assert "Brier skill" in axis.get_ylabel()


@pytest.mark.parametrize(
    ("draw", "curves"),
    [
        (charts.reliability, summaries.reliability_curves),
        (charts.roc, summaries.roc_curves),
        (charts.precision_recall, summaries.pr_curves),
    ],
)
def test_backtest_curves_have_a_titled_panel_per_horizon(draw, curves) -> None:
    figure = draw(curves(_predictions()), BANNER)
    titles = [a.get_title() for a in figure.axes]
    assert titles == ["within 7 days", "within 30 days"]
    assert _labelled(figure) and BANNER in _title(figure)


def test_timing_curves_mark_the_observed_share() -> None:
    figure = charts.timing_curves(summaries.timing_by_horizon(_predictions()), banner=BANNER)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert "observed share" in legend and "logit" in legend


def test_odds_ratio_forest_plot_is_on_a_log_scale_around_one() -> None:
    table = pd.DataFrame(
        {
            "feature": ["hostility", "contiguity_land"],
            "odds_ratio": [2.0, 0.5],
            "low": [1.5, 0.3],
            "high": [2.5, 0.9],
            "coef": [0.69, -0.69],
        }
    )
    figure = charts.odds_ratios(table, banner=BANNER)
    axis = figure.axes[0]
    assert axis.get_xscale() == "log"
    assert {t.get_text() for t in axis.get_yticklabels()} == {"hostility", "contiguity_land"}


def test_odds_ratio_plot_counts_unstable_estimates_instead_of_drawing_them() -> None:
    table = pd.DataFrame(
        {
            "feature": ["hostility", "fatalities_target_missing"],
            "odds_ratio": [2.0, 3e7],
            "low": [1.5, 5e6],
            "high": [2.5, 2e8],
            "coef": [0.69, 17.2],
            "unstable": [False, True],
        }
    )
    figure = charts.odds_ratios(table, banner=BANNER)
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["hostility"]
    assert "1 unstable estimates not drawn" in _title(figure)


def test_dyad_timeline_has_a_row_per_direction_named_by_country() -> None:
    incidents = pd.DataFrame(
        {
            "incident_id": ["x", "y"],
            "date": pd.to_datetime(["2024-01-16", "2024-01-18"]),
            "initiator": [630, 770],
            "target": [770, 630],
            "hostility": [4, 4],
        }
    )
    figure = charts.dyad_timeline(summaries.dyad_history(incidents, 630, 770), BANNER)
    rows = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert rows == ["Iran → Pakistan", "Pakistan → Iran"]
    assert "Iran and Pakistan" in _title(figure)


def test_scenarios_show_each_scenario_per_horizon() -> None:
    table = pd.DataFrame(
        {
            "scenario": ["as given", "as given", "more deaths", "more deaths"],
            "horizon": [7, 30, 7, 30],
            "p": [0.2, 0.4, 0.3, 0.5],
            "low": [0.1, 0.3, 0.2, 0.4],
            "high": [0.3, 0.5, 0.4, 0.6],
        }
    )
    figure = charts.scenarios(table, BANNER)
    axis = figure.axes[0]
    assert [t.get_text() for t in axis.get_legend().get_texts()] == ["as given", "more deaths"]
    assert "probability" in axis.get_ylabel()
