"""The champion models a forecast uses: a local bundle when it is current, else the registry.

The MLflow registry is the record of every trained model and of which one is champion; reading
it means importing mlflow and opening its database, most of the start-up of `forecast predict`.
So `forecast train`, once it has registered and aliased the champions, also pickles scoring
copies of them (`for_scoring`) to data/processed/champions.pkl, labelled with its MLflow run id
and the hash of the episodes and features they learned from. A forecast uses the bundle when
that run is the one metrics/train.json names, that hash is the hash of the tables on disk, and
the registry's SQLite file is as training left it (same size and modification time); otherwise
(no bundle, another training run, other data, any later write to the registry such as a new
run or a champion alias moved by hand, a registry that is not a local SQLite file, an
unreadable file) it reads the registry, as it always did. The bundle is thus a cache of
`models:/retaliation-<kind>@champion` that can only ever answer for the registry's state it was
written from.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecast import paths
from forecast.config import Params

log = logging.getLogger(__name__)

# Raised whenever the bundle's layout changes, so an older file reads as stale, not wrongly.
BUNDLE_FORMAT = 3
SQLITE_PREFIX = "sqlite:///"


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
    # The record-age band models (forecast.models.record_bands) trained beside the champions.
    record_models: Any = None


def write_bundle(champions: Champions, path: Path = paths.CHAMPIONS_FILE) -> Path:
    """Pickle scoring copies of the champions with what makes them current.

    Written to a temporary file and renamed, so a reader never sees half a bundle.
    """
    record = {
        "format": BUNDLE_FORMAT,
        "run_id": champions.run_id,
        "data_hash": champions.data_hash,
        "registry_stamp": champions.registry_stamp,
        "version": champions.version,
        "likelihood": _scoring_copy(champions.likelihood),
        "timing": _scoring_copy(champions.timing),
        "record_models": _scoring_copy(champions.record_models),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)
    return path


def read_bundle(
    path: Path, run_id: str | None, data_hash: str, stamp: str | None
) -> Champions | None:
    """The bundle's champions if written by run `run_id` on data `data_hash` at registry `stamp`.

    None, with the reason logged, when it is missing, unreadable or stale.
    """
    if not path.exists():
        log.info("no champion bundle at %s; reading the model registry", path)
        return None
    try:
        record = pickle.loads(path.read_bytes())
    except Exception as exc:  # unpickling fails in many ways (a renamed class, a cut file)
        log.warning("champion bundle %s is unreadable (%s); reading the model registry", path, exc)
        return None
    stale = _staleness(record, run_id, data_hash, stamp)
    if stale:
        log.warning("champion bundle %s %s; reading the model registry", path, stale)
        return None
    return Champions(
        likelihood=record["likelihood"],
        timing=record["timing"],
        version=record["version"],
        run_id=run_id,
        data_hash=data_hash,
        registry_stamp=stamp,
        source="bundle",
        record_models=record.get("record_models"),
    )


def load_champions(params: Params, data_hash: str, root: str | Path = ".") -> Champions:
    """The champions for forecasting on data `data_hash`: from the bundle when it is current."""
    root = Path(root)
    run_id = trained_run(root / paths.TRAIN_FILE)
    stamp = registry_stamp(params.tracking.uri, root)
    bundle = read_bundle(root / paths.CHAMPIONS_FILE, run_id, data_hash, stamp)
    if bundle is not None:
        return bundle
    from forecast import tracking

    kinds = ("likelihood", "timing")
    return Champions(
        likelihood=tracking.load_champion("likelihood", params),
        timing=tracking.load_champion("timing", params),
        version=version_text(tracking.champion_version(kind, params) for kind in kinds),
        run_id=run_id,
        data_hash=data_hash,
        source="registry",
        record_models=tracking.load_record_models(run_id, params) if run_id else None,
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


def trained_run(path: Path) -> str | None:
    """The MLflow run id of the last `forecast train` (metrics/train.json); None if unknown."""
    try:
        return str(json.loads(path.read_text())["run_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _staleness(record: Any, run_id: str | None, data_hash: str, stamp: str | None) -> str | None:
    """Why a bundle record cannot stand for the registry's champions; None when it can."""
    if not isinstance(record, dict) or record.get("format") != BUNDLE_FORMAT:
        return "has an older layout"
    if run_id is None:
        return "cannot be matched to a training run (metrics/train.json is missing)"
    if record.get("run_id") != run_id:
        return f"is from training run {record.get('run_id')}, not {run_id}"
    if record.get("data_hash") != data_hash:
        return "was trained on other episodes and features than those on disk"
    if stamp is None:
        return "cannot be checked against the registry (not a local SQLite file)"
    if record.get("registry_stamp") != stamp:
        return "predates the registry's last change (a later run or a moved alias)"
    return None


def _scoring_copy(model: Any) -> Any:
    """The model without what only fitting reads, when it knows how to leave that out."""
    for_scoring = getattr(model, "for_scoring", None)
    return for_scoring() if callable(for_scoring) else model
