"""reports/forecasts.json: every number the brief shows, in a file `git diff` and `dvc diff` read.

The brief is HTML and PDF; a reviewer who wants to know whether a rerun moved the 30-day chance
for an incident should not have to compare rendered pages. This file holds each incident's
forecast exactly as `Forecast.to_dict` (and `forecast predict --json`) gives it, with the
models that made it and the data they were trained on (the provenance and coverage ingest
recorded in sources.json). Keys are sorted and nothing in it depends on the clock, so two
runs on the same inputs write the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from forecast.core import tables
from forecast.core.atomic import write_text
from forecast.predict import Forecast, Forecaster
from forecast.predict.result import strict_json

FORECASTS_FILE_NAME = "forecasts.json"


def forecasts_record(
    forecasts: Sequence[Forecast], forecaster: Forecaster, sources: Mapping[str, Any]
) -> dict[str, Any]:
    """The file's content: models, data and one forecast per incident, in the brief's order."""
    timing = forecaster.timing_model
    return {
        "models": {
            "version": forecaster.model_version,
            "likelihood": getattr(forecaster.likelihood_model, "name", None),
            "timing": getattr(timing, "name", None) if timing is not None else None,
            "headline_horizon": forecaster.headline_horizon,
        },
        "data": {
            "provenance": sources.get("provenance"),
            "coverage": sources.get("coverage"),
        },
        "forecasts": [forecast.to_dict() for forecast in forecasts],
    }


def write_forecasts_json(
    forecasts: Sequence[Forecast],
    forecaster: Forecaster,
    output_dir: str | Path,
    root: Path | None = None,
) -> Path:
    """Write output_dir/forecasts.json atomically (sources.json read under `root`)."""
    record = forecasts_record(forecasts, forecaster, tables.read("sources", root))
    text = strict_json(record, sort_keys=True) + "\n"
    return write_text(Path(output_dir) / FORECASTS_FILE_NAME, text)
