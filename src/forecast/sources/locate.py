"""Where each real source file is looked for, and fetching it when allowed.

Look-up order for every file: an explicit path in params.yaml (`data.paths.<key>`), then
`data/external/`, then the folder in $FORECAST_DATA_DIR, then (only when `data.download` is true)
the producer's address, checked against a pinned md5 so a changed or corrupted download is
refused instead of silently changing every number downstream.
"""

from __future__ import annotations

import shutil
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from forecast.config import DataParams
from forecast.errors import DataFileError, ForecastError
from forecast.paths import shared_data_dir
from forecast.sources.base import md5_of

DOWNLOAD_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class SourceFileSpec:
    """One file a source needs: accepted names and, where pinned, a download address."""

    key: str
    source: str
    names: tuple[str, ...]
    url: str | None = None
    md5: str | None = None


# The MIE address is a public copy of the authors' release at a fixed commit; its md5 equals the
# md5 of mie-1.0.csv inside the producer's events.zip, so the checksum pins the producer's bytes.
MIE_URL = (
    "https://raw.githubusercontent.com/milesdwilliams15/Teaching/"
    "d021e2ae3aea3a044b579c877c7f23d7c0bd4962/DPR%20190/Data/events/mie-1.0.csv"
)
MIE_MD5 = "0e1b048bab9baa74a933f7d94ff8ca67"

SOURCE_FILES: dict[str, tuple[SourceFileSpec, ...]] = {
    "mie": (
        SourceFileSpec("mie", "mie", ("mie_events_v1.0.csv", "mie-1.0.csv"), MIE_URL, MIE_MD5),
    ),
    "cow_mid": (
        SourceFileSpec("cow_mid_midi", "cow_mid", ("cow_mid5_incidents_midi.csv", "MIDI 5.0.csv")),
        SourceFileSpec(
            "cow_mid_midip",
            "cow_mid",
            ("cow_mid5_incident_participants_midip.csv", "MIDIP 5.0.csv"),
        ),
    ),
    "icb": (SourceFileSpec("icb", "icb", ("icb2_actor_level_v14.csv", "icb2v14.csv")),),
}
# Sources read from the repository itself rather than located.
BUILT_IN_SOURCES = ("handcoded",)


@dataclass(frozen=True)
class LocatedFile:
    """Where a file was found (or not), how, and every place that was tried."""

    spec: SourceFileSpec
    path: Path | None
    found_by: str | None
    looked_in: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.path is not None


def specs_for(source: str) -> tuple[SourceFileSpec, ...]:
    """The files a source needs; an unknown source name is the user's to fix."""
    if source not in SOURCE_FILES:
        known = ", ".join([*SOURCE_FILES, *BUILT_IN_SOURCES])
        raise ForecastError(f"unknown data source {source!r} in params.yaml; known: {known}")
    return SOURCE_FILES[source]


def places(spec: SourceFileSpec, data: DataParams) -> list[tuple[str, Path]]:
    """The local places a file is looked for, in order, as (how, path)."""
    found: list[tuple[str, Path]] = []
    if spec.key in data.paths:
        found.append(("params", Path(data.paths[spec.key]).expanduser()))
    found += [("external", Path(data.external_dir) / name) for name in spec.names]
    shared = shared_data_dir()
    if shared is not None:
        found += [("FORECAST_DATA_DIR", shared / name) for name in spec.names]
    return found


def locate_file(
    spec: SourceFileSpec, data: DataParams, *, allow_download: bool = True
) -> LocatedFile:
    """Find one file by the look-up order; download it only when params allow it."""
    tried = places(spec, data)
    looked_in = [path.as_posix() for _, path in tried]
    for how, path in tried:
        if path.is_file():
            return LocatedFile(spec, path, how, tuple(looked_in))
        if how == "params":
            raise DataFileError(
                path,
                f"named by data.paths.{spec.key} in params.yaml but not found",
                "fix the path or remove the entry",
            )
    if spec.url:
        looked_in.append(spec.url)
        if data.download and allow_download:
            target = Path(data.external_dir) / spec.names[0]
            download(spec.url, target, expected_md5=spec.md5)
            return LocatedFile(spec, target, "download", tuple(looked_in))
    return LocatedFile(spec, None, None, tuple(looked_in))


def locate_source(
    source: str, data: DataParams, *, allow_download: bool = True
) -> list[LocatedFile]:
    """Every file of a source, located."""
    return [locate_file(spec, data, allow_download=allow_download) for spec in specs_for(source)]


def download(url: str, target: Path, *, expected_md5: str | None) -> Path:
    """Fetch `url` into `target`, refusing it unless its md5 matches the pinned one."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
            partial.open("wb") as handle,
        ):
            shutil.copyfileobj(response, handle)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ForecastError(
            f"download of {url} failed ({exc}); place the file in {target.parent} instead"
        ) from exc
    actual = md5_of(partial)
    if expected_md5 and actual != expected_md5:
        partial.unlink(missing_ok=True)
        raise ForecastError(
            f"download of {url} has md5 {actual}, expected {expected_md5}: the file changed "
            "at its source; it was not used"
        )
    partial.replace(target)
    return target
