"""The policy brief: its numbers, its words, its safety and its commands.

Forecasts come from the stand-in Forecaster of test_predict, so every number can be traced. The
PDF and the browser checks live in test_report_browser.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.core import tables
from forecast.predict import Forecaster
from forecast.report.render import brief_context, build_brief, render_html
from tests.test_predict import incident, make_forecaster

PREPARED = dt.date(2026, 11, 25)
CHAMPION = "stand_in_logit"


def seed_forecasts(kind: str = "real", notes: str | None = None) -> list:
    strike = incident(notes=notes)
    counter = incident(initiator="PAK", target="IRN", date="2024-01-18", fatalities_target=9)
    return make_forecaster(kind=kind).predict_many([strike, counter])


def backtest_predictions(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Calibrated by construction: y ~ Bernoulli(p)."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, n)
    return pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(n)],
            "origin": rng.integers(1990, 2015, n),
            "model": CHAMPION,
            "horizon": 30,
            "p": p,
            "y": (rng.uniform(0, 1, n) < p).astype(float),
        }
    )


METRICS = {
    "all": {
        CHAMPION: {"30": {"brier": 0.15, "bss": 0.31, "roc_auc": 0.86, "ece": 0.02, "n": 2000}}
    },
    "limited_force": {
        CHAMPION: {
            "30": {
                "brier": 0.16,
                "bss": 0.22,
                "bss_ci90": [0.18, 0.26],
                "roc_auc": 0.83,
                "ece": 0.03,
                "n": 1500,
            }
        }
    },
}


def brief_html(forecasts: list, **kwargs: object) -> str:
    options = {"metrics": METRICS, "backtest": backtest_predictions(), "champion": CHAMPION}
    options.update(kwargs)
    return render_html(brief_context(forecasts, prepared=PREPARED, **options))


def visible_text(html: str) -> str:
    """The page's text without tags, attributes or inline images."""
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# ---- content ---------------------------------------------------------------------------------


def test_one_key_judgment_per_incident() -> None:
    context = brief_context(seed_forecasts(), metrics=None, backtest=None, champion=None)
    sentences = [kj["sentence"] for kj in context["key_judgments"]]
    assert sentences == [
        "Pakistan is unlikely (20-45 %) to use force against Iran within 30 days.",
        "Iran is likely (55-80 %) to use force against Pakistan within 30 days.",
    ]


def test_horizon_rows_carry_the_forecasts_exact_numbers() -> None:
    forecasts = seed_forecasts()
    html = brief_html(forecasts)
    rows = re.findall(
        r'data-horizon="(\d+)" data-p="([\d.e-]+)" data-low="([\d.e-]+)" '
        r'data-high="([\d.e-]+)"',
        html,
    )
    expected = [(str(h), v.p, v.low, v.high) for f in forecasts for h, v in f.horizons.items()]
    assert [(h, float(p), float(lo), float(hi)) for h, p, lo, hi in rows] == expected


def test_countries_and_dates_are_written_out() -> None:
    text = visible_text(brief_html(seed_forecasts()))
    assert "Iran → Pakistan, 16 January 2024" in text
    assert "18 January 2024" in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"\b(IRN|PAK|630|770)\b", text)


def test_a_forecast_made_as_of_a_later_day_says_so_in_its_card() -> None:
    from dataclasses import replace

    first, second = seed_forecasts()
    statement = "As of 19 January 2024 (day 3 after the trigger, no answer known): ..."
    html = brief_html([replace(first, as_of={"statement": statement}), second])
    assert html.count('<p class="asof">') == 1
    assert "As of 19 January 2024 (day 3 after the trigger" in visible_text(html)


def test_hostile_notes_are_escaped() -> None:
    html = brief_html(seed_forecasts(notes='<script>alert("x")</script><img src=x onerror=1>'))
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_html_is_self_contained() -> None:
    html = brief_html(seed_forecasts())
    references = re.findall(r'(?:src|href)\s*=\s*["\']?([^"\'\s>]+)', html)
    assert references, "the brief should embed its charts"
    assert all(ref.startswith("data:image/png;base64,") for ref in references)
    assert not re.search(r"https?://", html)
    assert "@import" not in html and "@font-face" not in html


def test_synthetic_data_is_flagged_in_red() -> None:
    html = brief_html(seed_forecasts(kind="synthetic"))
    assert '<div class="synthetic">SYNTHETIC DATA.' in html
    assert '<p class="red">SYNTHETIC DATA' in html


def test_real_data_has_no_synthetic_flag() -> None:
    assert 'class="synthetic"' not in brief_html(seed_forecasts())


def test_classification_banner_and_date_are_shown() -> None:
    html = brief_html(seed_forecasts())
    assert html.count('<div class="banner') == 2
    assert "UNCLASSIFIED // FOR DISCUSSION" in html
    assert "Prepared 25 November 2026" in html


def test_band_table_counts_what_was_said_and_what_happened() -> None:
    backtest = pd.DataFrame(
        {
            "model": CHAMPION,
            "horizon": 30,
            "origin": 2000,
            "p": [0.7, 0.7, 0.7, 0.7, 0.1],
            "y": [1.0, 1.0, 1.0, 0.0, 0.0],
        }
    )
    context = brief_context(seed_forecasts(), metrics=None, backtest=backtest, champion=CHAMPION)
    bands = {b["term"]: b for b in context["quality"]["bands"]}
    assert (bands["likely"]["n"], bands["likely"]["happened"]) == (4, "75 %")
    assert (bands["very unlikely"]["n"], bands["very unlikely"]["happened"]) == (1, "0 %")


