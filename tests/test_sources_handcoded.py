"""The hand-coded incident files in data/incidents/ are valid, sourced and declare coverage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from forecast.core.schemas import validate_incidents
from forecast.sources.handcoded import read_handcoded

from .conftest import REPO_ROOT


@pytest.fixture(scope="module")
def handcoded() -> object:
    return read_handcoded(REPO_ROOT / "data" / "incidents")


def test_every_hand_coded_row_is_kept(handcoded: object) -> None:
    assert handcoded.rows_quarantined == 0
    assert handcoded.rows_kept == handcoded.rows_read > 0
    validate_incidents(handcoded.incidents)


def test_the_january_2024_iran_pakistan_exchange_is_coded(handcoded: object) -> None:
    rows = handcoded.incidents
    exchange = rows[rows["dispute_id"] == "iran-pakistan-2024-01"].sort_values("date")
    assert list(zip(exchange["initiator_iso3"], exchange["target_iso3"], strict=True)) == [
        ("IRN", "PAK"),
        ("PAK", "IRN"),
    ]
    assert list(exchange["date"]) == [pd.Timestamp("2024-01-16"), pd.Timestamp("2024-01-18")]
    assert list(exchange["fatalities_target"]) == [2.0, 9.0]
    assert set(exchange["target_kind"]) == {"non_state"}


def test_every_row_names_who_reported_it(handcoded: object) -> None:
    assert handcoded.incidents["notes"].str.contains("reported_by: ").all()


def test_the_folder_declares_its_coverage(handcoded: object) -> None:
    assert handcoded.coverage.end == date(2024, 12, 31)
    assert handcoded.incidents["date"].max() <= pd.Timestamp(handcoded.coverage.end)


def test_only_the_checked_outcome_is_stated(handcoded: object) -> None:
    # Pakistan's strike on Iran was looked for and not answered to the end of April 2024; the
    # other rows state no such check (their answers, where known, are coded rows).
    rows = handcoded.incidents.set_index("incident_id")["outcome_checked_until"]
    assert rows.dropna().to_dict() == {"hand-2024-01-18-PAK-IRN": pd.Timestamp("2024-04-30")}


def test_hand_coded_labels_say_only_what_the_files_state(handcoded: object) -> None:
    from forecast.core.config import EpisodeParams
    from forecast.episodes import build_episodes

    episodes = build_episodes(
        handcoded.incidents,
        EpisodeParams(),
        {"handcoded": handcoded.coverage.end},
        selective_sources={"handcoded"},
    ).set_index("episode_id")
    labels = episodes[[f"retaliated_{h}d" for h in (7, 30, 90, 365)]].astype(object)
    labels = labels.where(labels.notna(), None)
    assert labels.loc["hand-2019-02-27-PAK-IND:770>750"].tolist() == [None] * 4
    assert labels.loc["hand-2024-01-18-PAK-IRN:770>630"].tolist() == [False, False, False, None]
    assert labels.loc["hand-2024-01-16-IRN-PAK:630>770"].tolist() == [True] * 4


def test_the_brief_reads_the_same_incidents_as_ingest(handcoded: object) -> None:
    """read_incidents (the brief, `forecast predict --input`) goes through the same adapter."""
    from forecast.predict import read_incidents

    read = read_incidents(REPO_ROOT / "data" / "incidents")
    rows = handcoded.incidents
    assert [i.incident_id for i in read] == rows["incident_id"].tolist()
    assert [i.notes for i in read] == rows["notes"].tolist()
    assert all(i.incident_id.startswith("hand-") for i in read)
    assert all("reported_by: " in (i.notes or "") for i in read)
    assert [(i.initiator, i.target, i.date) for i in read] == list(
        zip(rows["initiator"], rows["target"], rows["date"], strict=True)
    )


def _exchange_with(tmp_path: Path, line: int, old: str, new: str) -> Path:
    """A hand-coded folder holding the 2024 exchange with one row's text changed."""
    folder = REPO_ROOT / "data" / "incidents"
    (tmp_path / "handcoded.yaml").write_text((folder / "handcoded.yaml").read_text())
    lines = (folder / "iran_pakistan_2024.csv").read_text().splitlines()
    lines[line] = lines[line].replace(old, new, 1)
    (tmp_path / "exchange.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "exchange.csv"


def test_a_bad_hand_coded_row_names_file_row_and_column(tmp_path: Path) -> None:
    from forecast.core.errors import ForecastError
    from forecast.predict import read_incidents

    path = _exchange_with(tmp_path, 2, ",PAK,IRN,", ",PAK,Atlantis,")
    with pytest.raises(ForecastError, match=r"^exchange\.csv row 2, target: unknown country"):
        read_incidents(path)
    with pytest.raises(ForecastError, match=r"^exchange\.csv row 2, target"):
        read_incidents(tmp_path)


def test_a_hand_coded_threat_is_read_as_a_known_event(tmp_path: Path) -> None:
    """The adapter keeps threats (ingest counts them); a forecast reads them as known events
    (history and as-of evidence), never as triggers."""
    from forecast.predict import read_incidents

    path = _exchange_with(tmp_path, 1, ",attack,4,", ",threat_to_use_force,2,")
    read = read_incidents(path)
    assert [incident.is_force for incident in read][:1] == [False]
