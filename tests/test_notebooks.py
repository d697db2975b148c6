"""The analysts' notebooks: committed without outputs, and runnable end to end.

The slow tests execute each notebook with nbclient in a copy of the repository where the
pipeline has run (offline on the synthetic world; on the real data when FORECAST_DATA_DIR is
set), from the notebooks/ folder as JupyterLab would, and check it prints the data banner.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO_ROOT, PipelineRepo, _copy_tracked_files, run_checked

NOTEBOOKS = (
    "01-explore-incidents.ipynb",
    "02-compare-models.ipynb",
    "03-case-iran-pakistan-2024.ipynb",
)
CELL_TIMEOUT_SECONDS = 300


def _committed_notebooks() -> list[Path]:
    return sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_the_three_analyst_notebooks_are_in_the_repository() -> None:
    assert {path.name for path in _committed_notebooks()} >= set(NOTEBOOKS)


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs_or_execution_counts(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    with_outputs = [n for n, cell in enumerate(code) if cell.get("outputs")]
    counted = [n for n, cell in enumerate(code) if cell.get("execution_count") is not None]
    assert not with_outputs, f"{path.name}: code cells {with_outputs} keep outputs (nbstripout)"
    assert not counted, f"{path.name}: code cells {counted} keep execution counts (nbstripout)"


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: p.name)
def test_notebook_starts_from_the_project_root_and_prints_the_banner(path: Path) -> None:
    first_code = next(
        cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
    )
    assert "os.chdir(project_root())" in first_code
    assert "print(banner)" in first_code


def _execute(notebook: Path, env: dict[str, str]) -> str:
    """Run a notebook from its own folder; return everything it printed or displayed
    (text, and the HTML of rich displays)."""
    book = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        book,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute(env=env)
    texts = []
    for cell in book.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts.append(output.get("data", {}).get("text/plain", ""))
            texts.append(output.get("data", {}).get("text/html", ""))
    return "\n".join(texts)


def _kernel_env(env: dict[str, str]) -> dict[str, str]:
    """The pipeline's environment, with this interpreter's folder first so python3 is ours."""
    return {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"}


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_synthetic_pipeline(pipeline_repo: PipelineRepo, name: str) -> None:
    repo, env, _ = pipeline_repo
    printed = _execute(repo / "notebooks" / name, _kernel_env(env))
    assert "DATA: " in printed and "SYNTHETIC" in printed
    if name.startswith("03-"):
        # The forecasts at the end of their cells display as the card, not as a dataclass.
        assert printed.count("90 % interval</th>") == 2


@pytest.fixture(scope="module")
def real_features_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the repository with ingest, episodes and features run on the real data."""
    value = os.environ.get("FORECAST_DATA_DIR", "").strip()
    if not value:
        pytest.skip("FORECAST_DATA_DIR is not set")
    data_dir = Path(value) if Path(value).is_absolute() else (REPO_ROOT / value).resolve()
    if not data_dir.exists():
        pytest.skip(f"FORECAST_DATA_DIR={value} does not exist")
    repo = tmp_path_factory.mktemp("real-notebooks") / "repo"
    repo.mkdir()
    _copy_tracked_files(repo)
    env = _kernel_env({**os.environ, "FORECAST_DATA_DIR": str(data_dir), "MPLBACKEND": "Agg"})
    for command in (["data", "ingest"], ["episodes", "build"], ["features", "build"]):
        run_checked(["forecast", *command], repo, env)
    return repo, env


@pytest.mark.slow
@pytest.mark.real_data
def test_explore_notebook_runs_on_the_real_data(
    real_features_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = real_features_repo
    printed = _execute(repo / "notebooks" / NOTEBOOKS[0], env)
    assert "DATA: REAL" in printed
    assert "India" in printed and "Pakistan" in printed