def test_seventy_percent_sentence_reports_the_hit_rate() -> None:
    backtest = pd.DataFrame(
        {
            "model": CHAMPION,
            "horizon": 30,
            "origin": 2000,
            "p": [0.7] * 40,
            "y": [1.0] * 26 + [0.0] * 14,
        }
    )
    context = brief_context(seed_forecasts(), metrics=None, backtest=backtest, champion=CHAMPION)
    assert "it happened 65 % of the time (40 triggers" in context["quality"]["sentences"][0]


def test_other_models_backtest_rows_are_ignored() -> None:
    backtest = pd.concat(
        [backtest_predictions(100), backtest_predictions(100).assign(model="base_rate", y=1.0)]
    )
    context = brief_context(seed_forecasts(), metrics=None, backtest=backtest, champion=CHAMPION)
    assert sum(b["n"] for b in context["quality"]["bands"]) == 100


def test_skill_against_base_rate_comes_from_the_metrics_file() -> None:
    context = brief_context(seed_forecasts(), metrics=METRICS, backtest=None, champion=CHAMPION)
    rows = {(r["subset"].split(" ")[0], r["days"]): r for r in context["quality"]["skill"]}
    assert rows[("limited", 30)]["bss"] == "0.22 (0.18 to 0.26)"
    assert (
        rows[("all", 30)]["skill_text"] == "31 % lower squared error than the historical base rate"
    )


def test_missing_backtest_is_said_not_hidden() -> None:
    html = brief_html(seed_forecasts(), metrics=None, backtest=None)
    assert "No backtest results were available" in html


def test_build_brief_writes_html_without_pdf_when_asked(tmp_path: Path) -> None:
    files = build_brief(seed_forecasts(), tmp_path, champion=CHAMPION, pdf=False)
    assert files.html.exists() and files.pdf is None
    assert "Key judgments" in files.html.read_text()


def test_same_inputs_give_the_same_html() -> None:
    assert brief_html(seed_forecasts()) == brief_html(seed_forecasts())


# ---- commands --------------------------------------------------------------------------------


@pytest.fixture
def stand_in_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Forecaster.load` returns the stand-in instead of reading the registry."""
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))


SEED_CSV = (
    "incident_id,initiator,target,date,action,hostility,fatalities_target,notes\n"
    "2024-01-16-IRN-PAK,IRN,PAK,2024-01-16,attack,4,2,Iranian strikes in Balochistan\n"
    "2024-01-18-PAK-IRN,Pakistan,Iran,2024-01-18,attack,4,9,Marg Bar Sarmachar\n"
)


def test_predict_flags_print_a_readable_forecast(stand_in_registry: None) -> None:
    result = CliRunner().invoke(
        app,
        [
            "predict",
            "--initiator",
            "IRN",
            "--target",
            "PAK",
            "--date",
            "2024-01-16",
            "--action",
            "attack",
            "--hostility",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Pakistan is unlikely (20-45 %)" in result.output
    assert "DATA: REAL" in result.output


def test_predict_without_an_incident_explains_what_to_give(stand_in_registry: None) -> None:
    result = CliRunner().invoke(app, ["predict"])
    assert result.exit_code != 0
    assert "no incident given" in str(result.exception)


def test_numbers_in_the_brief_equal_predict_json(
    stand_in_registry: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents.csv").write_text(SEED_CSV)
    # What ingest leaves behind and `Forecaster.load` reads; the stand-in skips the load.
    sources = {"provenance": {"kind": "real", "content_hash": "0" * 64}, "coverage": {}}
    tables.path("sources", tmp_path).parent.mkdir(parents=True)
    tables.path("sources", tmp_path).write_text(json.dumps(sources))
    runner = CliRunner()
    predicted = runner.invoke(app, ["predict", "--input", "incidents.csv", "--format", "json"])
    assert predicted.exit_code == 0, predicted.output
    reported = runner.invoke(
        app, ["report", "--incidents", "incidents.csv", "--output-dir", "out", "--no-pdf"]
    )
    assert reported.exit_code == 0, reported.output
    html = (tmp_path / "out" / "brief.html").read_text()
    in_brief = [float(p) for p in re.findall(r'data-p="([\d.e-]+)"', html)]
    in_json = [v["p"] for f in json.loads(predicted.stdout) for v in f["horizons"].values()]
    assert in_brief == in_json
    numbers = json.loads((tmp_path / "out" / "forecasts.json").read_text())
    assert numbers["forecasts"] == json.loads(predicted.stdout)
    assert numbers["data"]["provenance"] == sources["provenance"]


def test_predict_output_file_holds_the_same_json_as_stdout(
    stand_in_registry: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents.csv").write_text(SEED_CSV)
    result = CliRunner().invoke(
        app,
        ["predict", "--input", "incidents.csv", "--format", "json", "--output", "out/f.json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "f.json").read_text()) == json.loads(result.stdout)


def test_predict_refuses_flags_and_a_file_together(stand_in_registry: None) -> None:
    result = CliRunner().invoke(app, ["predict", "--input", "x.csv", "--initiator", "IRN"])
    assert "either --input or the incident flags" in str(result.exception)
