"""Where each real source file is looked for, and fetching it when allowed.

Look-up order for every file: an explicit path in params.yaml (`data.paths.<key>`), then
`data/external/`, then the folder in $FORECAST_DATA_DIR, then (only when `data.download` is true)
the producer's address, checked against a pinned sha256 so a changed or corrupted download is
refused instead of silently changing every number downstream. A file placed by hand is compared
with the same pin: when its bytes differ (another release, a local edit) a warning says so, and
the file is still used.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from forecast.core.config import DataParams
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.paths import shared_data_dir

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class SourceFileSpec:
    """One file a source needs: accepted names and, where pinned, a download address."""

    key: str
    source: str
    names: tuple[str, ...]
    url: str | None = None
    sha256: str | None = None


# The MIE address is a public copy of the authors' release at a fixed commit; its md5
# (0e1b048bab9baa74a933f7d94ff8ca67) equals the md5 of mie-1.0.csv inside the producer's
# events.zip, and the sha256 below is that of the same bytes, so it pins the producer's file.
MIE_URL = (
    "https://raw.githubusercontent.com/milesdwilliams15/Teaching/"
    "d021e2ae3aea3a044b579c877c7f23d7c0bd4962/DPR%20190/Data/events/mie-1.0.csv"
)
MIE_SHA256 = "d47197c413684200915ba6623711c8636f9e95947d782f825f887b22fee7bb0d"

SOURCE_FILES: dict[str, tuple[SourceFileSpec, ...]] = {
    "mie": (
        SourceFileSpec("mie", "mie", ("mie_events_v1.0.csv", "mie-1.0.csv"), MIE_URL, MIE_SHA256),
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
            warn_if_not_pinned(spec, path)
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
            download(spec.url, target, expected_sha256=spec.sha256)
            return LocatedFile(spec, target, "download", tuple(looked_in))
    return LocatedFile(spec, None, None, tuple(looked_in))


def locate_source(
    source: str, data: DataParams, *, allow_download: bool = True
) -> list[LocatedFile]:
    """Every file of a source, located."""
    return [locate_file(spec, data, allow_download=allow_download) for spec in specs_for(source)]


def warn_if_not_pinned(spec: SourceFileSpec, path: Path) -> bool:
    """Warn when a hand-placed file differs from the pinned release; True when it matches.

    An empty file is left to the reader, whose one-line error says more than a warning would.
    """
    if spec.sha256 is None or path.stat().st_size == 0 or sha256_of(path) == spec.sha256:
        return True
    log.warning(
        "%s differs from the pinned %s release (sha256 %s...): it is used as it is, but "
        "figures may differ from those the documentation reports",
        path,
        spec.key,
        spec.sha256[:12],
    )
    return False


def sha256_of(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def download(url: str, target: Path, *, expected_sha256: str | None) -> Path:
    """Fetch `url` into `target`, refusing it unless its sha256 matches the pinned one."""
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
    actual = sha256_of(partial)
    if expected_sha256 and actual != expected_sha256:
        partial.unlink(missing_ok=True)
        raise ForecastError(
            f"download of {url} has sha256 {actual}, expected {expected_sha256}: the file changed "
            "at its source; it was not used"
        )
    partial.replace(target)
    return target
