"""End to end: `dvc repro` in a fresh copy of the repository, on a small synthetic world.

One pipeline run (module-scoped) serves every check here, including executing the notebooks
against its outputs, because a run takes about a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def _pipeline_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FORECAST_DATA_DIR"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp / "home")
    env["MPLBACKEND"] = "Agg"
    env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "pipeline test"
    env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "pipeline@localhost"
    return env


def _copy_tracked_files(destination: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _shrink_params(repo: Path) -> None:
    """A small world and few bootstrap replicates keep the run near a minute."""
    path = repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    params["data"]["synthetic"].update({"start_year": 1980, "end_year": 2014, "scale": 0.5})
    params["backtest"].update({"first_origin": 2005, "bootstrap_replicates": 20})
    path.write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture(scope="module")
def pipeline_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    tmp = tmp_path_factory.mktemp("pipeline")
    repo = tmp / "repo"
    repo.mkdir()
    (tmp / "home").mkdir()
    _copy_tracked_files(repo)
    for stale in ("dvc.lock",):
        (repo / stale).unlink(missing_ok=True)
    _shrink_params(repo)
    env = _pipeline_env(tmp)
    _run(["git", "init", "-q", "-b", "main"], repo, env)
    _run(["git", "add", "-A"], repo, env)
    _run(["git", "commit", "-qm", "snapshot"], repo, env)
    first = _run(["dvc", "repro"], repo, env)
    return repo, env, first.stdout + first.stderr


def test_repro_writes_every_contract_file(pipeline_repo: tuple[Path, dict[str, str], str]) -> None:
    repo, _, _ = pipeline_repo
    for name in (
        "data/interim/incidents.parquet",
        "data/interim/quarantine.csv",
        "data/processed/episodes.parquet",
        "data/processed/features.parquet",
        "data/processed/backtest_predictions.parquet",
        "metrics/likelihood.json",
        "metrics/timing.json",
        "reports/brief.html",
        "reports/brief.pdf",
        "mlruns/mlflow.db",
    ):
        assert (repo / name).exists(), name


def test_offline_run_says_it_rests_on_synthetic_data(
    pipeline_repo: tuple[Path, dict[str, str], str],
) -> None:
    repo, _, log = pipeline_repo
    assert "SYNTHETIC" in log
    assert "SYNTHETIC" in (repo / "reports/brief.html").read_text().upper()


def test_metrics_follow_the_contract(pipeline_repo: tuple[Path, dict[str, str], str]) -> None:
    repo, _, _ = pipeline_repo
    likelihood = json.loads((repo / "metrics/likelihood.json").read_text())
    assert set(likelihood) >= {"all", "limited_force"}
    some_model = next(iter(likelihood["all"].values()))
    assert set(some_model) == {"7", "30", "90", "365"}
    assert {"brier", "bss", "log_loss", "roc_auc", "pr_auc", "ece", "n"} <= set(some_model["30"])


def test_second_repro_reruns_nothing_downstream(
    pipeline_repo: tuple[Path, dict[str, str], str],
) -> None:
    repo, env, _ = pipeline_repo
    second = _run(["dvc", "repro"], repo, env)
    log = second.stdout + second.stderr
    for stage in ("ingest", "episodes", "features", "backtest", "train", "report"):
        assert f"Running stage '{stage}'" not in log, log


def test_status_is_clean_after_repro(pipeline_repo: tuple[Path, dict[str, str], str]) -> None:
    repo, env, _ = pipeline_repo
    status = _run(["dvc", "status", "--json"], repo, env)
    changed = {stage for stage in json.loads(status.stdout) if stage != "fetch"}
    assert changed == set()
