"""The notebook card: `forecast.report` renders a Forecast, registered with IPython's formatter.

The IPython checks run in a child interpreter, so a shell created for them never lingers in the
test process (IPython keeps one shell per process).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from forecast.predict import parse_incident
from forecast.predict.result import Forecast, HorizonForecast, Timing
from forecast.report.card import forecast_card_html

REPO_ROOT = Path(__file__).resolve().parents[1]


def _forecast(notes: str = "Strikes on militants.") -> Forecast:
    incident = parse_incident(
        {
            "initiator": "IRN",
            "target": "PAK",
            "date": "2024-01-16",
            "action": "attack",
            "hostility": 4,
            "notes": notes,
        }
    )
    return Forecast(
        incident=incident,
        horizons={7: HorizonForecast(0.1, 0.05, 0.2), 30: HorizonForecast(0.25, None, None)},
        headline_horizon=30,
        timing=Timing(None, None, None, True, "Most of the probability lies beyond 30 days."),
        phrase="unlikely",
        key_judgment="Pakistan is unlikely to use force against Iran within 30 days.",
        drivers=[],
        analogues=[],
        data_source={"synthetic": True, "banner": "DATA: SYNTHETIC"},
        model_version="test v1",
    )


def _run(code: str, tmp_path: Path) -> str:
    env = {"PYTHONPATH": str(REPO_ROOT / "src") + ":" + str(REPO_ROOT), "IPYTHONDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_card_shows_the_judgment_horizons_and_timing() -> None:
    card = forecast_card_html(_forecast())
    assert "Pakistan is unlikely to use force against Iran within 30 days." in card
    assert "7 days" in card and "30 days" in card
    assert "Most of the probability lies beyond 30 days." in card
    assert "SYNTHETIC DATA" in card and "test v1" in card
    assert "16 January 2024" in card


def test_card_says_as_of_when_the_forecast_is_made_from_a_later_day() -> None:
    from dataclasses import replace

    statement = "As of 19 January 2024 (day 3 after the trigger, no answer known): 9 % by ..."
    card = forecast_card_html(replace(_forecast(), as_of={"statement": statement}))
    assert "As of 19 January 2024 (day 3 after the trigger" in card
    assert "As of" not in forecast_card_html(_forecast())


def test_card_escapes_notes() -> None:
    card = forecast_card_html(_forecast(notes="<img src=x onerror=alert(1)>"))
    assert "<img" not in card and "&lt;img" in card


def test_a_forecast_carries_no_markup_of_its_own() -> None:
    assert not hasattr(Forecast, "_repr_html_")


def test_importing_the_report_in_ipython_shows_forecasts_as_cards(tmp_path: Path) -> None:
    printed = _run(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import forecast.report\n"
        "from tests.test_report_card import _forecast\n"
        "from forecast.report.card import forecast_card_html\n"
        "forecast = _forecast()\n"
        "data, _ = shell.display_formatter.format(forecast)\n"
        "assert data['text/html'] == forecast_card_html(forecast), data.keys()\n"
        "print('card shown')\n",
        tmp_path,
    )
    assert printed.strip() == "card shown"


def test_enable_notebook_cards_registers_in_a_shell_started_after_the_import(
    tmp_path: Path,
) -> None:
    printed = _run(
        "import forecast.report\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "from tests.test_report_card import _forecast\n"
        "before, _ = shell.display_formatter.format(_forecast())\n"
        "print('text/html' in before, forecast.report.enable_notebook_cards())\n"
        "after, _ = shell.display_formatter.format(_forecast())\n"
        "print('90 % interval' in after['text/html'])\n",
        tmp_path,
    )
    assert printed.split() == ["False", "True", "True"]


def test_outside_ipython_nothing_is_registered_and_ipython_is_not_imported(
    tmp_path: Path,
) -> None:
    printed = _run(
        "import sys\n"
        "import forecast.report\n"
        "print(forecast.report.enable_notebook_cards(), 'IPython' in sys.modules)\n",
        tmp_path,
    )
    assert printed.split() == ["False", "False"]


def test_predict_never_imports_the_report(tmp_path: Path) -> None:
    printed = _run(
        "import sys\n"
        "import forecast.predict\n"
        "print(sorted(m for m in sys.modules if m.startswith('forecast.report')))\n",
        tmp_path,
    )
    assert printed.strip() == "[]"
