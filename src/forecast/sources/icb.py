"""International Crisis Behavior (ICB) actor level, v14: crisis triggers and major responses.

ICB is crisis-level, not event-level (docs/data-sources.md): each actor row gives at most two
records, the act that triggered the actor's crisis (triggering entity -> actor, on the actor's
trigger date) and the actor's major response (actor -> triggering entity, on the response date).
Neither says what else happened between the two, so ICB can date crisis onsets and first
answers but cannot label retaliation within a horizon. It is ingested only to label triggers:
its violent acts by a state that opened a crisis give each trigger its `crisis` flag
(`forecast.sources.crises`). It is never a model source: its records are never triggers,
answers or history.

The trigger and response type codes are mapped to MID-style actions and hostility as read from
the ICB codebook (not verified against the codebook file here): violent acts are attacks
(hostility 4), non-violent military acts shows of force (3), anything else `other` (1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from forecast.core.coverage import Coverage
from forecast.sources.base import (
    ROW,
    SourceResult,
    finish_file,
    joined_id,
    numeric_rows,
    quarantine_records,
    read_table_file,
    state_incidents,
)
from forecast.sources.dates import CodedDate, coded_date

SOURCE = "icb"
COLUMNS = (
    "crisno",
    "cracno",
    "cracid",
    "crisname",
    "triggr",
    "yrtrig",
    "motrig",
    "datrig",
    "trigent",
    "majres",
    "yerres",
    "monres",
    "dayres",
)
COVERAGE = Coverage(date(1918, 1, 1), date(2017, 12, 31))
# ICB's triggering-entity codes for non-state actors and multiple sources, not COW states.
NON_STATE_ENTITIES = (995, 996, 997)
NO_RESPONSE = 1
# Trigger type of a violent act: the crisis openings that label triggers (forecast.sources.crises).
VIOLENT_ACT = 9
# A record's kind ends its incident id: icb-{crisno}-{cracno}-trigger|response.
TRIGGER, RESPONSE = "trigger", "response"

# (action, hostility) by ICB code; codes missing here read as ("other", 1).
TRIGGER_ACTIONS: dict[int, tuple[str, int]] = {
    7: ("show_of_force", 3),  # non-violent military act
    8: ("other", 3),  # indirect violent act: violence not aimed at the actor itself
    9: ("attack", 4),  # violent act
}
RESPONSE_ACTIONS: dict[int, tuple[str, int]] = {
    6: ("show_of_force", 3),  # non-violent military act
    7: ("other", 3),  # multiple acts, none violent military
    8: ("attack", 4),  # violent military act
    9: ("attack", 4),  # multiple acts including a violent military act
}


def read_icb(path: Path) -> SourceResult:
    """Trigger and major-response records from ICB2; a row is kept if either record is."""
    path = Path(path)
    raw = read_table_file(path, COLUMNS)
    actors = numeric_rows(raw, [c for c in COLUMNS if c != "crisname"])
    actors = actors.assign(crisname=raw["crisname"].astype("string"))
    non_state = actors["trigent"].isin(NON_STATE_ENTITIES).fillna(False)
    no_response = actors["majres"].eq(NO_RESPONSE).fillna(False)
    pre = [
        quarantine_records(
            actors.loc[non_state, ROW],
            source=SOURCE,
            file=path.name,
            column="trigent",
            values=actors.loc[non_state, "trigent"].astype("string"),
            reason=(
                "triggering entity is non-state or multiple (995-997): neither the trigger's "
                "initiator nor the response's target is a state"
            ),
        ),
        quarantine_records(
            actors.loc[no_response & ~non_state, ROW],
            source=SOURCE,
            file=path.name,
            column="majres",
            values="1",
            reason="no major response (majres 1): trigger record only",
        ),
    ]
    states = actors[~non_state]
    candidates = pd.concat(
        [_triggers(states), _responses(states[~no_response[~non_state]])], ignore_index=True
    ).sort_values([ROW, "incident_id"], kind="stable")
    return finish_file(
        candidates,
        source=SOURCE,
        path=path,
        rows_read=len(raw),
        coverage=COVERAGE,
        pre_quarantine=pd.concat(pre, ignore_index=True),
    )


def _triggers(actors: pd.DataFrame) -> pd.DataFrame:
    """The act that triggered each actor's crisis: triggering entity -> crisis actor."""
    return _records(
        actors,
        kind=TRIGGER,
        initiator=actors["trigent"],
        target=actors["cracid"],
        when=coded_date(actors["yrtrig"], actors["motrig"], actors["datrig"]),
        code=actors["triggr"],
        actions=TRIGGER_ACTIONS,
    )


def _responses(actors: pd.DataFrame) -> pd.DataFrame:
    """Each actor's major response, taken as aimed at the entity that triggered its crisis."""
    return _records(
        actors,
        kind=RESPONSE,
        initiator=actors["cracid"],
        target=actors["trigent"],
        when=coded_date(actors["yerres"], actors["monres"], actors["dayres"]),
        code=actors["majres"],
        actions=RESPONSE_ACTIONS,
    )


def _records(
    actors: pd.DataFrame,
    *,
    kind: str,
    initiator: pd.Series,
    target: pd.Series,
    when: CodedDate,
    code: pd.Series,
    actions: dict[int, tuple[str, int]],
) -> pd.DataFrame:
    known = code.notna()
    action = code.map({c: a for c, (a, _) in actions.items()}).astype("string")
    action = action.fillna("other").where(known)
    hostility = code.map({c: h for c, (_, h) in actions.items()}).astype("Int64")
    hostility = hostility.fillna(1).where(known)
    return state_incidents(
        incident_id=joined_id("icb-", actors["crisno"], actors["cracno"]) + f"-{kind}",
        source=SOURCE,
        start=when,
        date_end=pd.NaT,
        initiator=initiator,
        target=target,
        action=action,
        hostility=hostility,
        directed=True,
        fatalities_initiator=pd.NA,
        fatalities_target=pd.NA,
        dispute_id="icb-" + actors["crisno"].astype("string"),
        row=actors[ROW],
        notes=f"ICB {kind}: " + actors["crisname"].fillna(""),
    )
