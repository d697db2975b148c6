"""Event-feed rows to incidents: map codes and actors by table, keep state-to-state force.

Every feed adapter (icews, icews_tkg, gdelt, polecat) turns its layout into one frame of
*feed events* (`FEED_EVENT_COLUMNS`): the row, the day, the event code and both actors as
(state, kind). `reduce_feed` then does the rest the same way for all of them, vectorised:

1. the code table (feed_event_codes.yaml) gives action, hostility and whether bare countries
   may take part; unmapped codes are not militarized actions;
2. both actors must be states; domestic events (same state) are not interstate;
3. force against a bare country inside a consented operation (consented_operations.yaml) is
   not force against that state;
4. a feed reports one event many times, so what is left becomes one incident per directed dyad,
   day and action (clashes: per undirected dyad, lower COW code first, as MIE codes them),
   with the number of reports in `notes`.

Every row read is either part of a kept incident or quarantined with its reason, and the file's
coverage is declared with its windows: the stretches the feed observed (docs/data-sources.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.core.contracts import QUARANTINE_COLUMNS, UNDIRECTED_ACTIONS, empty_quarantine
from forecast.core.countries import cow_to_iso3
from forecast.core.coverage import Coverage
from forecast.core.schemas import split_valid
from forecast.sources.base import SourceFile, SourceResult, combine, concat_quarantine, md5_of
from forecast.sources.feed_actors import AGENCY, COUNTRY

# Columns every adapter hands to `reduce_feed`.
FEED_EVENT_COLUMNS = (
    "_row",  # 1-based row within `_file`
    "_file",  # file (or member of an archive) the row was read from
    "date",  # datetime64, NaT when unreadable
    "_raw_date",  # the date as written
    "code",  # CAMEO code ("195") or PLOVER type[:mode] ("ASSAULT:aerial")
    "source_state",  # COW code (Int64) or missing
    "source_kind",  # country / agency / non_state
    "source_actor",  # the actor as written, for quarantine
    "target_state",
    "target_kind",
    "target_actor",
)


def feed_events(
    *,
    file: str | pd.Series,
    raw_date: pd.Series,
    when: pd.Series,
    code: pd.Series,
    source_actor: pd.Series,
    source: pd.DataFrame,
    target_actor: pd.Series,
    target: pd.DataFrame,
    rows: pd.Series | None = None,
) -> pd.DataFrame:
    """The feed-event frame (`FEED_EVENT_COLUMNS`) from an adapter's parsed columns;
    `source` and `target` are (state, kind) frames from forecast.sources.feed_actors."""

    def column(values: pd.Series) -> pd.Series:
        # Text stays in its own (often Arrow) storage: no Python string per row.
        return values.reset_index(drop=True)

    frame = pd.DataFrame(
        {
            "_row": np.arange(1, len(code) + 1) if rows is None else rows.to_numpy(),
            "date": when.to_numpy(dtype="datetime64[ns]"),
            "_raw_date": column(raw_date),
            "code": column(code),
            "source_state": source["state"].to_numpy(),
            "source_kind": pd.Categorical(source["kind"]),
            "source_actor": column(source_actor),
            "target_state": target["state"].to_numpy(),
            "target_kind": pd.Categorical(target["kind"]),
            "target_actor": column(target_actor),
        }
    ).astype({"source_state": "Int64", "target_state": "Int64"})
    frame.insert(1, "_file", file if isinstance(file, str) else file.to_numpy())
    return frame


def reduce_file(path: Path, events: pd.DataFrame, rules: FeedRules, *, source: str) -> FeedResult:
    """`reduce_feed` for a feed read from one file, named (with its md5) in the result."""
    return reduce_feed(
        events, rules, source=source, files=[SourceFile(path, md5_of(path))], rows_read=len(events)
    )


@dataclass
class FeedResult(SourceResult):
    """A feed's SourceResult plus the states it names at all (for measuring its recall):
    by any state actor (a country, an agency or a named force), and as a bare country."""

    states_seen: frozenset[int] = field(default_factory=frozenset)
    countries_seen: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class FeedRules:
    """The tables and declarations one feed file is reduced with."""

    codes: pd.DataFrame
    consented: pd.DataFrame
    scheme: str = "cameo"
    coverage: tuple[date | None, date | None] = (None, None)
    gap_days: int | None = None


def _lookup(values: pd.Series, keys: pd.Index) -> np.ndarray:
    """Position of each value in `keys` (-1 when absent), one hash look-up per distinct value."""
    codes, uniques = pd.factorize(values.astype("string").fillna(""), sort=False)
    where = keys.get_indexer(pd.Index(uniques))
    return np.where(np.asarray(codes) >= 0, where[np.asarray(codes)], -1)


def _codes_of_scheme(rules: FeedRules, events: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Row position of each event's code in the code table (-1 unmapped); PLOVER falls back
    from TYPE:mode to TYPE when the mode is not listed."""
    table = rules.codes[rules.codes["scheme"] == rules.scheme].reset_index(drop=True)
    keys = pd.Index(table["code"])
    position = _lookup(events["code"], keys)
    if rules.scheme == "plover":
        bare_type = events["code"].astype("string").str.split(":", n=1).str[0]
        position = np.where(position >= 0, position, _lookup(bare_type, keys))
    return position, table


