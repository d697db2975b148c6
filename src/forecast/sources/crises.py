"""Crisis triggers that label episodes: ICB's violent acts by a state, from the incident table.

ICB is ingested beside the model sources but never modelled (`forecast.core.config`,
`LABEL_SOURCES`): its trigger records say which uses of force opened a crisis, and
`forecast.episodes.crisis_flags` turns them into each trigger's `crisis` flag. Kept apart from
the ICB adapter so that ingest, which imports the adapter, does not depend on the episode code.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.core.coverage import Coverage
from forecast.episodes import CrisisTriggers
from forecast.sources.icb import SOURCE, TRIGGER, TRIGGER_ACTIONS, VIOLENT_ACT


def crisis_triggers(
    incidents: pd.DataFrame, coverage: Mapping[str, Coverage]
) -> CrisisTriggers | None:
    """ICB's violent acts by a state that triggered an actor's crisis, from the incident table.

    The trigger records of actor rows with trigger type 9 (violent act) whose triggering entity
    is a state (`read_icb` quarantines 995-997), over the span ICB's coverage declares in
    sources.json. None when ICB was not ingested (not in `data.sources`, or its file not
    found): no trigger can then be told to be a crisis opening or not.
    """
    covered = coverage.get(SOURCE)
    if covered is None or covered.start is None or covered.end is None:
        return None
    violent, _ = TRIGGER_ACTIONS[VIOLENT_ACT]
    records = incidents[
        incidents["source"].eq(SOURCE).to_numpy(dtype=bool)
        & incidents["incident_id"].str.endswith(f"-{TRIGGER}").to_numpy(dtype=bool)
        & incidents["action"].eq(violent).to_numpy(dtype=bool)
    ]
    acts = records[["initiator", "target", "date", "date_precision"]].reset_index(drop=True)
    return CrisisTriggers(acts, covered.start, covered.end)
