"""Shared fixtures: the real data folder (integration tests) and tiny hand-made tables."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


@pytest.fixture(autouse=True)
def signing_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own config folder for the signing key, outside its project folder.

    Training creates a key file where the user keeps it; a test must never write one into the
    real home folder, nor read one from there or from $FORECAST_SIGNING_KEY.
    """
    config = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("FORECAST_SIGNING_KEY", raising=False)
    return config


@pytest.fixture
def no_real_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as on a fresh machine without the real datasets."""
    monkeypatch.delenv("FORECAST_DATA_DIR", raising=False)


PipelineRepo = tuple[Path, dict[str, str], str]


def run_checked(
    args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run a command, failing with its full output when it exits non-zero."""
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
    # The signing key `forecast train` creates goes to the fresh home, as on a fresh machine.
    env["XDG_CONFIG_HOME"] = str(tmp / "home" / ".config")
    env.pop("FORECAST_SIGNING_KEY", None)
    env["MPLBACKEND"] = "Agg"
    env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "pipeline test"
    env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "pipeline@localhost"
    return env


def _copy_tracked_files(destination: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
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
    # The world above is already small: the offline run's lighter settings would only undo it.
    params["synthetic_settings"] = {}
    path.write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture(scope="session")
def pipeline_repo(tmp_path_factory: pytest.TempPathFactory) -> PipelineRepo:
    """`dvc repro` once, offline, in a fresh git copy of the repository: (repo, env, log)."""
    tmp = tmp_path_factory.mktemp("pipeline")
    repo = tmp / "repo"
    repo.mkdir()
    (tmp / "home").mkdir()
    _copy_tracked_files(repo)
    for stale in ("dvc.lock",):
        (repo / stale).unlink(missing_ok=True)
    _shrink_params(repo)
    env = _pipeline_env(tmp)
    run_checked(["git", "init", "-q", "-b", "main"], repo, env)
    run_checked(["git", "add", "-A"], repo, env)
    run_checked(["git", "commit", "-qm", "snapshot"], repo, env)
    first = run_checked(["dvc", "repro"], repo, env)
    return repo, env, first.stdout + first.stderr


def run_forecast(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """`forecast ARGS` through the real entry point, in process: (exit code, stdout, stderr)."""
    from forecast import cli

    monkeypatch.setattr(sys, "argv", ["forecast", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_forecast_process(
    args: list[str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`forecast ARGS` in a fresh process that is killed after `timeout` seconds.

    For inputs that could hang the interpreter inside C code, where no in-process time limit
    can interrupt it: a hang fails the test instead of stalling the suite.
    """
    command = [sys.executable, "-c", "from forecast.cli import main; main()", *args]
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"forecast {' '.join(args)} ran longer than {timeout} s") from exc


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One small local Spark session for every Spark test (skipped without the spark extra)."""
    pytest.importorskip(
        "pyspark", reason='the spark extra is not installed (pip install -e ".[spark]")'
    )
    from forecast.core.config import SparkParams
    from forecast.spark.session import spark_session

    session = spark_session(
        SparkParams(
            master="local[2]",
            conf={
                "spark.sql.shuffle.partitions": 4,
                "spark.default.parallelism": 2,
                "spark.ui.enabled": False,
                "spark.driver.memory": "1g",
            },
        ),
        app_name="forecast-tests",
    )
    yield session
    session.stop()
