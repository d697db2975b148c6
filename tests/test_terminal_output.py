"""Nothing a user wrote can drive the terminal: control characters in notes, values, file names
and articles never reach it, whichever command prints them.

An escape sequence in a note (`ESC [2J` clears the screen, `ESC ]0;...BEL` retitles the window,
`ESC ]8;;...` plants a link) would act on the reader's terminal. Everything the commands print
goes through one console that drops such characters; what remains ("[2J") prints as text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forecast.predict import Forecaster
from tests.conftest import run_forecast
from tests.test_predict import make_forecaster

HOSTILE = "before\x1b[2J\x1b]0;retitled\x07\x9b31m\rafter"
# Control characters a terminal acts on: C0 but newline, DEL and C1.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))


def assert_inert(text: str) -> None:
    assert not CONTROL.search(text), repr(CONTROL.findall(text))


def test_a_note_prints_in_the_panel_without_its_control_characters(
    stand_in: None, capsys, monkeypatch
) -> None:
    args = ["predict", "--initiator", "IRN", "--target", "PAK", "--action", "attack"]
    args += ["--date", "2024-01-16", "--hostility", "4", "--notes", HOSTILE]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert code == 0, err
    assert "Notes: before[2J]0;retitled31mafter" in out
    assert_inert(out + err)


def test_an_error_line_naming_a_hostile_file_is_inert(stand_in: None, capsys, monkeypatch) -> None:
    code, out, err = run_forecast(["predict", "--input", f"/no/{HOSTILE}.csv"], capsys, monkeypatch)
    assert code == 1 and err.startswith("error: /no/before[2J")
    assert_inert(out + err)


def test_check_file_shows_a_hostile_value_inert(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "f.csv").write_text(f'date,by,against\n2024-01-16,IRN,"{HOSTILE}"\n')
    args = ["data", "check-file", str(tmp_path / "f.csv"), "-c", "date=date", "-c", "initiator=by"]
    args += ["-c", "target=against", "-c", "action:=attack"]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert code == 0 and "1 quarantined" in out
    assert_inert(out + err)


def test_code_news_shows_an_articles_hostile_text_inert(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_text(f"Iranian jets struck targets in Pakistan on Monday {HOSTILE}.")
    args = ["data", "code-news", str(article), "--published", "2024-01-18"]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert code == 0, err
    assert_inert(out + err)
