"""Shared fixtures: the real data folder (integration tests) and tiny hand-made tables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_data_dir() -> Path:
    """The real datasets from $FORECAST_DATA_DIR; tests needing them skip when it is unset."""
    value = os.environ.get("FORECAST_DATA_DIR", "").strip()
    if not value:
        pytest.skip("FORECAST_DATA_DIR is not set")
    path = Path(value)
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve() if (REPO_ROOT / path).exists() else path.resolve()
    if not path.exists():
        pytest.skip(f"FORECAST_DATA_DIR={value} does not exist")
    return path


@pytest.fixture
def no_real_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as on a fresh machine without the real datasets."""
    monkeypatch.delenv("FORECAST_DATA_DIR", raising=False)
