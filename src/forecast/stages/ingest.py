"""Build the canonical incident table, quarantine and covariates from the configured sources.

Real files when they can be found, otherwise the embedded synthetic world, so the project runs
end to end on a fresh machine; hand-coded incidents and the user's CSV imports are added either
way. Every output says which of the two it rests on (forecast.core.provenance).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from tqdm.auto import tqdm

from forecast.core import tables
from forecast.core.config import CsvImport, DataParams, FeedParams, Params
from forecast.core.contracts import QUARANTINE_COLUMNS
from forecast.core.errors import ForecastError
from forecast.core.paths import shared_data_dir
from forecast.core.provenance import SYNTHETIC_SOURCE, DataProvenance, provenance_of
from forecast.core.tables import INCIDENTS_DIR
from forecast.sources.base import SourceResult, concat_quarantine
from forecast.sources.cow_mid import read_cow_mid
from forecast.sources.feeds import read_feed
from forecast.sources.handcoded import handcoded_files, read_handcoded
from forecast.sources.icb import read_icb
from forecast.sources.locate import LocatedFile
from forecast.sources.mie import read_mie
from forecast.sources.tabular import load_mapping, read_tabular
from forecast.stages.engine import chosen_engine
from forecast.stages.fetch import SourcePlan, plan_sources

if TYPE_CHECKING:
    from forecast.sources.synthetic.generate import SyntheticWorld


@dataclass
class IngestReport:
    """What an ingest read, kept and rejected, and which data the table rests on."""

    plan: SourcePlan
    results: list[SourceResult]
    incidents: pd.DataFrame
    quarantine: pd.DataFrame
    covariates: pd.DataFrame
    provenance: DataProvenance
    params_feeds: tuple[FeedParams, ...] = ()
    # One line each, for the user: e.g. an import read as selective for want of a coverage.
    warnings: tuple[str, ...] = ()

    @property
    def coverage(self) -> dict[str, dict[str, object]]:
        return {r.source: r.coverage.record() for r in self.results}


def read_located(source: str, files: list[LocatedFile]) -> SourceResult:
    """Read one real source from its located files."""
    paths = {f.spec.key: f.path for f in files}
    if source == "mie":
        return read_mie(paths["mie"])
    if source == "cow_mid":
        return read_cow_mid(paths["cow_mid_midi"], paths["cow_mid_midip"])
    if source == "icb":
        return read_icb(paths["icb"])
    raise ForecastError(f"no reader for source {source!r}")


def run_ingest(
    params: Params,
    *,
    engine: str | None = None,
    root: Path | None = None,
    show_progress: bool = False,
) -> IngestReport:
    """Read every source, validate, and write the interim tables and sources.json (under
    `root`, the working directory by default).

    `engine` (params' `engine` by default) is where event feeds are reduced: here or on Spark.
    `show_progress` draws a bar on a terminal only (tqdm's `disable=None`), so logs stay clean.
    The whole run holds ingest's lock, so a second ingest stops at once rather than after
    reading every source and renaming its files among this one's.
    """
    with tables.writing(tables.INGEST_SET, root):
        return _ingest(params, engine, root, show_progress)


def _ingest(
    params: Params, engine: str | None, root: Path | None, show_progress: bool
) -> IngestReport:
    feed_reader = _feed_reader(params, engine)
    plan = plan_sources(params)
    world: SyntheticWorld | None = _synthetic_world(params) if plan.mode == "synthetic" else None
    readers: list[Callable[[], SourceResult]] = (
        [functools.partial(read_located, source, files) for source, files in plan.located.items()]
        if world is None
        else [functools.partial(_world_result, world)]
    )
    if handcoded_files(INCIDENTS_DIR):
        readers.append(functools.partial(read_handcoded, INCIDENTS_DIR))
    imports = [(item, load_mapping(Path(item.mapping))) for item in params.data.csv_imports]
    readers += [
        functools.partial(read_tabular, Path(item.path), mapping) for item, mapping in imports
    ]
    readers += [functools.partial(feed_reader, feed, params.data) for feed in params.data.feeds]
    progress = tqdm(readers, desc="ingest", unit="source", disable=None if show_progress else True)
    results = [read() for read in progress]
    results = [_with_default_coverage(r) for r in results]

    incidents = _combine_incidents(results)
    quarantine = concat_quarantine(r.quarantine for r in results)[QUARANTINE_COLUMNS]
    covariates = world.covariates if world is not None else _real_covariates(incidents)
    provenance = provenance_of(incidents)
    report = IngestReport(
        plan,
        results,
        incidents,
        quarantine,
        covariates,
        provenance,
        tuple(params.data.feeds),
        tuple(_selective_warning(item) for item, mapping in imports if mapping.lacks_coverage),
    )
    write_outputs(report, root)
    return report


def _feed_reader(
    params: Params, engine: str | None
) -> Callable[[FeedParams, DataParams], SourceResult]:
    """The local feed reader, or Spark's (docs/spark.md), which loads only when chosen."""
    if chosen_engine(params, engine) != "spark":
        return read_feed
    from forecast.spark.feeds import spark_feed_reader
    from forecast.spark.session import spark_session

    return spark_feed_reader(spark_session(params.spark))


def _selective_warning(item: CsvImport) -> str:
    """Why an import's days do not extend the record, and how to make them (sources.mapping)."""
    return (
        f"{item.mapping} declares no coverage (start and end) for {item.path}: it is read as "
        "selective, its incidents known events that never extend the record; add `coverage: "
        "{start: YYYY-MM-DD, end: YYYY-MM-DD}` to it to make it systematic"
    )


def _combine_incidents(results: list[SourceResult]) -> pd.DataFrame:
    """All sources' incidents in (date, incident_id) order, each id used by one source only."""
    frames = [r.incidents for r in results if len(r.incidents)]
    if not frames:
        raise ForecastError("no incidents from any source: nothing to write")
    incidents = pd.concat(frames, ignore_index=True)
    duplicated = incidents["incident_id"][incidents["incident_id"].duplicated()]
    if len(duplicated):
        raise ForecastError(
            f"incident ids used by two sources, e.g. {', '.join(duplicated.head(3))}: give each "
            "CSV import its own id_prefix in its mapping file"
        )
    # Checked against the contract where it is written (forecast.core.tables), once.
    return incidents.sort_values(["date", "incident_id"], kind="stable").reset_index(drop=True)


def _with_default_coverage(result: SourceResult) -> SourceResult:
    """A source that declares no coverage covers its own first to last incident date."""
    if result.coverage.end is None and len(result.incidents):
        dates = result.incidents["date"]
        start = result.coverage.start or dates.min().date()
        result.coverage = replace(result.coverage, start=start, end=dates.max().date())
    return result


def _synthetic_world(params: Params) -> SyntheticWorld:
    from forecast.sources.synthetic.generate import generate_world

    return generate_world(params.data.synthetic, params.seed)


def _world_result(world: SyntheticWorld) -> SourceResult:
    """The synthetic world as a source: generated rows are canonical, so all are kept."""
    n = len(world.incidents)
    return SourceResult(
        source=SYNTHETIC_SOURCE,
        incidents=world.incidents,
        rows_read=n,
        rows_kept=n,
        rows_quarantined=0,
        coverage=world.coverage,
    )


def incident_dyads(incidents: pd.DataFrame) -> pd.DataFrame:
    """Both directions of every dyad in the incidents, as [ccode1, ccode2], sorted."""
    forward = incidents[["initiator", "target"]].set_axis(["ccode1", "ccode2"], axis=1)
    backward = incidents[["target", "initiator"]].set_axis(["ccode1", "ccode2"], axis=1)
    return (
        pd.concat([forward, backward], ignore_index=True)
        .drop_duplicates()
        .sort_values(["ccode1", "ccode2"], kind="stable")
        .reset_index(drop=True)
    )


def _real_covariates(incidents: pd.DataFrame) -> pd.DataFrame:
    from forecast.sources.covariates import build_covariates

    data_dir = shared_data_dir() or Path("data/external")
    return build_covariates(data_dir, incident_dyads(incidents))


def write_outputs(report: IngestReport, root: Path | None = None) -> None:
    """Write the incident table, quarantine, covariates and sources.json as one set.

    Each file whole or not at all, and the four together or refused by their readers
    (`forecast.core.tables.write_set`); quarantine.csv is opened in spreadsheets, so its cells
    cannot run as formulas there (`forecast.core.tables` writes it so and reads the values back).
    """
    tables.write_set(
        tables.INGEST_SET,
        {
            "incidents": report.incidents,
            "quarantine": report.quarantine,
            "covariates": report.covariates,
            "sources": sources_record(report),
        },
        root,
    )


def sources_record(report: IngestReport) -> dict[str, object]:
    """The content of sources.json: per source files, counts and coverage, plus provenance."""
    return {
        "mode": report.plan.mode,
        "banner": report.provenance.banner(),
        "provenance": report.provenance.as_dict(),
        "sources": {r.source: r.summary() for r in report.results},
        "coverage": report.coverage,
        "missing_sources": sorted(report.plan.missing),
        # Event feeds: whether each may extend history, and be triggers (ADR 0007).
        "feeds": {
            feed.name: {"format": feed.format, "history": feed.history, "triggers": feed.triggers}
            for feed in report.params_feeds
        },
    }
