"""params.yaml is read into typed settings; typos fail loudly with the key's name."""

from pathlib import Path

import pytest

from forecast.core.config import load_params, validated_params
from forecast.core.errors import ForecastError

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


LIGHTER = {"synthetic_settings": {"backtest": {"bootstrap_replicates": 20, "first_origin": 2005}}}


def test_synthetic_settings_apply_to_the_synthetic_world_only() -> None:
    params = validated_params(LIGHTER, "params.yaml")
    for kind in ("synthetic", "mixed"):
        lighter = params.for_data(kind)
        assert (lighter.backtest.bootstrap_replicates, lighter.backtest.first_origin) == (20, 2005)
        assert lighter.backtest.calibration_bins == params.backtest.calibration_bins
        assert params.applied_settings(kind) == LIGHTER["synthetic_settings"]
    assert params.for_data("real") == params
    assert params.applied_settings("real") == {}


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"bakctest": {"first_origin": 2000}}, "bakctest"),
        ({"backtest": {"frist_origin": 2000}}, "backtest.frist_origin"),
        ({"backtest": {"bootstrap_replicates": -1}}, "backtest.bootstrap_replicates"),
    ],
)
def test_a_bad_synthetic_setting_fails_when_params_are_read(settings: dict, named: str) -> None:
    with pytest.raises(ForecastError, match=named):
        validated_params({"synthetic_settings": settings}, "params.yaml")
