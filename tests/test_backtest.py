"""Rolling-origin splits never leak, and the backtest writes its files byte for byte.

The files and their shapes: docs/design.md, section "Tables".
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.config import BacktestParams, HistGBParams, ModelParams, Params
from forecast.core.errors import ForecastError
from forecast.evaluation.backtest import run_backtest
from forecast.evaluation.splits import censor_at, in_test_year, rolling_origins
from forecast.stages.backtest import write_outputs
from tests.fixtures_models import HORIZONS, make_world

SMALL = Params(
    backtest=BacktestParams(first_origin=2012, bootstrap_replicates=10),
    models=ModelParams(
        likelihood=["logit", "hist_gb"],
        timing=["cox"],
        ensemble=["logit", "hist_gb", "cox"],
        hist_gb=HistGBParams(max_iter=15),
    ),
)


@pytest.fixture(scope="module")
def world():
    return make_world(700, seed=21, start="2002-01-01")


@pytest.fixture(scope="module")
def result(world):
    episodes, features = world
    return run_backtest(episodes, features, SMALL, progress=False)


def test_origins_run_yearly_from_first_origin_to_the_last_year(world):
    episodes, _ = world
    splits = rolling_origins(episodes, BacktestParams(first_origin=2010))
    assert [s.year for s in splits] == [2010, 2011, 2012, 2013, 2014]


def test_first_origin_after_the_data_is_a_clear_error(world):
    episodes, _ = world
    with pytest.raises(ForecastError, match="first_origin"):
        rolling_origins(episodes, BacktestParams(first_origin=2030))


def test_label_whose_window_reaches_the_origin_is_censored():
    episodes = pd.DataFrame(
        {
            "date": pd.to_datetime(["2009-12-01", "2009-12-20"]),
            "retaliated_30d": pd.array([True, True], dtype="boolean"),
            "duration": [5, 5],
            "event_observed": [True, True],
        }
    )
    seen = censor_at(episodes, pd.Timestamp("2010-01-01"), [30])
    # 1 Dec + 30 days = 31 Dec < 1 Jan: known. 20 Dec + 30 days is past the origin: unknown.
    assert seen["retaliated_30d"].tolist() == [True, pd.NA]


def test_retaliation_after_the_cutoff_is_not_yet_observed():
    episodes = pd.DataFrame(
        {
            "date": pd.to_datetime(["2009-12-25"]),
            "duration": [20],
            "event_observed": [True],
            "days_to_retaliation": pd.array([20], dtype="Int64"),
        }
    )
    seen = censor_at(episodes, pd.Timestamp("2010-01-01"), [])
    assert not seen["event_observed"].iloc[0]
    assert seen["duration"].iloc[0] == 6  # followed up to 31 Dec
    assert pd.isna(seen["days_to_retaliation"].iloc[0])


@settings(max_examples=30, deadline=None)
@given(
    first_origin=st.integers(2003, 2014),
    embargo=st.integers(0, 400),
    seed=st.integers(0, 10_000),
)
def test_no_training_label_window_reaches_past_the_origin(first_origin, embargo, seed):
    episodes, _ = make_world(150, seed=seed, start="2001-01-01")
    for split in rolling_origins(
        episodes, BacktestParams(first_origin=first_origin, embargo_days=embargo)
    ):
        train = censor_at(episodes, split.cutoff, HORIZONS)
        dates = pd.to_datetime(train["date"])
        for horizon in HORIZONS:
            known = train[f"retaliated_{horizon}d"].notna()
            closes = dates[known] + pd.Timedelta(days=horizon)
            assert (closes < split.origin - pd.Timedelta(days=embargo)).all()
        answered = dates[train["event_observed"]] + pd.to_timedelta(
            train.loc[train["event_observed"], "duration"], unit="D"
        )
        assert (answered < split.cutoff).all()
        assert not in_test_year(train, split).any()


def test_every_model_is_scored_on_the_same_triggers(result):
    counts = result.predictions.groupby(["model", "horizon"]).size().unstack("horizon")
    assert (counts.nunique() == 1).all()


def test_likelihood_metrics_follow_the_design_shape(result):
    assert set(result.likelihood) == {"all", "limited_force"}
    block = result.likelihood["limited_force"]["logit"]["30"]
    assert {"brier", "bss", "log_loss", "roc_auc", "pr_auc", "ece", "n"} <= set(block)


def test_base_rate_has_zero_skill_against_itself(result):
    assert result.likelihood["all"]["base_rate"]["30"]["bss"] == 0.0


def test_models_beat_the_base_rate_on_ranking(result):
    block = result.likelihood["all"]
    assert block["logit"]["30"]["roc_auc"] > block["base_rate"]["30"]["roc_auc"] + 0.15


def test_timing_metrics_cover_timing_models_only(result):
    # Besides the models: the logit read as a timer, and comparisons (none with cox alone).
    assert set(result.timing) == {"cox", "references", "comparisons"}
    assert result.timing["comparisons"] == {}
    assert 0.5 < result.timing["cox"]["c_index"] <= 1


def test_same_params_and_data_give_byte_identical_files(world, tmp_path):
    episodes, features = world
    contents = []
    for run in ("first", "second"):
        root = tmp_path / run
        outcome = run_backtest(episodes, features, SMALL, progress=False)
        write_outputs(outcome, SMALL, root)
        contents.append(
            {
                name: (root / name).read_bytes()
                for name in ("metrics/likelihood.json", "metrics/timing.json", "plots/roc.csv")
            }
        )
    assert contents[0] == contents[1]
    assert json.loads(contents[0]["metrics/likelihood.json"])["all"]


def test_predictions_file_has_the_contract_columns(result, tmp_path):
    write_outputs(result, SMALL, tmp_path)
    written = pd.read_parquet(tmp_path / "data/processed/backtest_predictions.parquet")
    assert list(written.columns) == ["episode_id", "origin", "model", "horizon", "p", "y"]
    assert (tmp_path / "plots/reliability.png").stat().st_size > 0


def test_the_timing_models_curves_are_written_as_scored(result, tmp_path):
    """backtest_survival.parquet holds each timing model's out-of-sample S(day) on the grid,
    for the triggers the predictions hold: the as-of backtest reads each trigger's curve."""
    write_outputs(result, SMALL, tmp_path)
    written = pd.read_parquet(tmp_path / "data/processed/backtest_survival.parquet")
    assert list(written.columns) == ["episode_id", "origin", "model", "day", "survival"]
    assert set(written["model"]) == {"cox"}
    cox = result.predictions[result.predictions["model"] == "cox"]
    assert set(written["episode_id"]) == set(cox["episode_id"])
    wide = written.pivot_table(index="episode_id", columns="day", values="survival")
    assert (np.diff(wide.to_numpy(), axis=1) <= 1e-12).all()
    # 1 - S(30) is the model's 30-day probability.
    at_30 = cox[cox["horizon"] == 30].set_index("episode_id")["p"]
    np.testing.assert_allclose(1 - wide[30].reindex(at_30.index), at_30, atol=1e-9)


