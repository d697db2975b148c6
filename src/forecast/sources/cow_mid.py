"""COW MID 5.0 incidents (MIDI + MIDIP, 1992-2014) as directed dyads.

MIDIP lists each incident's participants and their sides but no directions, so dyads are built
(docs/data-sources.md): every participant whose own row codes a militarized action (action > 0)
is an initiator against every participant on the other side of the same incident, with action,
hostility, dates and fatalities from the initiator's own row. A participant with no militarized
action is only ever a target. Clashes stay one undirected row per pair (initiator = the lower COW
code), however many of the two rows code the clash. Participant rows that end up in no dyad are
quarantined with the reason.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from forecast.core.contracts import ACTIONS_BY_MID_CODE, UNDIRECTED_ACTIONS
from forecast.core.coverage import Coverage
from forecast.sources.base import (
    OTHER_ROW,
    ROW,
    SourceFile,
    SourceResult,
    finish,
    joined_id,
    md5_of,
    numeric_rows,
    quarantine_records,
    read_table_file,
)
from forecast.sources.mid_family import mid_family_incidents

SOURCE = "cow_mid"
MIDI_COLUMNS = ("dispnum", "incidnum", "styear", "endyear")
MIDIP_COLUMNS = (
    "dispnum",
    "incidnum",
    "ccode",
    "stday",
    "stmon",
    "styear",
    "endday",
    "endmon",
    "endyear",
    "insidea",
    "fatalpre",
    "action",
    "hostlev",
)
COVERAGE = Coverage(date(1992, 1, 1), date(2014, 12, 31))
_UNDIRECTED_CODES = [c for c, name in ACTIONS_BY_MID_CODE.items() if name in UNDIRECTED_ACTIONS]


def read_cow_mid(midi_path: Path, midip_path: Path) -> SourceResult:
    """Directed incidents from MIDI and MIDIP; rows are counted in MIDIP, the participant file."""
    midi_path, midip_path = Path(midi_path), Path(midip_path)
    midi = read_table_file(midi_path, MIDI_COLUMNS)
    participants = read_table_file(midip_path, MIDIP_COLUMNS)
    participants = numeric_rows(participants, MIDIP_COLUMNS)

    unknown_incident = ~participants["incidnum"].isin(midi["incidnum"])
    bad_side = ~participants["insidea"].isin([0, 1]).fillna(False)
    pre = [
        quarantine_records(
            participants.loc[unknown_incident, ROW],
            source=SOURCE,
            file=midip_path.name,
            column="incidnum",
            values=participants.loc[unknown_incident, "incidnum"].astype("string"),
            reason=f"incident number not found in {midi_path.name}",
        ),
        quarantine_records(
            participants.loc[bad_side & ~unknown_incident, ROW],
            source=SOURCE,
            file=midip_path.name,
            column="insidea",
            values=participants.loc[bad_side & ~unknown_incident, "insidea"].astype("string"),
            reason="side (insidea) must be 0 or 1",
        ),
    ]
    usable = participants[~unknown_incident & ~bad_side]
    candidates = participant_dyads(usable)
    return finish(
        candidates,
        source=SOURCE,
        file=midip_path.name,
        rows_read=len(participants),
        pre_quarantine=pd.concat(pre, ignore_index=True),
        unaccounted_reason=(
            "participant in no kept dyad: it took no militarized action, and no action "
            "against it from the other side was kept (see this incident's other rows)"
        ),
        coverage=COVERAGE,
        files=[
            SourceFile(midi_path, md5_of(midi_path)),
            SourceFile(midip_path, md5_of(midip_path)),
        ],
    )


def participant_dyads(participants: pd.DataFrame) -> pd.DataFrame:
    """Candidate incidents (canonical columns plus `_row`, `_other_row`) from MIDIP rows."""
    actors = participants[participants["action"].gt(0).fillna(False)]
    victims = participants[["incidnum", "ccode", "insidea", "fatalpre", ROW]].rename(
        columns={"ccode": "target", "insidea": "target_side", "fatalpre": "target_fatalpre"}
    )
    pairs = actors.merge(
        victims.rename(columns={ROW: OTHER_ROW}), on="incidnum", how="inner", sort=False
    )
    pairs = pairs[pairs["insidea"] != pairs["target_side"]].rename(columns={"ccode": "initiator"})
    pairs = pairs.sort_values([ROW, OTHER_ROW], kind="stable")
    pairs = _one_row_per_mutual_pair(pairs)

    ids = joined_id("mid-", pairs["incidnum"], pairs["initiator"], pairs["target"])
    return mid_family_incidents(
        pairs,
        source=SOURCE,
        ids=ids,
        initiator="initiator",
        target="target",
        fatalities=(
            _known_fatalities(pairs["fatalpre"]),
            _known_fatalities(pairs["target_fatalpre"]),
        ),
        dispute="dispnum",
        mutual_suffix="-mutual",
        internal={OTHER_ROW: pairs[OTHER_ROW]},
    ).reset_index(drop=True)


def _one_row_per_mutual_pair(pairs: pd.DataFrame) -> pd.DataFrame:
    """Collapse clash rows to one per incident and pair, seen from the lower COW code.

    When both participants code the clash, the lower code's own row is kept, so the row's
    dates and hostility are that participant's and the other row is still counted as used.
    """
    mutual = pairs["action"].isin(_UNDIRECTED_CODES).fillna(False)
    clashes = pairs[mutual].copy()
    flip = clashes["initiator"] > clashes["target"]
    swapped = clashes.loc[flip]
    clashes.loc[flip, ["initiator", "target"]] = swapped[["target", "initiator"]].to_numpy()
    clashes.loc[flip, ["fatalpre", "target_fatalpre"]] = swapped[
        ["target_fatalpre", "fatalpre"]
    ].to_numpy()
    clashes.loc[flip, [ROW, OTHER_ROW]] = swapped[[OTHER_ROW, ROW]].to_numpy()
    clashes = clashes.assign(_flipped=flip).sort_values(
        ["incidnum", "initiator", "target", "_flipped"], kind="stable"
    )
    clashes = clashes.drop_duplicates(["incidnum", "initiator", "target"], keep="first")
    return pd.concat([pairs[~mutual], clashes.drop(columns="_flipped")]).sort_values(
        [ROW, OTHER_ROW], kind="stable"
    )


def _known_fatalities(fatalpre: pd.Series) -> pd.Series:
    """MID's precise fatality count, missing where it is coded -9 (unknown)."""
    return fatalpre.where(fatalpre.ge(0).fillna(False)).astype("Float64")
