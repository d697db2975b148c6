"""The crisis flag: a trigger opened a crisis when ICB dates a violent act by its initiator
against its target on its day (or, dated to the month only, in its month); NA where ICB is silent.

The made-up ICB file `fixtures/icb_crises.csv` holds one case per rule: a violent act by India
against Pakistan on 3 May 2001 (day-dated), one by Pakistan against Iran in March 2002 (day
coded 77: month only), one by a non-state group against India (entity 996) and a non-violent
military act (type 7) by Iran against the United States.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from forecast.core.config import EpisodeParams, Params
from forecast.core.contracts import conform
from forecast.core.coverage import Coverage
from forecast.episodes import (
    CrisisCounts,
    CrisisTriggers,
    build_episodes,
    count_crises,
    crisis_flags,
)
from forecast.sources.crises import crisis_triggers
from forecast.sources.icb import read_icb

FIXTURE = Path(__file__).parent / "fixtures" / "icb_crises.csv"
USA, IRAN, INDIA, PAKISTAN = 2, 630, 750, 770


def uses_of_force(*rows: tuple[str, str, int, int], source: str = "test") -> pd.DataFrame:
    """Canonical day-dated attacks from (id, date, initiator, target) tuples."""
    ids, days, initiators, targets = zip(*rows, strict=True)
    return conform(
        pd.DataFrame(
            {
                "incident_id": list(ids),
                "source": source,
                "date": pd.to_datetime(list(days)),
                "date_precision": "day",
                "initiator": list(initiators),
                "target": list(targets),
                "action": "attack",
                "hostility": 4,
                "directed": True,
                "target_kind": "state",
            }
        )
    )


TRIGGERS = uses_of_force(
    ("day", "2001-05-03", INDIA, PAKISTAN),
    ("next-day", "2001-05-04", INDIA, PAKISTAN),
    ("reverse", "2001-05-03", PAKISTAN, INDIA),
    ("in-month", "2002-03-20", PAKISTAN, IRAN),
    ("next-month", "2002-04-02", PAKISTAN, IRAN),
    ("group-day", "2003-01-10", PAKISTAN, INDIA),
    ("display-day", "2004-04-04", IRAN, USA),
    ("before-icb", "1917-06-01", INDIA, PAKISTAN),
    ("after-icb", "2018-05-03", INDIA, PAKISTAN),
)


@pytest.fixture(scope="module")
def icb() -> pd.DataFrame:
    """The fixture's ICB records as ingest writes them into the incident table."""
    return read_icb(FIXTURE).incidents


@pytest.fixture(scope="module")
def crises(icb: pd.DataFrame) -> CrisisTriggers:
    found = crisis_triggers(icb, {"icb": Coverage(date(1918, 1, 1), date(2017, 12, 31))})
    assert found is not None
    return found


@pytest.fixture(scope="module")
def episodes(crises: CrisisTriggers) -> pd.DataFrame:
    return build_episodes(TRIGGERS, EpisodeParams(), {"test": date(2020, 12, 31)}, (), crises)


@pytest.fixture(scope="module")
def flags(episodes: pd.DataFrame) -> dict[str, bool | None]:
    """Each trigger's flag by incident id: True, False, or None where it is NA."""
    flag = episodes.set_index("incident_id")["crisis"]
    return {key: None if pd.isna(value) else bool(value) for key, value in flag.items()}


def test_only_violent_acts_by_a_state_are_crisis_triggers(crises: CrisisTriggers) -> None:
    acts = crises.acts
    assert list(zip(acts["initiator"], acts["target"], strict=True)) == [
        (INDIA, PAKISTAN),
        (PAKISTAN, IRAN),
    ]
    assert acts["date_precision"].tolist() == ["day", "month"]


def test_a_trigger_on_the_day_of_a_violent_crisis_trigger_in_its_direction_is_a_crisis(
    flags: dict[str, bool | None],
) -> None:
    assert flags["day"] is True


def test_the_next_day_is_not_a_crisis_trigger(flags: dict[str, bool | None]) -> None:
    """The initiator's later strikes, often after the target answered, open nothing."""
    assert flags["next-day"] is False


def test_force_by_the_crisis_actor_against_the_triggering_state_is_not_a_crisis_trigger(
    flags: dict[str, bool | None],
) -> None:
    assert flags["reverse"] is False