def test_skill_against_the_subsets_own_trailing_rate_is_reported(result):
    all_block = result.likelihood["all"]["logit"]["30"]
    assert all_block["bss_subset"] == pytest.approx(all_block["bss"])
    limited = result.likelihood["limited_force"]["logit"]["30"]
    assert limited["bss_subset"] != limited["bss"]
    assert len(limited["ece_ci90"]) == 2
    assert limited["ece_ci90"][0] <= limited["ece_ci90"][1]


def test_recalibrated_models_are_scored_beside_their_originals(result):
    assert {"logit+recal", "ensemble+recal", "cox+recal"} <= set(result.models)
    assert "cox@0.9" not in result.models


def test_champion_rule_and_paired_comparisons_are_written(result, tmp_path):
    write_outputs(result, SMALL, tmp_path)
    likelihood = json.loads((tmp_path / "metrics/likelihood.json").read_text())
    block = likelihood["comparisons"]
    champion = block["champion"]
    assert champion in result.models
    assert set(block["versus"]) == set(result.models) - {champion}
    other = next(iter(block["versus"].values()))["30"]["roc_auc"]
    assert len(other["ci90"]) == 2 and other["ci90"][0] <= other["difference"] <= other["ci90"][1]
    # Every step compares a more complex candidate with the champion of the moment.
    assert block["steps"][0]["candidate"] == "dyad_persistence"
    choices = json.loads((tmp_path / "metrics/backtest_data.json").read_text())["choices"]
    assert set(choices["origins"]) == {str(y) for y in range(2012, 2015)}
    assert choices["origins"]["2012"]["correlation_limit"] == {"cox": 0.95}
    assert set(choices["final"]["correlation_limit"]) == {"cox"}


def test_synthetic_settings_lighten_the_synthetic_world_and_are_recorded(world, tmp_path):
    episodes, features = world
    lighter = SMALL.model_copy(
        update={
            "synthetic_settings": {"backtest": {"first_origin": 2013, "bootstrap_replicates": 0}}
        }
    )
    for source, origins in (("synthetic", {2013, 2014}), ("mie", {2012, 2013, 2014})):
        tagged = episodes.assign(source=source)
        result = run_backtest(tagged, features, lighter, progress=False)
        assert set(result.per_origin["origin"]) == origins
        write_outputs(result, lighter, tmp_path)
        record = json.loads((tmp_path / "metrics" / "backtest_data.json").read_text())
        if source == "synthetic":
            assert record["synthetic_settings"] == lighter.synthetic_settings
            assert "brier_ci90" not in result.likelihood["all"]["logit"]["30"]
        else:
            assert "synthetic_settings" not in record
            assert "brier_ci90" in result.likelihood["all"]["logit"]["30"]
