"""MLflow tracking: backtest runs, registered models, the champion rule and loading by alias,
only ever of what the user's key signed."""

from __future__ import annotations

import pickle
from pathlib import Path
from urllib.parse import urlparse

import pytest

from forecast.core.config import BacktestParams, HistGBParams, ModelParams, Params
from forecast.core.errors import ForecastError
from forecast.evaluation.backtest import run_backtest
from forecast.models.final import fit_final_models
from forecast.stages.backtest import write_outputs
from tests.fixtures_models import make_world
from tests.fixtures_pickles import WritesAFile

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
    # Each child holds its model's per-origin scores as histories stepped by origin year.
    logit = next(r for r in children if r.data.tags["model"] == "logit")
    scored = result.per_origin[
        (result.per_origin["model"] == "logit")
        & (result.per_origin["subset"] == "all")
        & (result.per_origin["horizon"] == 30)
    ].dropna(subset=["brier"])
    history = mlflow.MlflowClient().get_metric_history(logit.info.run_id, "origin_all_30d_brier")
    assert sorted((m.step, m.value) for m in history) == sorted(
        zip(scored["origin"].astype(int), scored["brier"].astype(float), strict=True)
    )
    assert scored["origin"].nunique() > 1


@pytest.fixture
def registered(in_tmp, small_params):
    """A logit registered as the likelihood champion, signed with this user's new key:
    (the fitted model, its features, the registered version)."""
    from forecast.tracking import runs, signing

    episodes, features = make_world(400, seed=4, start="2005-01-01")
    fitted = fit_final_models(episodes, features, small_params, progress=False)
    provenance = _provenance(episodes, features)
    key = signing.signing_key(create=True)
    with (
        runs.start_training_run(provenance, small_params),
        runs.start_model_run("logit", "likelihood"),
    ):
        version = runs.log_model(fitted["logit"], "likelihood", features, key)
    runs.set_champion("likelihood", version)
    return fitted["logit"], features, version


def test_registered_champion_loads_back_as_our_model(registered, small_params):
    from forecast.tracking import runs

    logit, features, _ = registered
    loaded = runs.load_champion("likelihood", small_params)
    assert type(loaded).__name__ == type(logit).__name__
    expected = logit.predict_proba(features.head(5))
    assert loaded.predict_proba(features.head(5)).round(12).equals(expected.round(12))


def test_a_registered_model_replaced_by_a_forged_pickle_is_never_unpickled(
    registered, small_params, in_tmp
):
    from forecast.tracking import runs

    marker = in_tmp / "pwned.txt"
    (_stored_model(registered) / "python_model.pkl").write_bytes(pickle.dumps(WritesAFile(marker)))
    with pytest.raises(ForecastError, match="does not match its signature") as refused:
        runs.load_champion("likelihood", small_params)
    assert not marker.exists()
    assert "nothing was unpickled" in str(refused.value)
    assert "`forecast train` on this machine" in str(refused.value)


def test_a_registered_model_signed_with_another_key_is_refused(
    registered, small_params, monkeypatch
):
    from forecast.tracking import runs, signing

    monkeypatch.setenv(signing.KEY_VARIABLE, "a colleague's key")
    with pytest.raises(ForecastError, match=r"signed with another key.*FORECAST_SIGNING_KEY"):
        runs.load_champion("likelihood", small_params)


def test_a_registered_model_without_a_signature_is_refused(registered, small_params):
    """e.g. a version registered before models were signed, the alias moved to it by hand."""
    from mlflow import MlflowClient

    from forecast.tracking import runs

    _, _, version = registered
    MlflowClient().delete_model_version_tag(
        runs.REGISTERED_NAMES["likelihood"], str(version), runs.SIGNATURE_TAG
    )
    with pytest.raises(ForecastError, match="has no signature"):
        runs.load_champion("likelihood", small_params)


def test_an_altered_model_description_is_refused_too(registered, small_params):
    """MLmodel names the loader and the code folders imported on loading: signed as well."""
    from forecast.tracking import runs

    description = _stored_model(registered) / "MLmodel"
    description.write_text(description.read_text().replace("code: null", "code: code"))
    with pytest.raises(ForecastError, match="does not match its signature"):
        runs.load_champion("likelihood", small_params)


def _stored_model(registered) -> Path:
    """Where the registry keeps the registered version's model folder (mlflow keeps its first
    store open for the whole session, so not necessarily under this test's folder)."""
    import mlflow
    from mlflow import MlflowClient

    from forecast.tracking import runs

    _, _, version = registered
    source = MlflowClient().get_model_version(runs.REGISTERED_NAMES["likelihood"], str(version))
    model = mlflow.get_logged_model(source.source.removeprefix("models:/"))
    return Path(urlparse(model.artifact_location).path)


def test_load_champion_before_training_is_a_clear_error(in_tmp, small_params):
    from forecast.tracking import runs

    with pytest.raises(ForecastError, match="forecast train"):
        runs.load_champion("timing", small_params)


def _provenance(episodes, features):
    from forecast.evaluation.backtest import data_provenance

    return data_provenance(episodes, features)


def _run_with_record_models(content: bytes, key: bytes) -> str:
    """A training run that logged `content` as its record-age models, signed with `key`."""
    import mlflow

    from forecast.tracking import runs, signing

    runs.configure(Params().tracking)
    with mlflow.start_run() as run:
        path = Path(runs.RECORD_MODELS_ARTIFACT)
        path.write_bytes(content)
        mlflow.log_artifact(str(path))
        mlflow.set_tag(runs.RECORD_MODELS_SIGNATURE_TAG, signing.sign(content, key))
        path.unlink()
    return run.info.run_id


def test_record_models_come_back_as_training_logged_them(in_tmp):
    from forecast.tracking import runs, signing

    key = signing.signing_key(create=True)
    with runs.start_training_run(_provenance(*make_world(50, seed=5)), Params()) as run:
        runs.log_record_models({"band": [1, 2, 3]}, key)
    assert runs.load_record_models(run.info.run_id, Params()) == {"band": [1, 2, 3]}


def test_record_models_replaced_by_a_forged_pickle_are_never_unpickled(in_tmp):
    from forecast.tracking import runs, signing

    run_id = _run_with_record_models(pickle.dumps({"band": []}), signing.signing_key(create=True))
    from mlflow import MlflowClient

    marker = in_tmp / "pwned.txt"
    artifacts = Path(urlparse(MlflowClient().get_run(run_id).info.artifact_uri).path)
    logged = artifacts / runs.RECORD_MODELS_ARTIFACT
    logged.write_bytes(pickle.dumps(WritesAFile(marker)))
    with pytest.raises(ForecastError, match=r"record_models\.pkl.*does not match its signature"):
        runs.load_record_models(run_id, Params())
    assert not marker.exists()


def test_record_models_pickled_by_an_older_layout_ask_for_a_retrain(in_tmp):
    """A pickle naming a module this version no longer has is one clear error, not a
    traceback: the record-age models lived in forecast.models.record_bands before bundle
    format 5."""
    from forecast.tracking import runs, signing

    older = b"cforecast.models.record_bands\nRecordAgeModels\n."
    run_id = _run_with_record_models(older, signing.signing_key(create=True))
    with pytest.raises(ForecastError, match=r"older version of forecast.*forecast train"):
        runs.load_record_models(run_id, Params())
