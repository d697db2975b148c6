"""Find the real source files and record their paths and md5, or that the synthetic world is used.

The plan made here is the one ingest follows: `forecast data ingest` plans again rather than
reading data/raw/manifest.json, so both stages decide alike from the same params and files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.errors import ForecastError
from forecast.sources.base import md5_of
from forecast.sources.feeds import feed_fingerprint
from forecast.sources.locate import BUILT_IN_SOURCES, LocatedFile, locate_source


@dataclass
class SourcePlan:
    """Which data an ingest will use: real sources (with their files) or the synthetic world."""

    mode: str  # "real" or "synthetic"
    located: dict[str, list[LocatedFile]] = field(default_factory=dict)
    missing: dict[str, list[LocatedFile]] = field(default_factory=dict)

    def manifest(self, params: Params) -> dict[str, object]:
        """Deterministic record of the files found (for DVC: same files, same bytes)."""
        feeds = {feed.name: feed_fingerprint(feed, params.data) for feed in params.data.feeds}
        if self.mode == "synthetic":
            return {
                "mode": "synthetic",
                "note": "no real source file found: the embedded synthetic world is used",
                "seed": params.seed,
                "synthetic": params.data.synthetic.model_dump(),
                **({"feeds": feeds} if feeds else {}),
            }
        return {
            **({"feeds": feeds} if feeds else {}),
            "mode": "real",
            "sources": {
                source: {
                    f.spec.key: {"path": f.path.as_posix(), "md5": md5_of(f.path)}
                    for f in files
                    if f.path is not None
                }
                for source, files in sorted(self.located.items())
            },
            "missing": sorted(self.missing),
        }


def plan_sources(params: Params, *, allow_download: bool = True) -> SourcePlan:
    """Decide between real sources and the synthetic world, per `data.mode`."""
    data = params.data
    if data.mode == "synthetic":
        return SourcePlan("synthetic")
    located: dict[str, list[LocatedFile]] = {}
    missing: dict[str, list[LocatedFile]] = {}
    for source in data.sources:
        if source in BUILT_IN_SOURCES:
            continue
        files = locate_source(source, data, allow_download=allow_download)
        (located if all(f.found for f in files) else missing)[source] = files
    if data.mode == "real" and missing:
        where = "; ".join(
            f"{f.spec.key} (looked in {', '.join(f.looked_in)})"
            for files in missing.values()
            for f in files
            if not f.found
        )
        raise ForecastError(
            f"data.mode is real but these source files were not found: {where}. Set "
            "FORECAST_DATA_DIR, put the files in data/external/, or name them in data.paths"
        )
    if not located:
        return SourcePlan("synthetic", missing=missing)
    return SourcePlan("real", located=located, missing=missing)


def run_fetch(params: Params) -> SourcePlan:
    """Find the real source files and record their paths and checksums in
    data/raw/manifest.json (or that the embedded synthetic world will be used)."""
    plan = plan_sources(params)
    tables.write("manifest", plan.manifest(params))
    return plan
