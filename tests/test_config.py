"""params.yaml is read into typed settings; typos fail loudly with the key's name."""

from pathlib import Path

import pytest

from forecast.config import load_params
from forecast.errors import ForecastError

from .conftest import REPO_ROOT


def test_repository_params_load_with_default_horizons() -> None:
    params = load_params(REPO_ROOT / "params.yaml")
    assert params.episodes.horizons == [7, 30, 90, 365]
    assert params.episodes.include_same_day is False


def test_unknown_key_is_named_in_the_error(tmp_path: Path) -> None:
    bad = tmp_path / "params.yaml"
    bad.write_text("episodes:\n  horizon: [7]\n")
    with pytest.raises(ForecastError, match=r"episodes\.horizon"):
        load_params(bad)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_params(tmp_path / "absent.yaml").backtest.first_origin == 1990
