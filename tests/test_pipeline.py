"""End to end: `dvc repro` in a fresh copy of the repository, on a small synthetic world.

One pipeline run (the session-scoped `pipeline_repo` fixture) serves every check here and the
notebook tests, because a run takes a minute or two.
"""

from __future__ import annotations

import hmac
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow import MlflowClient

from .conftest import PipelineRepo, run_checked

pytestmark = pytest.mark.slow


def _copy_of(pipeline_repo: PipelineRepo, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the repository after `dvc repro`, for a test that runs more in it."""
    source, env, _ = pipeline_repo
    repo = tmp_path / "repo"
    shutil.copytree(source, repo, symlinks=True)
    return repo, env


def test_repro_writes_every_contract_file(pipeline_repo: PipelineRepo) -> None:
    repo, _, _ = pipeline_repo
    for name in (
        "data/interim/incidents.parquet",
        "data/interim/quarantine.csv",
        "data/processed/episodes.parquet",
        "data/processed/features.parquet",
        "data/processed/backtest_predictions.parquet",
        "metrics/likelihood.json",
        "metrics/timing.json",
        "metrics/record_age.json",
        "plots/record_age.csv",
        "metrics/as_of.json",
        "data/processed/as_of_model.json",
        "data/processed/champions.pkl",
        "reports/brief.html",
        "reports/brief.pdf",
        "reports/forecasts.json",
        "mlruns/mlflow.db",
    ):
        assert (repo / name).exists(), name


def test_offline_run_says_it_rests_on_synthetic_data(
    pipeline_repo: PipelineRepo,
) -> None:
    repo, _, log = pipeline_repo
    assert "SYNTHETIC" in log
    assert "SYNTHETIC" in (repo / "reports/brief.html").read_text().upper()


def test_report_writes_the_briefs_numbers_alike_on_every_run(
    pipeline_repo: PipelineRepo, tmp_path: Path
) -> None:
    repo, env = _copy_of(pipeline_repo, tmp_path)
    first = (repo / "reports/forecasts.json").read_bytes()
    run_checked(["forecast", "report", "--no-pdf"], repo, env)
    assert (repo / "reports/forecasts.json").read_bytes() == first
    numbers = json.loads(first)
    html = (repo / "reports/brief.html").read_text()
    assert len(numbers["forecasts"]) == html.count('<section class="card"')
    assert numbers["data"]["provenance"]["content_hash"]
    for forecast in numbers["forecasts"]:
        assert forecast["incident"]["incident_id"].startswith("hand-")
        for days, values in forecast["horizons"].items():
            assert f'data-horizon="{days}" data-p="{values["p"]}"' in html


def test_metrics_follow_the_contract(pipeline_repo: PipelineRepo) -> None:
    repo, _, _ = pipeline_repo
    likelihood = json.loads((repo / "metrics/likelihood.json").read_text())
    assert set(likelihood) >= {"all", "limited_force"}
    some_model = next(iter(likelihood["all"].values()))
    assert set(some_model) == {"7", "30", "90", "365"}
    assert {"brier", "bss", "log_loss", "roc_auc", "pr_auc", "ece", "n"} <= set(some_model["30"])


def test_record_age_metrics_score_every_age_on_the_offline_world(
    pipeline_repo: PipelineRepo,
) -> None:
    repo, _, _ = pipeline_repo
    scores = json.loads((repo / "metrics/record_age.json").read_text())
    assert set(scores) == {"all", "limited_force"}
    assert set(scores["all"]["record_logit"]) == {"0", "1", "2", "5", "10"}
    assert set(scores["all"]["naive:record_logit"]["10"]) == {"7", "30"}


def test_second_repro_reruns_nothing_downstream(
    pipeline_repo: PipelineRepo,
) -> None:
    repo, env, _ = pipeline_repo
    second = run_checked(["dvc", "repro"], repo, env)
    log = second.stdout + second.stderr
    for stage in ("ingest", "episodes", "features", "backtest", "train", "report"):
        assert f"Running stage '{stage}'" not in log, log


def test_status_is_clean_after_repro(pipeline_repo: PipelineRepo) -> None:
    repo, env, _ = pipeline_repo
    status = run_checked(["dvc", "status", "--json"], repo, env)
    changed = {stage for stage in json.loads(status.stdout) if stage != "fetch"}
    assert changed == set()


def test_editing_history_index_makes_dvc_status_show_features_changed(
    pipeline_repo: PipelineRepo,
) -> None:
    repo, env, _ = pipeline_repo
    module = repo / "src/forecast/features/index.py"
    original = module.read_bytes()
    try:
        module.write_bytes(original + b"\n# an edit\n")
        status = run_checked(["dvc", "status", "--json"], repo, env)
    finally:
        module.write_bytes(original)
    changed = set(json.loads(status.stdout))
    assert {"features", "record_age", "train", "report"} <= changed
    assert not {"ingest", "episodes", "backtest"} & changed


def test_summary_is_the_one_small_dvc_metric(pipeline_repo: PipelineRepo) -> None:
    repo, env, _ = pipeline_repo
    shown = json.loads(run_checked(["dvc", "metrics", "show", "--json"], repo, env).stdout)
    files = {name for run in shown.values() for name in run.get("data", {})}
    assert files == {"metrics/summary.json"}
    summary = json.loads((repo / "metrics/summary.json").read_text())
    likelihood = json.loads((repo / "metrics/likelihood.json").read_text())
    champion = likelihood["comparisons"]["champion"]
    for subset in ("all", "limited_force"):
        assert summary[subset]["likelihood_champion"] == champion
        assert summary[subset]["roc_auc_30"] == likelihood[subset][champion]["30"]["roc_auc"]
        low, high = likelihood[subset][champion]["30"]["bss_ci90"]
        assert (summary[subset]["bss_30_low"], summary[subset]["bss_30_high"]) == (low, high)


def test_experiment_changes_one_param_and_tags_its_mlflow_runs(
    pipeline_repo: PipelineRepo, tmp_path: Path
) -> None:
    repo, env = _copy_of(pipeline_repo, tmp_path)
    run = run_checked(
        ["dvc", "exp", "run", "-n", "short-horizons", "-S", "episodes.horizons=[7,30]"],
        repo,
        env,
    )
    assert "Running stage 'fetch'" in run.stdout
    assert "Running stage 'ingest'" not in run.stdout, "ingest does not read episodes.horizons"
    likelihood = json.loads((repo / "metrics/likelihood.json").read_text())
    assert all(set(model) == {"7", "30"} for model in likelihood["all"].values())
    shown = run_checked(["dvc", "exp", "show", "--json"], repo, env)
    assert "short-horizons" in shown.stdout
    store = MlflowClient(tracking_uri=f"sqlite:///{repo / 'mlruns/mlflow.db'}")
    tagged = store.search_runs(
        [e.experiment_id for e in store.search_experiments()],
        filter_string="tags.dvc_experiment = 'short-horizons'",
    )
    assert tagged, "the experiment's MLflow runs carry its name"


PREDICT = [
    "forecast", "predict", "--initiator", "IRN", "--target", "PAK", "--date", "2014-06-01",
    "--action", "attack", "--hostility", "4", "--format", "json",
]  # fmt: skip


def test_predict_reads_the_bundle_train_wrote_and_forecasts_as_the_registry(
    pipeline_repo: PipelineRepo, tmp_path: Path
) -> None:
    """train signed the bundle with the key it created in the fresh home folder; predict
    checks it and reads it; without the bundle the signed registry gives the same numbers."""
    repo, env = _copy_of(pipeline_repo, tmp_path)
    which = "from forecast.predict import Forecaster; print(Forecaster.load().model_source)"
    key = (Path(env["XDG_CONFIG_HOME"]) / "forecast" / "signing.key").read_text().strip()
    recorded = json.loads((repo / "metrics/train.json").read_text())["bundle_signature"]
    bundle = (repo / "data/processed/champions.pkl").read_bytes()
    assert hmac.new(key.encode(), bundle, "sha256").hexdigest() == recorded
    assert run_checked([sys.executable, "-c", which], repo, env).stdout.strip() == "bundle"
    from_bundle = json.loads(run_checked(PREDICT, repo, env).stdout)
    (repo / "data/processed/champions.pkl").unlink()
    assert run_checked([sys.executable, "-c", which], repo, env).stdout.strip() == "registry"
    assert json.loads(run_checked(PREDICT, repo, env).stdout) == from_bundle


def test_a_forecast_from_the_current_bundle_reads_its_tables_unchecked(
    pipeline_repo: PipelineRepo, tmp_path: Path
) -> None:
    """The tables hash as training checked them (train.json and the signed bundle agree), so a
    cold forecast loads no pandera; nor scipy, unless a champion is scikit-learn's (an
    ensemble, which brings scipy with it)."""
    repo, env = _copy_of(pipeline_repo, tmp_path)
    code = (
        "import sys\nfrom forecast.cli import main\n"
        f"sys.argv = {PREDICT!r}\nmain()\n"
        "print('loaded:', [n for n in ('pandera', 'scipy', 'sklearn') if n in sys.modules])"
    )
    output = run_checked([sys.executable, "-c", code], repo, env).stdout
    loaded = output.strip().splitlines()[-1]
    assert loaded in ("loaded: []", "loaded: ['scipy', 'sklearn']"), loaded


@pytest.mark.parametrize("train_json_forged", [False, True])
def test_a_table_changed_since_training_is_checked_before_any_forecast(
    pipeline_repo: PipelineRepo, tmp_path: Path, train_json_forged: bool
) -> None:
    """A changed table no longer hashes as training checked it, so it is checked on reading;
    train.json is not signed, so a hash forged into it only defers the check until the signed
    bundle disagrees."""
    import pandas as pd

    from forecast.tracking.bundle import inputs_hash

    repo, env = _copy_of(pipeline_repo, tmp_path)
    path = repo / "data/processed/episodes.parquet"
    episodes = pd.read_parquet(path)
    episodes.loc[0, "hostility"] = 9
    episodes.to_parquet(path)
    if train_json_forged:
        record = json.loads((repo / "metrics/train.json").read_text())
        record["inputs_hash"] = inputs_hash(repo)
        (repo / "metrics/train.json").write_text(json.dumps(record))
    result = subprocess.run(PREDICT, cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == "", result.stderr
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert "episodes.parquet: breaks the episodes contract" in line, result.stderr


def test_predict_without_the_signing_key_says_so_in_one_line(
    pipeline_repo: PipelineRepo, tmp_path: Path
) -> None:
    """Another user, or this one on another machine: no key, so nothing pickled is read."""
    repo, env = _copy_of(pipeline_repo, tmp_path)
    elsewhere = env | {"XDG_CONFIG_HOME": str(tmp_path / "another-home" / ".config")}
    result = subprocess.run(PREDICT, cwd=repo, env=elsewhere, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: no signing key to check the trained models with")
    assert "`forecast train` on this machine" in line and "FORECAST_SIGNING_KEY" in line


def test_the_backtest_by_class_scores_every_class_the_data_can_label(
    pipeline_repo: PipelineRepo,
) -> None:
    """metrics/classes.json scores the served forecasts by class at every record age; on the
    synthetic world no trigger is labelled a crisis, so nothing leans on the outside view."""
    repo, _, _ = pipeline_repo
    scores = json.loads((repo / "metrics/classes.json").read_text())
    data = json.loads((repo / "metrics/classes_data.json").read_text())
    ages = json.loads((repo / "metrics/record_age_data.json").read_text())["ages"]
    whole = scores["all"]["all"]["served"]
    assert set(whole) == {str(age) for age in ages}
    for horizon, block in whole["0"].items():
        parts = [scores["all"][name]["served"]["0"][horizon]["n"] for name in ("opening", "answer")]
        assert block["n"] == sum(parts)
    assert "salient" not in scores["all"] and data["blend"]["weights"] == {}
    served = scores["all"]["all"]
    assert served["served"] == served["served_crisis_unknown"]


def test_predict_as_of_serves_the_model_the_as_of_stage_wrote(
    pipeline_repo: PipelineRepo,
) -> None:
    """The as_of stage scored the as-of forecasts and wrote the served model for these data;
    a forecast three days on serves it, lower than on the day for every open horizon."""
    repo, env, _ = pipeline_repo
    scores = json.loads((repo / "metrics/as_of.json").read_text())
    assert scores["data"]["kind"] != "real"
    assert set(scores["scores"]["all"]) == {"day0", "renormalised", "timing_curve", "as_of_logit"}
    assert scores["scores"]["all"]["renormalised"]["2"]["30"]["n"] > 0
    forecast = json.loads(run_checked([*PREDICT, "--as-of", "2014-06-04"], repo, env).stdout)[0]
    block = forecast["as_of"]
    assert block["days_elapsed"] == 3
    assert "as-of model of `forecast as-of backtest`" in block["basis"]
    for horizon, cell in block["horizons"].items():
        assert cell["day0"] == pytest.approx(forecast["horizons"][horizon]["p"], abs=1e-6)
        if not block["answer_known"] and cell["served"] == "renormalised":
            assert cell["p"] <= cell["day0"] + 1e-9
