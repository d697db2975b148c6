"""`forecast data code-news`: the proposed incidents as a table, CSV, JSON and an editable file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from forecast.cli import app
from forecast.news.records import HANDCODED_COLUMNS
from forecast.predict import Forecaster, Incident, read_incidents
from forecast.report.render import brief_context, render_html
from forecast.sources.tabular import load_mapping, read_tabular
from tests.conftest import run_forecast
from tests.test_predict import incident, make_forecaster

FIXTURES = Path(__file__).parent / "fixtures" / "news"
THREE = str(FIXTURES / "three_incidents.txt")
runner = CliRunner()


def code_news(*args: str) -> str:
    result = runner.invoke(app, ["data", "code-news", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_table_shows_each_incident_its_evidence_and_that_no_person_accepted_it() -> None:
    output = code_news(THREE, "--published", "2025-05-09")
    assert "3 incident(s) proposed" in output
    assert "IND -> PAK" in output and "IND <-> PAK" in output
    assert 'date: s2 "Thursday"' in output
    assert "NOT YET ACCEPTED BY A PERSON" in output


def test_json_gives_the_canonical_columns_with_confidence_and_sentences() -> None:
    rows = json.loads(code_news(THREE, "--published", "2025-05-09", "--format", "json"))
    assert [r["incident_id"] for r in rows] == [
        "news-2025-05-07-IND-PAK",
        "news-2025-05-08-PAK-IND",
        "news-2025-05-08-IND-PAK",
    ]
    second = rows[1]
    assert (second["initiator"], second["target"], second["fatalities_target"]) == (770, 750, 3)
    assert second["accepted"] is False and second["source"] == "news"
    assert second["sentences"]["2"].startswith("Pakistan fired missiles")
    assert second["evidence"]["fatalities_target"]["sentence"] == 2


def test_output_csv_has_the_handcoded_layout_and_reads_back_as_incidents(tmp_path: Path) -> None:
    out = tmp_path / "coded.csv"
    code_news(THREE, str(FIXTURES / "none.txt"), "--published", "2025-05-09", "--output", str(out))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(HANDCODED_COLUMNS)
    assert set(frame["accepted"]) == {"no"}
    incidents = read_incidents(out)  # what forecast predict --input does
    assert (incidents[0].coding_statement or "").endswith("not yet accepted by a person.")
    assert incidents[1].fatalities_target == 3


def test_an_accepted_row_says_so(tmp_path: Path) -> None:
    out = tmp_path / "coded.csv"
    code_news(THREE, "--published", "2025-05-09", "--output", str(out))
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    frame["accepted"] = "yes"
    frame.to_csv(out, index=False)
    assert all(i.accepted for i in read_incidents(out))
    assert "accepted by a person" in (read_incidents(out)[0].coding_statement or "")


def test_output_csv_passes_the_handcoded_mapping(tmp_path: Path) -> None:
    out = tmp_path / "coded.csv"
    code_news(THREE, "--published", "2025-05-09", "--output", str(out))
    mapping = load_mapping(Path("data/incidents/handcoded.yaml"))
    result = read_tabular(out, mapping)
    assert (result.rows_kept, result.rows_quarantined) == (3, 0)


def test_bad_publication_date_and_missing_file_are_one_line_errors(tmp_path: Path) -> None:
    for args, message in (
        ([THREE, "--published", "18/01/2024"], "write the article's publication date"),
        ([str(tmp_path / "gone.txt"), "--published", "2024-01-18"], "file not found"),
        ([THREE, "--published", "2024-01-18", "--format", "xml"], "choose table, csv or json"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", "from forecast.cli import main; main()", "data", "code-news",
             *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1
        assert message in done.stderr and "Traceback" not in done.stderr


def test_predict_news_needs_a_publication_date_and_stands_alone() -> None:
    for args, message in (
        (["--news", THREE], "--news needs --published"),
        (["--news", THREE, "--published", "2025-05-09", "--initiator", "IND"], "--news alone"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", "from forecast.cli import main; main()", "predict", *args],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1 and message in done.stderr, done.stderr


def test_an_article_over_max_bytes_is_a_one_line_error_in_both_commands(tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    article.write_text(Path(THREE).read_text() * 3)
    size = article.stat().st_size
    for command in (["data", "code-news", str(article)], ["predict", "--news", str(article)]):
        done = subprocess.run(
            [sys.executable, "-c", "from forecast.cli import main; main()", *command,
             "--published", "2025-05-09", "--max-bytes", str(size - 1)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert f"is {size:,} bytes, more than the {size - 1:,}" in done.stderr
        assert "--max-bytes" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# An invented two-strike report for the stand-in forecaster, which knows Iran and Pakistan.
EXCHANGE = (
    "Iranian drones struck militant hideouts in Pakistan's Panjgur district on Monday. "
    "Pakistani jets carried out air strikes in Iran's Saravan area on Wednesday, killing "
    "seven militants, Pakistan's army said. Iran condemned the strikes."
)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Forecaster.load` returns test_predict's stand-in instead of reading the registry."""
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))


