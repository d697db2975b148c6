"""The event feeds on the real ICEWS files in $FORECAST_DATA_DIR/event_feeds (data README)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from forecast.core.config import DataParams
from forecast.sources.agreement import agreement_with_mie
from forecast.sources.feed_reduce import FeedResult
from forecast.sources.feeds import load_feed_spec, read_feed
from forecast.sources.mie import read_mie

from .conftest import REPO_ROOT

pytestmark = pytest.mark.real_data

# Rows and coverage as the data README lists them.
SLICES = {
    "icews14": (90_730, date(2014, 1, 1), date(2014, 12, 31)),
    "icews18": (468_558, date(2018, 1, 1), date(2018, 10, 31)),
    "icews21": (326_354, date(2021, 1, 1), date(2021, 8, 31)),
    "icews_sample": (3_705, date(2018, 6, 1), date(2018, 6, 2)),
}


@lru_cache(maxsize=4)
def feed(name: str, data_dir: Path) -> FeedResult:
    spec = load_feed_spec(REPO_ROOT / "data" / "feeds" / f"{name}.yaml")
    labels = str(data_dir / spec.labels) if spec.labels else None
    spec = spec.model_copy(update={"labels": labels})
    return read_feed(spec, DataParams(), path=data_dir / spec.file)


def force(result: FeedResult, a: str, b: str) -> pd.DataFrame:
    table = result.incidents
    pair = ((table["initiator_iso3"] == a) & (table["target_iso3"] == b)) | (
        (table["initiator_iso3"] == b) & (table["target_iso3"] == a)
    )
    return table[pair & (table["hostility"] >= 4)]


@pytest.mark.parametrize("name", sorted(SLICES))
def test_rows_read_equal_kept_plus_quarantined(name: str, real_data_dir: Path) -> None:
    result = feed(name, real_data_dir)
    rows, _, _ = SLICES[name]
    assert result.rows_read == rows
    assert result.rows_kept + result.rows_quarantined == rows
    assert result.quarantine["row"].notna().all()
    assert len(result.incidents) > 0


@pytest.mark.parametrize("name", sorted(SLICES))
def test_slices_cover_the_days_the_readme_lists(name: str, real_data_dir: Path) -> None:
    result = feed(name, real_data_dir)
    _, start, end = SLICES[name]
    reasons = result.quarantine["reason"]
    assert not reasons.str.contains("outside the coverage|not a date").any()
    # With a week of silence counted as an outage, each slice is observed end to end.
    assert result.coverage.windows == ((start, end),)
    assert result.incidents["date"].between(pd.Timestamp(start), pd.Timestamp(end)).all()


@pytest.mark.parametrize("day", ["2018-02-10", "2018-05-10"])
def test_israel_syria_strikes_in_2018(day: str, real_data_dir: Path) -> None:
    strikes = force(feed("icews18", real_data_dir), "ISR", "SYR")
    on_day = strikes[strikes["date"] == pd.Timestamp(day)]
    assert ((on_day["initiator_iso3"] == "ISR") & (on_day["action"] == "attack")).any()


def test_kyrgyzstan_tajikistan_clashes_in_april_2021(real_data_dir: Path) -> None:
    clashes = force(feed("icews21", real_data_dir), "KGZ", "TJK")
    days = clashes.loc[clashes["date"].between("2021-04-28", "2021-05-01"), "date"]
    assert days.nunique() >= 3


def test_india_pakistan_uses_of_force_in_2018(real_data_dir: Path) -> None:
    exchanges = force(feed("icews18", real_data_dir), "IND", "PAK")
    assert exchanges["date"].nunique() >= 20
    assert {"clash", "attack"} <= set(exchanges["action"])


def test_2014_slice_recall_against_mie_is_low_and_explained(real_data_dir: Path) -> None:
    slice14 = feed("icews14", real_data_dir)
    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    result = agreement_with_mie(mie.incidents, slice14)
    recall = result.overall.set_index("measure")["recall"]
    assert recall["dyad-day within 1 day"] < 0.10
    # The filtered slice lacks the country-level actors of most MIE dyads in 2014.
    assert result.reach["share_both_named_as_country"] < 0.5
    assert result.reach["recall_1d_where_both_named_as_country"] > recall["dyad-day within 1 day"]
