"""The import contract in pyproject.toml ([tool.importlinter]) holds, and it catches what it should.

The layers contract lists every top-level module of `forecast` (it is exhaustive, so a new module
must be placed in a layer); a module may import only from layers below its own. The second
contract forbids import cycles between the modules of any package. Both are checked by running
`lint-imports`, the same command anyone can run in a clone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts on the `forecast` package under source_root."""
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            LINT_IMPORTS,
            "--config",
            str(ROOT / "pyproject.toml"),
            "--no-cache",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy_with_import(tmp_path: Path, module: str, imported: str) -> Path:
    """A copy of the package in which `module` (a path under forecast/) imports `imported`."""
    shutil.copytree(
        ROOT / "src" / "forecast",
        tmp_path / "forecast",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    target = tmp_path / "forecast" / module
    target.write_text(target.read_text() + f"\nimport {imported}  # noqa: E402,F401\n")
    return tmp_path


def test_the_package_keeps_its_import_contracts() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "complaint"),
    [
        # A data source reaching up to the command line: the upward import the layers forbid.
        (
            "sources/dates.py",
            "forecast.cli",
            "forecast.sources is not allowed to import forecast.cli",
        ),
        # Prediction reaching up to the report that renders it.
        (
            "predict/timing.py",
            "forecast.report.figures",
            "forecast.predict is not allowed to import forecast.report",
        ),
        # icb already imports base: base importing icb back closes a cycle inside sources.
        ("sources/base.py", "forecast.sources.icb", "No cycles are allowed in forecast.sources"),
    ],
)
def test_a_new_upward_import_or_cycle_breaks_the_contract(
    tmp_path: Path, module: str, imported: str, complaint: str
) -> None:
    result = _lint_imports(_copy_with_import(tmp_path, module, imported))
    assert result.returncode != 0
    assert complaint in result.stdout