def predict_news(folder: Path, text: str, *extra: str) -> Result:
    article = folder / "exchange.txt"
    article.write_text(text)
    command = ["predict", "--news", str(article), "--published", "2024-01-18", *extra]
    return runner.invoke(app, command, env={"COLUMNS": "200"})


def test_predict_news_prints_the_coding_then_a_forecast_per_incident(
    tmp_path: Path, stand_in: None
) -> None:
    result = predict_news(tmp_path, EXCHANGE)
    assert result.exit_code == 0, result.output
    output = result.output
    coding = output.index("2 incident(s) proposed")
    first = output.index("Iran → Pakistan: attack, 15 January 2024")
    second = output.index("Pakistan → Iran: attack, 17 January 2024")
    assert coding < first < second
    assert output.count("not yet accepted by a person") == 2
    assert "2 incident(s) forecast" in output


def test_predict_news_json_marks_each_incident_as_automatic_and_unaccepted(
    tmp_path: Path, stand_in: None
) -> None:
    result = predict_news(tmp_path, EXCHANGE, "--format", "json")
    assert result.exit_code == 0, result.output
    incidents = [forecast["incident"] for forecast in json.loads(result.stdout)]
    assert [i["accepted"] for i in incidents] == [False, False]
    assert all(i["coded_from"].startswith("news:exchange.txt") for i in incidents)
    assert incidents[1]["fatalities_target"] == 7


def test_predict_news_leaves_out_an_incident_known_only_to_the_month(
    tmp_path: Path, stand_in: None
) -> None:
    result = predict_news(
        tmp_path, "Iranian drones struck militant hideouts in Pakistan last week."
    )
    assert result.exit_code != 0
    assert "no use of force with a known day" in str(result.exception)


def test_the_brief_says_an_incident_was_coded_automatically_and_not_accepted() -> None:
    strike = incident(coded_from="news:exchange.txt (published 2024-01-18)", accepted="no")
    [card] = cards([strike])
    assert card["coding"] == (
        "Coded automatically from news:exchange.txt (published 2024-01-18); "
        "not yet accepted by a person."
    )
    [typed] = cards([incident()])
    assert typed["coding"] is None


def test_the_rendered_brief_shows_the_coding_row() -> None:
    strike = incident(coded_from="news:exchange.txt", accepted="yes")
    forecasts = make_forecaster().predict_many([strike])
    html = render_html(brief_context(forecasts, metrics=None, backtest=None, champion=None))
    assert "Coded automatically from news:exchange.txt; accepted by a person." in html


def cards(incidents: list[Incident]) -> list[dict[str, object]]:
    forecasts = make_forecaster().predict_many(incidents)
    return brief_context(forecasts, metrics=None, backtest=None, champion=None)["incidents"]


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_output_a_file_cannot_be_written_to_is_one_line_before_any_coding(
    tmp_path: Path, where: str, capsys, monkeypatch
) -> None:
    (tmp_path / "folder").mkdir()
    output = tmp_path / ("folder" if where == "a folder" else "file.txt/coded.csv")
    (tmp_path / "file.txt").write_text("a file")
    args = ["data", "code-news", THREE, "--published", "2025-05-09", "--output", str(output)]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {output}: ") and err.count("\n") == 1


def test_output_never_replaces_a_file_a_person_may_have_checked_unless_forced(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    out = tmp_path / "coded.csv"
    code_news(THREE, "--published", "2025-05-09", "--output", str(out))
    checked = pd.read_csv(out, dtype=str, keep_default_na=False).assign(accepted="yes")
    checked.to_csv(out, index=False)
    reviewed = out.read_bytes()
    args = ["data", "code-news", THREE, "--published", "2025-05-09", "--output", str(out)]
    code, out_text, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out_text) == (1, "")
    assert err == (
        f"error: {out}: exists, and a person may have checked and accepted its rows (give "
        "another --output, or --force to replace it)\n"
    )
    assert out.read_bytes() == reviewed
    code_news(THREE, "--published", "2025-05-09", "--output", str(out), "--force")
    assert set(pd.read_csv(out, dtype=str)["accepted"]) == {"no"}


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "1024-01-16"])
def test_a_publication_date_outside_1800_2100_is_one_line(
    tmp_path: Path, published: str, capsys, monkeypatch
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Iranian jets struck targets in Pakistan yesterday and again tomorrow.")
    args = ["data", "code-news", str(article), "--published", published]
    code, out, err = run_forecast(args, capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err == (
        f"error: --published {published!r}: give a publication date from 1800 to 2100, "
        "written YYYY-MM-DD\n"
    )
