"""What MIE and COW MID rows share: start and end date columns, MID action codes, hostility.

Both datasets come from the same project and code an event's dates, action and hostility in the
same columns, so they become canonical incidents by one rule; each adapter adds only what is
its own (how rows pair into dyads, which fatality counts to trust, how ids are made).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.core.contracts import ACTIONS_BY_MID_CODE, UNDIRECTED_ACTIONS
from forecast.sources.base import ACTION_CODE, ROW, state_incidents
from forecast.sources.dates import coded_date, end_not_before_start


def mid_actions(code: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(action, undirected) from MID action codes; clashes and war battles have no direction."""
    action = code.map(ACTIONS_BY_MID_CODE).astype("string")
    return action, action.isin(sorted(UNDIRECTED_ACTIONS)).fillna(False)


def mid_family_incidents(
    rows: pd.DataFrame,
    *,
    source: str,
    ids: pd.Series,
    initiator: str,
    target: str,
    fatalities: tuple[pd.Series, pd.Series],
    dispute: str,
    mutual_suffix: str = "",
    internal: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Candidate incidents from rows with MID's date, `action` and `hostlev` columns.

    `initiator`, `target` and `dispute` name the rows' columns; `fatalities` holds the
    (initiator, target) counts the adapter trusts. Undirected rows get `mutual_suffix` on their
    id, for sources where a pair's clash would otherwise share an id with a directed row.
    """
    start = coded_date(rows["styear"], rows["stmon"], rows["stday"])
    end = end_not_before_start(start.when, rows["endyear"], rows["endmon"], rows["endday"])
    action, undirected = mid_actions(rows["action"])
    return state_incidents(
        incident_id=ids.where(~undirected, ids + mutual_suffix),
        source=source,
        start=start,
        date_end=end,
        initiator=rows[initiator],
        target=rows[target],
        action=action,
        hostility=rows["hostlev"],
        directed=~undirected,
        fatalities_initiator=fatalities[0],
        fatalities_target=fatalities[1],
        dispute_id=rows[dispute].astype("string"),
        row=rows[ROW],
        internal={ACTION_CODE: rows["action"].astype("string"), **(internal or {})},
    )
