"""reports/forecasts.json: the brief's numbers, the same bytes from run to run."""

from __future__ import annotations

import json
from pathlib import Path

from forecast.core import tables
from forecast.report.numbers import write_forecasts_json
from tests.test_predict import StandInTiming, incident, make_forecaster

SOURCES = {
    "banner": "DATA: REAL (mie; 2010-03-01 to 2013-08-01; hash 000000000000)",
    "coverage": {"mie": {"start": "2010-01-01", "end": "2014-12-31", "systematic": True}},
    "provenance": {"kind": "real", "sources": ["mie"], "content_hash": "0" * 64},
}


def _write(tmp_path: Path, folder: str) -> Path:
    tables.path("sources", tmp_path).parent.mkdir(parents=True, exist_ok=True)
    tables.path("sources", tmp_path).write_text(json.dumps(SOURCES))
    forecaster = make_forecaster(timing=StandInTiming(base_rate=0.05))
    batch = [incident(), incident(initiator="PAK", target="IRN", date="2024-01-18")]
    forecasts = forecaster.predict_many(batch)
    return write_forecasts_json(forecasts, forecaster, tmp_path / folder, root=tmp_path)


def test_two_runs_write_the_same_bytes(tmp_path: Path) -> None:
    first, second = _write(tmp_path, "one"), _write(tmp_path, "two")
    assert first.name == second.name == "forecasts.json"
    assert first.read_bytes() == second.read_bytes()


def test_the_file_holds_every_forecast_with_its_models_and_data(tmp_path: Path) -> None:
    written = json.loads(_write(tmp_path, "reports").read_text())
    forecaster = make_forecaster(timing=StandInTiming(base_rate=0.05))
    batch = [incident(), incident(initiator="PAK", target="IRN", date="2024-01-18")]
    expected = [f.to_dict() for f in forecaster.predict_many(batch)]
    assert written["forecasts"] == json.loads(json.dumps(expected))
    assert written["models"] == {
        "version": "stand-in v1",
        "likelihood": "stand_in_logit",
        "timing": "stand_in_exponential",
        "headline_horizon": 30,
    }
    assert written["data"] == {
        "provenance": SOURCES["provenance"],
        "coverage": SOURCES["coverage"],
    }


def test_keys_are_sorted_so_diffs_stay_small(tmp_path: Path) -> None:
    text = _write(tmp_path, "reports").read_text()
    assert text.endswith("}\n")
    assert json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text
    assert list(json.loads(text)) == ["data", "forecasts", "models"]
