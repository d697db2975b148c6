"""dvc.yaml lists every project module each stage runs, so editing one re-runs the stage.

Every stage has a runner, `forecast.stages.<stage>`, whose docstring's first line is the stage's
`desc:`. A stage's code is its runner and everything the runner imports. The modules are found
two ways: importing the runner in a fresh interpreter and reading `sys.modules` (what really
loads), and following every `import forecast...` statement from the runner's file, including
those inside functions (the Spark engine, the figures and the registry are imported only when
used, and a stage that uses them must still re-run when they change). Each module's file must
lie under one of the stage's `deps` in dvc.yaml, and every listed dependency must exist. A
package the stage imports whole must be listed as its directory; dvc.yaml also lists a package
as its directory when the stage imports more than half of its modules (a stage then re-runs on
an edit to a module it does not use, a small price for deps that stay readable).

A stage that runs on every `dvc repro` (`always_changed`: fetch) is left out of that check, as
no edit can leave its output stale.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


@cache
def stages() -> dict[str, dict]:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


# The stage's runner: the module a stage's command calls to do the work, named after the stage.
RUNNERS = {stage: f"forecast.stages.{stage}" for stage in stages()}
# The stages whose code dependencies are checked: all but those that run every time.
CHECKED = sorted(stage for stage, spec in stages().items() if not spec.get("always_changed"))


def deps_of(stage: str) -> list[str]:
    return [next(iter(d)) if isinstance(d, dict) else d for d in stages()[stage].get("deps", [])]


def module_file(name: str) -> Path | None:
    """The source file of module `name` under src/, or None if it is not a project module."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@cache
def imported_at_run_time(module: str) -> set[str]:
    """Project modules loaded by importing `module` in a fresh interpreter."""
    code = (
        f"import json, sys, {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'forecast')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@cache
def imported_anywhere(module: str) -> set[str]:
    """Project modules reachable through import statements, those inside functions included."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                todo.append(node.module)
                todo += [f"{node.module}.{alias.name}" for alias in node.names]
    return {name for name in seen if name.split(".")[0] == "forecast"}


def runner_files(stage: str) -> set[Path]:
    """The source files of the stage's runner and of every project module it imports."""
    runner = RUNNERS[stage]
    modules = imported_at_run_time(runner) | imported_anywhere(runner)
    assert runner in modules
    return {path for name in modules if (path := module_file(name)) is not None}


def whole_packages(files: set[Path]) -> set[Path]:
    """The package directories all of whose modules (subpackages included) are among `files`."""
    return {
        folder
        for folder in {path.parent for path in files} - {SRC / "forecast"}
        if {p for p in folder.rglob("*.py") if "__pycache__" not in p.parts} <= files
    }


def uncovered(files: set[Path], deps: list[str]) -> list[str]:
    """The files (relative to the repo) that no dependency equals or contains."""
    listed = [(ROOT / dep).resolve() for dep in deps]
    return sorted(
        str(path.relative_to(ROOT))
        for path in files
        if not any(path == dep or dep in path.parents for dep in listed)
    )


@pytest.mark.parametrize("stage", sorted(RUNNERS))
def test_every_stage_has_a_runner_in_forecast_stages(stage: str) -> None:
    assert module_file(RUNNERS[stage]) is not None, (
        f"dvc.yaml stage {stage!r} has no runner: write src/forecast/stages/{stage}.py"
    )


@pytest.mark.parametrize("stage", sorted(RUNNERS))
def test_a_stages_desc_is_its_runners_first_docstring_line(stage: str) -> None:
    path = module_file(RUNNERS[stage])
    assert path is not None
    docstring = ast.get_docstring(ast.parse(path.read_text(), filename=str(path))) or ""
    assert stages()[stage].get("desc") == docstring.splitlines()[0]


@pytest.mark.parametrize("stage", CHECKED)
def test_dvc_yaml_lists_every_module_the_stage_imports(stage: str) -> None:
    missing = uncovered(runner_files(stage), deps_of(stage))
    assert not missing, f"dvc.yaml stage {stage!r} does not list: {', '.join(missing)}"


@pytest.mark.parametrize("stage", CHECKED)
def test_a_package_the_stage_imports_whole_is_listed_as_its_directory(stage: str) -> None:
    """One line for a package rather than a line per module, so a stage's deps stay readable."""
    by_file = uncovered(whole_packages(runner_files(stage)), deps_of(stage))
    assert not by_file, f"dvc.yaml stage {stage!r}: list these directories: {', '.join(by_file)}"


@pytest.mark.parametrize("stage", sorted(stages()))
def test_every_listed_dependency_exists_or_is_made_by_a_stage(stage: str) -> None:
    made = {
        next(iter(out)) if isinstance(out, dict) else out
        for spec in stages().values()
        for kind in ("outs", "metrics", "plots")
        for out in spec.get(kind, [])
    }
    absent = [dep for dep in deps_of(stage) if not (ROOT / dep).exists() and dep not in made]
    assert not absent, f"dvc.yaml stage {stage!r} lists missing files: {', '.join(absent)}"


def test_the_check_would_catch_a_module_left_out() -> None:
    """With forecast.features listed module by module but without index.py (the history index),
    the features stage fails the check above."""
    deps = [dep for dep in deps_of("features") if dep != "src/forecast/features"]
    deps += [
        "src/forecast/features/__init__.py",
        "src/forecast/features/computation.py",
        "src/forecast/features/registry.py",
    ]
    assert uncovered(runner_files("features"), deps) == ["src/forecast/features/index.py"]


def test_editing_history_index_changes_the_features_stage_in_the_dvc_graph() -> None:
    """DVC's own view of dvc.yaml: history_index.py is a dependency of `features` (through its
    package's directory), so editing it marks the stage (and everything after it) changed."""
    from dvc.repo import Repo

    index = Path("src/forecast/features/index.py")
    with Repo(str(ROOT)) as repo:
        depending = {
            stage.name
            for stage in repo.index.stages
            if any(Path(dep.def_path) in (index, *index.parents[:-1]) for dep in stage.deps)
        }
    assert "features" in depending
