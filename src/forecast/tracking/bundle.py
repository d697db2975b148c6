"""The champion models a forecast uses: a local bundle when it is current, else the registry.

The MLflow registry is the record of every trained model and of which one is champion; reading
it means importing mlflow and opening its database, most of the start-up of `forecast predict`.
So `forecast train`, once it has registered and aliased the champions, also pickles scoring
copies of them (`for_scoring`) to data/processed/champions.pkl, labelled with its MLflow run id,
the hash of the episodes and features they learned from and the hash of every table a forecast
reads (`FORECAST_INPUTS`). train records in metrics/train.json (tracked by DVC and git) the
HMAC-SHA256 of the bundle's bytes under the user's signing key, kept outside the checkout
(`forecast.tracking.signing`).

Unpickling runs code, so nothing is unpickled before it is checked: the file's signature under
the key must equal the one train.json records, else the bundle is refused unread. A checksum
would not do, since whoever can replace the bundle can also rewrite train.json; without the key
they cannot sign. Then a forecast uses the bundle when its run is the one train.json names,
the tables on disk hash as they did at training, and the registry's SQLite file is as training
left it (same size and modification time); otherwise (no bundle, another training run, other
data, any later write to the registry such as a new run or a champion alias moved by hand, a
registry that is not a local SQLite file, an unreadable file) it reads the registry, as it
always did, and the log says why. The bundle is thus a cache of
`models:/retaliation-<kind>@champion` that can only ever answer for the registry's state it was
written from. The registry's own models are pickles too, signed and checked the same way
(`forecast.tracking.runs`); without a key nothing pickled is read
(docs/adr/0005-forecasts-read-a-bundle-keyed-to-the-training-run.md, docs/adr/0011-pickles-are-
signed-with-a-key-outside-the-checkout.md).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast.core import tables
from forecast.core.atomic import write_bytes
from forecast.core.config import Params
from forecast.tracking import signing

log = logging.getLogger(__name__)
# Far above any bundle train writes (the scoring copies of two models and the record-age logits).
MAX_BUNDLE_BYTES = 1 << 30

# Raised whenever the bundle's layout or the modules its pickled classes live in change, so an
# older file reads as stale (and the registry serves until `forecast train` runs), not wrongly.
BUNDLE_FORMAT = 5
SQLITE_PREFIX = "sqlite:///"
# Every table Forecaster.load reads: a bundle is current only while none of them has changed.
FORECAST_TABLES = ("incidents", "covariates", "sources", "episodes", "features", "record_age")
FORECAST_INPUTS = tuple(tables.path(name) for name in FORECAST_TABLES)


@dataclass(frozen=True)
class Champions:
    """The likelihood and timing champions, their registry names and what they learned from."""

    likelihood: Any
    timing: Any
    # e.g. "retaliation-likelihood v4 (logit); retaliation-timing v2 (cox)"
    version: str
    run_id: str | None
    data_hash: str
    # The registry file's size and modification time when the bundle was written.
    registry_stamp: str | None = None
    # Where the models came from: "bundle" or "registry" when loaded, "train" when just fitted.
    source: str = "train"
    # The record-age band models (forecast.record_age.bands) trained beside the champions.
    record_models: Any = None


@dataclass(frozen=True)
class BundleKey:
    """What a bundle must match to stand for the registry's champions."""

    run_id: str | None
    data_hash: str
    registry_stamp: str | None
    # The bundle file's signature (forecast.tracking.signing), as metrics/train.json records it.
    signature: str | None
    # inputs_hash() of the tables on disk.
    inputs: str


def write_bundle(champions: Champions, key: bytes, root: Path = Path(".")) -> str:
    """Pickle scoring copies of the champions with what makes them current; return the file's
    signature under `key`.

    Written to a temporary file and renamed, so a reader never sees half a bundle. The caller
    records the signature where readers look for it (metrics/train.json).
    """
    record = {
        "format": BUNDLE_FORMAT,
        "run_id": champions.run_id,
        "data_hash": champions.data_hash,
        "inputs_hash": inputs_hash(root),
        "registry_stamp": champions.registry_stamp,
        "version": champions.version,
        "likelihood": _scoring_copy(champions.likelihood),
        "timing": _scoring_copy(champions.timing),
        "record_models": _scoring_copy(champions.record_models),
    }
    content = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    write_bytes(tables.path("champions", root), content)
    return signing.sign(content, key)


def read_bundle(path: Path, key: BundleKey, signing_key: bytes) -> Champions | None:
    """The bundle's champions if its bytes and its labels match `key`.

    The bytes' signature under `signing_key` is checked against the recorded one before anything
    is unpickled. None, with the reason logged, when the bundle is missing, unsigned, altered
    or signed with another key, unreadable or stale: the registry, checked the same way, serves.
    """
    if not path.exists():
        log.info("no champion bundle at %s; reading the model registry", path)
        return None
    if key.signature is None:
        log.warning(
            "champion bundle %s has no signature in %s (retrain to record one); it was not "
            "opened; reading the model registry",
            path,
            tables.path("train"),
        )
        return None
    # A folder, a device (a link to /dev/zero never ends) or a giant is no bundle: refused
    # before a byte is read, so the checksum below never fills the memory.
    size = path.stat().st_size if path.is_file() else None
    if size is None or size > MAX_BUNDLE_BYTES:
        log.warning(
            "champion bundle %s %s; it was not opened; reading the model registry",
            path,
            "is not a regular file"
            if size is None
            else f"is {size:,} bytes, more than the {MAX_BUNDLE_BYTES:,} a bundle may have",
        )
        return None
    content = path.read_bytes()
    if not signing.matches(signing.sign(content, signing_key), key.signature):
        log.warning(
            "champion bundle %s does not match the signature %s records for it (altered since "
            "training, or signed with another key); it was not opened; reading the model "
            "registry",
            path,
            tables.path("train"),
        )
        return None
    try:
        record = pickle.loads(content)
    except Exception as exc:  # unpickling fails in many ways (a renamed class, a cut file)
        log.warning("champion bundle %s is unreadable (%s); reading the model registry", path, exc)
        return None
    stale = _staleness(record, key)
    if stale:
        log.warning("champion bundle %s %s; reading the model registry", path, stale)
        return None
    return Champions(
        likelihood=record["likelihood"],
        timing=record["timing"],
        version=record["version"],
        run_id=key.run_id,
        data_hash=key.data_hash,
        registry_stamp=key.registry_stamp,
        source="bundle",
        record_models=record.get("record_models"),
    )


