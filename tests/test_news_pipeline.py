"""`forecast predict --news` end to end on the offline synthetic pipeline."""

from __future__ import annotations

import pytest

from .conftest import PipelineRepo, run_checked

pytestmark = pytest.mark.slow


def test_predict_news_prints_the_coding_above_every_forecast(pipeline_repo: PipelineRepo) -> None:
    repo, env, _ = pipeline_repo
    command = [
        "forecast", "predict", "--news", "tests/fixtures/news/three_incidents.txt",
        "--published", "2025-05-09",
    ]  # fmt: skip
    output = run_checked(command, repo, {**env, "COLUMNS": "200"}).stdout
    coding = output.index("3 incident(s) proposed")
    panels = [output.index(title) for title in ("India → Pakistan: attack", "Pakistan → India")]
    assert all(coding < position for position in panels)
    assert output.count("not yet accepted by a person") == 3
    assert "3 incident(s) forecast" in output
