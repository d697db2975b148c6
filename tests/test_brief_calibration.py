"""The brief's calibration chart draws the backtest's reliability bins (plots/reliability.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.evaluation import metrics
from forecast.report import figures, render


def test_brief_chart_bins_edge_forecasts_as_the_backtest_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[pd.DataFrame] = []
    monkeypatch.setattr(
        figures, "reliability_chart", lambda table, horizon: drawn.append(table) or "chart"
    )
    p = np.array([0.3, 0.6, 0.7, 0.7, 1.0, 0.35])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    backtest = pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(len(p))] + ["unknown"],
            "origin": 2010,
            "model": "logit",
            "horizon": 30,
            "p": np.r_[p, 0.5],
            "y": pd.array([*y.astype(bool), None], dtype="boolean"),
        }
    )
    section = render._quality_section(None, backtest, "logit", 30, 10)
    assert section["chart"] == "chart"
    expected = metrics.reliability_table(p, y, 10)
    pd.testing.assert_frame_equal(drawn[0].reset_index(drop=True), expected)
    # 0.3 and 0.35 share the 0.3 bin; 0.6 and 0.7 open their own bins; 1 joins the last.
    assert drawn[0]["bin"].tolist() == [3, 6, 7, 9]