def inputs_hash(root: str | Path = ".") -> str:
    """sha256 over the bytes of every table a forecast reads (a missing one counts as such)."""
    digest = hashlib.sha256()
    for relative in FORECAST_INPUTS:
        digest.update(relative.as_posix().encode() + b"\0")
        try:
            with (Path(root) / relative).open("rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def check_forecast_inputs(root: str | Path = ".") -> None:
    """Read every table a forecast reads, which checks each against its contract.

    `forecast train` calls this before it writes the bundle, which records the tables' hash: a
    bundle that is current then vouches that the tables on disk are ones checked here, and a
    forecast reads them without checking them again, most of a cold forecast's reading time
    (`recorded_inputs_hash`, `Forecaster.load`).
    """
    for name in FORECAST_TABLES:
        tables.read_optional(name, root)


def recorded_inputs_hash(root: str | Path = ".") -> str | None:
    """The inputs hash the last `forecast train` recorded in metrics/train.json (None if none).

    train.json is not signed, so a match only lets a forecast defer its checks: the signed
    bundle's own record must agree, or the tables are checked after all.
    """
    if not tables.exists("train", root):
        return None
    value = tables.read_record("train", root).get("inputs_hash")
    return value if isinstance(value, str) else None


def load_champions(
    params: Params, data_hash: str, root: str | Path = ".", inputs: str | None = None
) -> Champions:
    """The champions for forecasting on data `data_hash`: from the bundle when it is current.

    Without the user's signing key nothing pickled can be checked, so this stops with one line
    before the bundle or the registry is touched.
    """
    root = Path(root)
    secret = signing.signing_key(root)
    run_id = trained_run(root)
    key = BundleKey(
        run_id=run_id,
        data_hash=data_hash,
        registry_stamp=registry_stamp(params.tracking.uri, root),
        signature=bundle_signature(root),
        inputs=inputs if inputs is not None else inputs_hash(root),
    )
    bundle = read_bundle(root / tables.path("champions"), key, secret)
    if bundle is not None:
        return bundle
    from forecast.tracking import runs

    kinds = ("likelihood", "timing")
    return Champions(
        likelihood=runs.load_champion("likelihood", params, key=secret),
        timing=runs.load_champion("timing", params, key=secret),
        version=version_text(runs.champion_version(kind, params) for kind in kinds),
        run_id=run_id,
        data_hash=data_hash,
        source="registry",
        record_models=runs.load_record_models(run_id, params, key=secret) if run_id else None,
    )


def registry_stamp(uri: str, root: str | Path = ".") -> str | None:
    """Size and modification time of the registry's SQLite file; None if it is not one.

    Every write to the registry (a run logged, a version registered, an alias moved) changes
    them, so a bundle labelled with the stamp stands for exactly that state of the registry.
    """
    if not uri.startswith(SQLITE_PREFIX):
        return None
    database = Path(uri[len(SQLITE_PREFIX) :])
    try:
        status = (database if database.is_absolute() else Path(root) / database).stat()
    except OSError:
        return None
    return f"{status.st_size}:{status.st_mtime_ns}"


def version_text(labels: Iterable[str]) -> str:
    """The champions' registry labels on one line, as forecasts and the brief show them."""
    return "; ".join(labels)


def trained_run(root: Path = Path(".")) -> str | None:
    """The MLflow run id of the last `forecast train` (metrics/train.json); None if unknown."""
    value = tables.read_record("train", root).get("run_id")
    return None if value is None else str(value)


def bundle_signature(root: Path = Path(".")) -> str | None:
    """The signature of the bundle the last `forecast train` wrote (metrics/train.json)."""
    value = tables.read_record("train", root).get("bundle_signature")
    return value if isinstance(value, str) else None


def _staleness(record: Any, key: BundleKey) -> str | None:
    """Why a bundle record cannot stand for the registry's champions; None when it can."""
    if not isinstance(record, dict) or record.get("format") != BUNDLE_FORMAT:
        return "has an older layout"
    if key.run_id is None:
        return "cannot be matched to a training run (metrics/train.json is missing)"
    if record.get("run_id") != key.run_id:
        return f"is from training run {record.get('run_id')}, not {key.run_id}"
    if record.get("data_hash") != key.data_hash:
        return "was trained on other episodes and features than those on disk"
    if record.get("inputs_hash") != key.inputs:
        names = ", ".join(p.name for p in FORECAST_INPUTS)
        return f"was written for other tables than those on disk (one of {names} changed)"
    if key.registry_stamp is None:
        return "cannot be checked against the registry (not a local SQLite file)"
    if record.get("registry_stamp") != key.registry_stamp:
        return "predates the registry's last change (a later run or a moved alias)"
    return None


def _scoring_copy(model: Any) -> Any:
    """The model without what only fitting reads, when it knows how to leave that out."""
    for_scoring = getattr(model, "for_scoring", None)
    return for_scoring() if callable(for_scoring) else model
