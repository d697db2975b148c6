"""The hand-coded incident files in data/incidents/ are valid, sourced and declare coverage."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from forecast.schema import validate_incidents
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
    assert handcoded.coverage_end == date(2024, 12, 31)
    assert handcoded.incidents["date"].max() <= pd.Timestamp(handcoded.coverage_end)


def test_only_the_checked_outcome_is_stated(handcoded: object) -> None:
    # Pakistan's strike on Iran was looked for and not answered to the end of April 2024; the
    # other rows state no such check (their answers, where known, are coded rows).
    rows = handcoded.incidents.set_index("incident_id")["outcome_checked_until"]
    assert rows.dropna().to_dict() == {"hand-2024-01-18-PAK-IRN": pd.Timestamp("2024-04-30")}


def test_hand_coded_labels_say_only_what_the_files_state(handcoded: object) -> None:
    from forecast.config import EpisodeParams
    from forecast.episodes import build_episodes

    episodes = build_episodes(
        handcoded.incidents,
        EpisodeParams(),
        {"handcoded": handcoded.coverage_end},
        selective_sources={"handcoded"},
    ).set_index("episode_id")
    labels = episodes[[f"retaliated_{h}d" for h in (7, 30, 90, 365)]].astype(object)
    labels = labels.where(labels.notna(), None)
    assert labels.loc["hand-2019-02-27-PAK-IND:770>750"].tolist() == [None] * 4
    assert labels.loc["hand-2024-01-18-PAK-IRN:770>630"].tolist() == [False, False, False, None]
    assert labels.loc["hand-2024-01-16-IRN-PAK:630>770"].tolist() == [True] * 4