def test_an_act_dated_to_the_month_matches_every_trigger_of_that_month(
    flags: dict[str, bool | None],
) -> None:
    assert flags["in-month"] is True
    assert flags["next-month"] is False


def test_a_crisis_triggered_by_a_non_state_entity_labels_no_trigger(
    flags: dict[str, bool | None],
) -> None:
    assert flags["group-day"] is False


def test_a_non_violent_crisis_trigger_labels_no_trigger(flags: dict[str, bool | None]) -> None:
    assert flags["display-day"] is False


def test_outside_icb_coverage_the_flag_is_unknown(flags: dict[str, bool | None]) -> None:
    assert flags["before-icb"] is None
    assert flags["after-icb"] is None


def test_without_icb_every_flag_is_unknown(icb: pd.DataFrame) -> None:
    assert crisis_triggers(icb, {"mie": Coverage(date(1816, 1, 1), date(2014, 12, 31))}) is None
    episodes = build_episodes(TRIGGERS, EpisodeParams(), {"test": date(2020, 12, 31)})
    assert episodes["crisis"].dtype == "boolean"
    assert episodes["crisis"].isna().all()
    assert crisis_flags(episodes, None).isna().all()


def test_counts_say_how_many_triggers_and_dyads_were_matched(episodes: pd.DataFrame) -> None:
    counts = count_crises(episodes)
    assert (counts.crisis, counts.crisis_dyads) == (2, 2)
    assert (counts.limited_force, counts.limited_force_dyads) == (2, 2)
    assert (counts.not_crisis, counts.unknown) == (5, 2)


def test_the_episodes_stage_flags_triggers_and_keeps_icb_out_of_them(
    icb: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast.core import tables
    from forecast.stages.episodes import run_episodes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "interim").mkdir(parents=True)
    mie = uses_of_force(
        ("day", "2001-05-03", INDIA, PAKISTAN),
        ("later", "2001-06-09", INDIA, PAKISTAN),
        source="mie",
    )
    incidents = pd.concat([mie, icb], ignore_index=True).sort_values(["date", "incident_id"])
    incidents.to_parquet("data/interim/incidents.parquet", index=False)
    coverage = {
        "mie": {"start": "1816-01-01", "end": "2014-12-31"},
        "icb": {"start": "1918-01-01", "end": "2017-12-31"},
    }
    (tmp_path / "data" / "interim" / "sources.json").write_text(json.dumps({"coverage": coverage}))
    outcome = run_episodes(Params())
    episodes = tables.read("episodes").set_index("incident_id")
    assert set(episodes["source"]) == {"mie"}
    assert episodes["crisis"].to_dict() == {"day": True, "later": False}
    assert not any("icb" in warning for warning in outcome.warnings)
    assert "1 crisis triggers in 1 directed dyads" in outcome.summary


@pytest.mark.real_data
def test_on_the_real_data_146_mie_triggers_open_icb_crises(real_data_dir: Path) -> None:
    """The counts and answer rates docs/data-sources.md gives ("The crisis flag"), measured on
    MIE's triggers with ICB v14 as ingest reads them."""
    from forecast.sources.mie import read_mie

    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    icb = read_icb(real_data_dir / "icb2_actor_level_v14.csv")
    crises = crisis_triggers(icb.incidents, {"icb": icb.coverage})
    assert crises is not None
    assert crises.acts["date_precision"].value_counts().to_dict() == {"day": 293, "month": 5}
    assert (crises.acts["date"] <= "2014-12-31").sum() == 287
    episodes = build_episodes(mie.incidents, EpisodeParams(), {"mie": mie.coverage.end}, (), crises)
    assert count_crises(episodes) == CrisisCounts(
        crisis=146,
        crisis_dyads=101,
        limited_force=98,
        limited_force_dyads=76,
        not_crisis=14_490,
        unknown=4_662,
    )
    limited = episodes[episodes["limited_force"]]
    opened = limited[limited["crisis"].fillna(False)]
    other = limited[(~limited["crisis"]).fillna(False)]
    assert [opened[f"retaliated_{h}d"].count() for h in (7, 30)] == [96, 97]
    assert [round(opened[f"retaliated_{h}d"].mean(), 2) for h in (7, 30)] == [0.26, 0.45]
    assert [round(other[f"retaliated_{h}d"].mean(), 2) for h in (7, 30)] == [0.20, 0.41]
