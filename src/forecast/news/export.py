"""Coded incidents as tables: canonical rows, the hand-coded CSV layout, and forecastable ones.

The CSV written here has data/incidents/'s columns plus `coded_from`, `accepted` (no until a
person says yes), `confidence`, `low_confidence` and `evidence`, so the analyst can correct it
and pass it to `forecast predict --input` or add it to data/incidents/.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.core.atomic import write_csv
from forecast.news.article_days import ASSUMED_DAY, FORCE
from forecast.news.coder import CodingResult
from forecast.news.records import HANDCODED_COLUMNS, CodedIncident
from forecast.predict.incident import Incident, parse_incident


def canonical_rows(results: Sequence[CodingResult]) -> list[dict[str, Any]]:
    """Every proposed incident of every article, in the canonical columns plus the evidence."""
    return [incident.canonical_row() for result in results for incident in result.incidents]


def handcoded_frame(results: Sequence[CodingResult]) -> pd.DataFrame:
    """The proposed incidents in data/incidents/'s layout, in article then text order."""
    rows = [incident.handcoded_row() for result in results for incident in result.incidents]
    frame = pd.DataFrame(rows, columns=list(HANDCODED_COLUMNS))
    # Whole numbers of deaths stay whole in the CSV (a column with gaps would turn to float).
    deaths = ["fatalities_initiator", "fatalities_target"]
    return frame.astype({column: "Int64" for column in deaths})


def write_handcoded_csv(results: Sequence[CodingResult], path: Path) -> int:
    """Write the hand-coded layout CSV; returns the number of incidents written."""
    frame = handcoded_frame(results)
    write_csv(frame, path)
    return len(frame)


def forecastable(incidents: Sequence[CodedIncident]) -> tuple[list[Incident], list[str]]:
    """The incidents a forecast can be made for, and why each other one is left out.

    A forecast needs the day: an incident known only to the month, or whose day is the
    publication day because the report gives none (`forecast.news.article_days`), is left out
    (the analyst can set the day in the CSV and forecast it with --input) rather than forecast
    from a day nobody read.
    """
    ready: list[Incident] = []
    left_out: list[str] = []
    for coded in incidents:
        if coded.hostility < FORCE:
            left_out.append(f"{coded.incident_id}: a threat of force, a known event: not forecast")
            continue
        if coded.date_precision != "day":
            left_out.append(
                f"{coded.incident_id}: the article gives only the month; set the day in the "
                "CSV from --output and forecast it with --input"
            )
            continue
        if coded.evidence["date"].flag == ASSUMED_DAY:
            left_out.append(
                f"{coded.incident_id}: the article gives no day (the publication day is "
                "proposed); check the day in the CSV from --output and forecast it with --input"
            )
            continue
        row = coded.handcoded_row()
        record = {**row, "notes": "; ".join(coded.notes) or None}
        ready.append(parse_incident(record, f"{coded.article}, {coded.incident_id}"))
    return ready, left_out