def _consented(
    rules: FeedRules,
    initiator: np.ndarray,
    target: np.ndarray,
    year: np.ndarray,
    bare_target: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which events fall in a consented operation (loop over the few listed operations)."""
    hit = np.zeros(len(initiator), dtype=bool)
    why = np.full(len(initiator), "", dtype=object)
    for op in rules.consented.itertuples():
        match = (
            bare_target
            & (initiator == op.initiator)
            & (target == op.host)
            & (year >= op.first_year)
            & (year <= op.last_year)
            & ~hit
        )
        hit |= match
        why[match] = f"consented operation ({op.reason})"
    return hit, why


@dataclass
class _Mapped:
    """Each event's mapped code and actors as arrays, ready for the row rules."""

    mapped: np.ndarray
    action: np.ndarray
    hostility: np.ndarray
    between: np.ndarray
    src: np.ndarray
    tgt: np.ndarray
    src_agency: np.ndarray
    tgt_agency: np.ndarray
    src_country: np.ndarray
    tgt_country: np.ndarray
    when: np.ndarray


def _mapped(events: pd.DataFrame, rules: FeedRules) -> _Mapped:
    position, table = _codes_of_scheme(rules, events)
    safe = np.where(position >= 0, position, 0)
    return _Mapped(
        mapped=position >= 0,
        action=table["action"].to_numpy()[safe],
        hostility=table["hostility"].to_numpy()[safe],
        between=table["between"].to_numpy()[safe],
        src=events["source_state"].to_numpy(dtype="float64", na_value=np.nan),
        tgt=events["target_state"].to_numpy(dtype="float64", na_value=np.nan),
        src_agency=(events["source_kind"] == AGENCY).to_numpy(dtype=bool),
        tgt_agency=(events["target_kind"] == AGENCY).to_numpy(dtype=bool),
        src_country=(events["source_kind"] == COUNTRY).to_numpy(dtype=bool),
        tgt_country=(events["target_kind"] == COUNTRY).to_numpy(dtype=bool),
        when=events["date"].to_numpy(dtype="datetime64[ns]"),
    )


def _row_rules(
    events: pd.DataFrame, m: _Mapped, rules: FeedRules, span: tuple[date, date]
) -> tuple[list[tuple[np.ndarray, str, pd.Series, str | None]], np.ndarray]:
    """(fails, column, value shown, reason) per rule in order, and the consent reasons."""
    dated = ~np.isnat(m.when)
    inside = (m.when >= np.datetime64(span[0], "ns")) & (m.when <= np.datetime64(span[1], "ns"))
    year = np.where(dated, m.when.astype("datetime64[Y]").astype(int) + 1970, 0)
    agencies_only = (m.between == "state_agencies") & ~(m.src_agency & m.tgt_agency)
    bare_target = m.tgt_country & (m.action != "clash")
    consented, consent_reason = _consented(rules, m.src, m.tgt, year, bare_target)
    scheme = rules.scheme.upper()
    rules_in_order = [
        (~dated, "date", events["_raw_date"], "not a date"),
        (~inside, "date", events["_raw_date"], "outside the coverage declared for this file"),
        (
            ~m.mapped,
            "code",
            events["code"],
            f"{scheme} code not mapped to a militarized action (feed mapping)",
        ),
        (
            np.isnan(m.src),
            "source",
            events["source_actor"],
            "source actor is not a state (non-state, person or unknown)",
        ),
        (
            np.isnan(m.tgt),
            "target",
            events["target_actor"],
            "target actor is not a state (non-state, person or unknown)",
        ),
        (m.src == m.tgt, "target", events["target_actor"], "same state on both sides (domestic)"),
        (
            agencies_only,
            "code",
            events["code"],
            "code counts only between state agencies; a side is a bare country",
        ),
        (consented, "target", events["target_actor"], None),
    ]
    return rules_in_order, consent_reason


def reduce_feed(
    events: pd.DataFrame, rules: FeedRules, *, source: str, files: list[SourceFile], rows_read: int
) -> FeedResult:
    """One feed file's events as incidents, quarantine and coverage (see the module docstring)."""
    events = events.reset_index(drop=True)
    m = _mapped(events, rules)
    dated = ~np.isnat(m.when)
    span = _declared_span(rules.coverage, m.when[dated])
    failures, consent_reason = _row_rules(events, m, rules, span)
    # Each rejected row is recorded once, under the first rule it fails.
    reason_index = np.full(len(events), -1)
    for index in range(len(failures) - 1, -1, -1):
        reason_index[failures[index][0]] = index
    kept = reason_index < 0

    incidents, group_of_row, rejected_groups = _incidents(
        m.when[kept],
        m.action[kept],
        m.hostility[kept],
        m.src[kept],
        m.tgt[kept],
        m.tgt_agency[kept],
        source,
    )
    quarantine = _quarantine(events, failures, reason_index, consent_reason, source=source)
    kept_rows = kept.copy()
    if len(rejected_groups):
        lost = np.isin(group_of_row, rejected_groups.index.to_numpy())
        lost_positions = np.flatnonzero(kept)[lost]
        kept_rows[lost_positions] = False
        lost_records = _lost_records(
            events, lost_positions, group_of_row[lost], rejected_groups, source
        )
        quarantine = concat_quarantine([quarantine, lost_records])
    country_src = np.where(m.src_country, m.src, np.nan)
    country_tgt = np.where(m.tgt_country, m.tgt, np.nan)
    return FeedResult(
        source=source,
        incidents=incidents,
        quarantine=quarantine,
        rows_read=rows_read,
        rows_kept=int(kept_rows.sum()),
        rows_quarantined=rows_read - int(kept_rows.sum()),
        coverage=Coverage(
            span[0], span[1], windows=tuple(coverage_windows(m.when[dated], span, rules.gap_days))
        ),
        files=files,
        states_seen=_states_seen(m.src, m.tgt),
        countries_seen=_states_seen(country_src, country_tgt),
    )


def _states_seen(src: np.ndarray, tgt: np.ndarray) -> frozenset[int]:
    both = np.concatenate([src, tgt])
    return frozenset(np.unique(both[~np.isnan(both)]).astype(int).tolist())


def _declared_span(
    coverage: tuple[date | None, date | None], dates: np.ndarray
) -> tuple[date, date]:
    """The declared span, or the first to last dated row when the file declares none."""
    first = pd.Timestamp(dates.min()).date() if len(dates) else date(1970, 1, 1)
    last = pd.Timestamp(dates.max()).date() if len(dates) else date(1970, 1, 1)
    return coverage[0] or first, coverage[1] or last


def coverage_windows(
    dates: np.ndarray, span: tuple[date, date], gap_days: int | None
) -> list[tuple[date, date]]:
    """The stretches a feed observed: the declared span, cut wherever more than `gap_days`
    days in a row carry no record at all (a feed outage: those days are unknown, not quiet).
    """
    if gap_days is None:
        return [(span[0], span[1])]
    start, end = np.datetime64(span[0], "D"), np.datetime64(span[1], "D")
    days = np.unique(dates.astype("datetime64[D]"))
    days = days[(days >= start) & (days <= end)]
    if not len(days):
        return []
    cuts = np.flatnonzero(np.diff(days).astype(int) > gap_days + 1)
    firsts = days[np.concatenate([[0], cuts + 1])]
    lasts = days[np.concatenate([cuts, [len(days) - 1]])]
    # The span's own ends count as observed when the first or last record is close to them.
    if (firsts[0] - start).astype(int) <= gap_days:
        firsts[0] = start
    if (end - lasts[-1]).astype(int) <= gap_days:
        lasts[-1] = end
    return [
        (pd.Timestamp(a).date(), pd.Timestamp(b).date()) for a, b in zip(firsts, lasts, strict=True)
    ]


def _incidents(
    when: np.ndarray,
    action: np.ndarray,
    hostility: np.ndarray,
    src: np.ndarray,
    tgt: np.ndarray,
    agency_target: np.ndarray,
    source: str,
) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """One incident per (day, initiator, target, action), with the number of reports.

    Returns the valid incidents, each kept row's group number and the rejected groups' reasons.
    """
    undirected = np.isin(action, sorted(UNDIRECTED_ACTIONS))
    initiator = np.where(undirected, np.minimum(src, tgt), src).astype(np.int64)
    target = np.where(undirected, np.maximum(src, tgt), tgt).astype(np.int64)
    frame = pd.DataFrame(
        {
            "date": when,
            "initiator": initiator,
            "target": target,
            "action": action.astype(str),
            "hostility": hostility.astype(np.int64),
            "agency_target": agency_target | undirected,
        }
    )
    keys = ["date", "initiator", "target", "action"]
    grouped = frame.groupby(keys, sort=True, observed=True)
    group_of_row = grouped.ngroup().to_numpy()
    summary = grouped.agg(
        hostility=("hostility", "max"),
        reports=("hostility", "size"),
        agency_target=("agency_target", "max"),
    ).reset_index()
    day = summary["date"].dt.strftime("%Y%m%d")
    candidates = pd.DataFrame(
        {
            "incident_id": source
            + "-"
            + day
            + "-"
            + summary["initiator"].astype(str)
            + "-"
            + summary["target"].astype(str)
            + "-"
            + summary["action"],
            "source": source,
            "date": summary["date"],
            "date_precision": "day",
            "date_end": pd.NaT,
            "initiator": summary["initiator"],
            "target": summary["target"],
            "action": summary["action"],
            "hostility": summary["hostility"],
            "directed": ~summary["action"].isin(sorted(UNDIRECTED_ACTIONS)),
            "fatalities_initiator": pd.NA,
            "fatalities_target": pd.NA,
            "dispute_id": pd.NA,
            "location": pd.NA,
            "target_kind": np.where(summary["agency_target"], "state", "unknown"),
            "notes": "feed reports: " + summary["reports"].astype(str),
        }
    )
    candidates["initiator_iso3"] = cow_to_iso3(candidates["initiator"])
    candidates["target_iso3"] = cow_to_iso3(candidates["target"])
    outcome = split_valid(candidates, source=source, file="")
    rejected = (
        outcome.quarantine.groupby("row")["reason"].first()
        if len(outcome.quarantine)
        else pd.Series(dtype="string")
    )
    return outcome.valid, group_of_row, rejected


def _quarantine(
    events: pd.DataFrame,
    failures: list,
    reason_index: np.ndarray,
    consent_reason: np.ndarray,
    *,
    source: str,
) -> pd.DataFrame:
    """One record per rejected row, naming its first failed rule, in row order.

    Built as one frame by positions (no concatenation and re-sort), because a feed file of
    millions of rows quarantines most of them.
    """
    rejected = np.flatnonzero(reason_index >= 0)
    if not len(rejected):
        return empty_quarantine()
    rule = reason_index[rejected]
    columns = np.array([column for _, column, _, _ in failures], dtype=object)
    reasons = np.array([reason or "" for _, _, _, reason in failures], dtype=object)[rule]
    reasons = np.where(reasons == "", consent_reason[rejected], reasons)
    value = pd.Series(pd.NA, index=range(len(rejected)), dtype="string")
    for index, (_, _, values, _) in enumerate(failures):
        chosen = rule == index
        if chosen.any():
            value[chosen] = values.iloc[rejected[chosen]].astype("string").to_numpy()
    return pd.DataFrame(
        {
            "source": pd.array(np.full(len(rejected), source, dtype=object), dtype="string"),
            "file": pd.array(events["_file"].to_numpy()[rejected], dtype="string"),
            "row": pd.array(events["_row"].to_numpy()[rejected], dtype="Int64"),
            "column": pd.array(columns[rule], dtype="string"),
            "value": value.array,
            "reason": pd.array(reasons, dtype="string"),
        },
        columns=QUARANTINE_COLUMNS,
    )


def _lost_records(
    events: pd.DataFrame, positions: np.ndarray, groups: np.ndarray, reasons: pd.Series, source: str
) -> pd.DataFrame:
    """Rows whose incident failed validation: quarantined with the incident's reason."""
    return pd.DataFrame(
        {
            "source": source,
            "file": events["_file"].to_numpy()[positions],
            "row": pd.array(events["_row"].to_numpy()[positions], dtype="Int64"),
            "column": "",
            "value": pd.NA,
            "reason": reasons.reindex(groups).to_numpy(),
        },
        columns=QUARANTINE_COLUMNS,
    ).astype(
        {
            "source": "string",
            "file": "string",
            "column": "string",
            "value": "string",
            "reason": "string",
        }
    )


def merge_windows(windows: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Overlapping or touching windows as one (several files of one feed)."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(windows):
        if merged and (pd.Timestamp(first) - pd.Timestamp(merged[-1][1])).days <= 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def combine_feed(results: list[FeedResult], source: str) -> FeedResult:
    """One result from a feed's several files (e.g. yearly files); their windows merge. Files
    that overlap in time may give one incident id twice: it is kept once."""
    combined = combine(results, source)
    incidents = combined.incidents
    if len(results) > 1 and len(incidents):
        incidents = incidents.drop_duplicates("incident_id").reset_index(drop=True)
    windows = merge_windows([w for r in results for w in (r.coverage.windows or ())])
    fields = combined.__dict__ | {
        "incidents": incidents,
        "coverage": replace(combined.coverage, windows=tuple(windows), systematic=True),
    }
    return FeedResult(
        **fields,
        states_seen=frozenset().union(*(r.states_seen for r in results)),
        countries_seen=frozenset().union(*(r.countries_seen for r in results)),
    )


def file_label(path: Path, member: str | None = None) -> str:
    """How quarantine names a file, or a member of a zip or folder ("icews14.zip:train.txt")."""
    return f"{Path(path).name}:{member}" if member else Path(path).name
