"""ICB actor rows give trigger and major-response records; codes that are not days are months."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.core.schemas import validate_incidents
from forecast.sources.icb import read_icb

FIXTURE = Path(__file__).parent / "fixtures" / "icb_tiny.csv"


@pytest.fixture(scope="module")
def tiny() -> object:
    return read_icb(FIXTURE)


def test_actor_rows_in_equal_kept_plus_quarantined(tiny: object) -> None:
    assert (tiny.rows_read, tiny.rows_kept, tiny.rows_quarantined) == (4, 3, 1)


def test_trigger_runs_from_triggering_entity_to_crisis_actor(tiny: object) -> None:
    trigger = tiny.incidents.set_index("incident_id").loc["icb-1-1-trigger"]
    assert (trigger["initiator"], trigger["target"]) == (750, 770)
    assert (trigger["action"], trigger["hostility"]) == ("attack", 4)
    assert trigger["date"] == pd.Timestamp("2001-05-03")


def test_major_response_runs_from_crisis_actor_to_triggering_entity(tiny: object) -> None:
    response = tiny.incidents.set_index("incident_id").loc["icb-1-1-response"]
    assert (response["initiator"], response["target"]) == (770, 750)
    assert response["date"] == pd.Timestamp("2001-05-10")


def test_day_codes_that_are_not_days_give_month_precision(tiny: object) -> None:
    rows = tiny.incidents.set_index("incident_id")
    assert rows.loc["icb-1-2-trigger", "date"] == pd.Timestamp("2001-06-01")
    assert rows.loc["icb-1-2-trigger", "date_precision"] == "month"
    assert rows.loc["icb-1-2-response", "date_precision"] == "month"


def test_non_state_triggering_entity_is_quarantined(tiny: object) -> None:
    record = tiny.quarantine[tiny.quarantine["row"] == 3].iloc[0]
    assert record["column"] == "trigent"
    assert record["value"] == "996"


def test_missing_trigger_month_quarantines_the_trigger_but_keeps_the_response(
    tiny: object,
) -> None:
    ids = set(tiny.incidents["incident_id"])
    assert "icb-3-4-response" in ids
    assert "icb-3-4-trigger" not in ids
    reasons = tiny.quarantine[tiny.quarantine["row"] == 4]["reason"].tolist()
    assert reasons == ["missing or impossible date"]


@pytest.mark.real_data
def test_real_icb_actor_rows_are_all_accounted_for(real_data_dir: Path) -> None:
    result = read_icb(real_data_dir / "icb2_actor_level_v14.csv")
    assert result.rows_read == 1_078
    assert result.rows_kept + result.rows_quarantined == 1_078
    validate_incidents(result.incidents)
