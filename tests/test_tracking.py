"""MLflow tracking: backtest runs, registered models, the champion rule and loading by alias."""

from __future__ import annotations

import pytest

from forecast.core.config import BacktestParams, HistGBParams, ModelParams, Params
from forecast.core.errors import ForecastError
from forecast.evaluation.backtest import run_backtest
from forecast.models.final import fit_final_models
from forecast.stages.backtest import write_outputs
from tests.fixtures_models import make_world

pytest.importorskip("mlflow")


@pytest.fixture
def small_params() -> Params:
    return Params(
        backtest=BacktestParams(first_origin=2011, bootstrap_replicates=5),
        models=ModelParams(
            likelihood=["logit"],
            timing=["hazard_glm"],
            ensemble=["logit", "hazard_glm"],
            hist_gb=HistGBParams(max_iter=10),
        ),
    )


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_choose_champion_takes_highest_skill_and_lowest_loss():
    from forecast.tracking.runs import choose_champion

    assert choose_champion({"a": 0.1, "b": 0.3, "c": float("nan")}, "bss") == "b"
    assert choose_champion({"a": 0.1, "b": 0.3}, "brier") == "a"


def test_choose_champion_without_scores_says_to_run_backtest():
    from forecast.tracking.runs import choose_champion

    with pytest.raises(ForecastError, match="forecast backtest"):
        choose_champion({"a": float("nan")}, "bss")


def test_backtest_run_has_child_per_model_and_data_tags(in_tmp, small_params):
    import mlflow

    from forecast.tracking import runs

    episodes, features = make_world(600, seed=3, start="2000-01-01")
    result = run_backtest(episodes, features, small_params, progress=False)
    files = write_outputs(result, small_params, in_tmp)
    parent_id = runs.log_backtest(result, small_params, files)
    found_runs = mlflow.search_runs(search_all_experiments=True, output_format="list")
    children = [r for r in found_runs if r.data.tags.get("mlflow.parentRunId") == parent_id]
    assert sorted(r.data.tags["model"] for r in children) == sorted(result.models)
    parent = next(r for r in found_runs if r.info.run_id == parent_id)
    assert parent.data.tags["synthetic"] == "true"
    assert parent.data.tags["data_hash"] == result.provenance.content_hash
    assert (in_tmp / "mlruns" / "mlflow.db").exists()


def test_registered_champion_loads_back_as_our_model(in_tmp, small_params):
    from forecast.tracking import runs

    episodes, features = make_world(400, seed=4, start="2005-01-01")
    fitted = fit_final_models(episodes, features, small_params, progress=False)
    provenance = _provenance(episodes, features)
    with (
        runs.start_training_run(provenance, small_params),
        runs.start_model_run("logit", "likelihood"),
    ):
        version = runs.log_model(fitted["logit"], "likelihood", features)
    runs.set_champion("likelihood", version)
    loaded = runs.load_champion("likelihood", small_params)
    assert type(loaded).__name__ == type(fitted["logit"]).__name__
    expected = fitted["logit"].predict_proba(features.head(5))
    assert loaded.predict_proba(features.head(5)).round(12).equals(expected.round(12))


def test_load_champion_before_training_is_a_clear_error(in_tmp, small_params):
    from forecast.tracking import runs

    with pytest.raises(ForecastError, match="forecast train"):
        runs.load_champion("timing", small_params)


def _provenance(episodes, features):
    from forecast.evaluation.backtest import data_provenance

    return data_provenance(episodes, features)


def test_record_models_pickled_by_an_older_layout_ask_for_a_retrain(in_tmp, monkeypatch):
    """A pickle naming a module this version no longer has is one clear error, not a
    traceback: the record-age models lived in forecast.models.record_bands before bundle
    format 5."""
    import mlflow

    from forecast.tracking import runs

    older = in_tmp / runs.RECORD_MODELS_ARTIFACT
    older.write_bytes(b"cforecast.models.record_bands\nRecordAgeModels\n.")
    monkeypatch.setattr(mlflow.artifacts, "download_artifacts", lambda **kwargs: str(older))
    with pytest.raises(ForecastError, match=r"older version of forecast.*forecast train"):
        runs.load_record_models("run-1", Params())
