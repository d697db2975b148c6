"""The champion bundle: used only when it is signed with the user's key and is the last
training run's, on the data on disk."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.errors import ForecastError
from forecast.models.logit import ClusteredLogit
from forecast.models.timing import CoxTiming
from forecast.tracking import bundle, runs, signing
from forecast.tracking.bundle import (
    BUNDLE_FORMAT,
    BundleKey,
    Champions,
    bundle_signature,
    inputs_hash,
    load_champions,
    read_bundle,
    registry_stamp,
    trained_run,
    write_bundle,
)
from tests.fixtures_models import HORIZONS, make_world
from tests.fixtures_pickles import WritesAFile

RUN, DATA, STAMP = "run-2", "hash-2", "4096:1700000000000000000"
VERSION = "retaliation-likelihood v3 (logit); retaliation-timing v4 (cox)"
KEY = b"the key training signed with"


@pytest.fixture(scope="module")
def fitted() -> tuple[ClusteredLogit, CoxTiming, pd.DataFrame]:
    episodes, features = make_world(500, seed=3, start="2000-01-01")
    logit = ClusteredLogit(HORIZONS).fit(features, episodes)
    return logit, CoxTiming(HORIZONS).fit(features, episodes), features.head(6)


@pytest.fixture
def project(tmp_path: Path, fitted, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder whose last training run (train.json) wrote the bundle with this
    user's key."""
    monkeypatch.setenv(signing.KEY_VARIABLE, KEY.decode())
    logit, cox, _ = fitted
    tables.path("train", tmp_path).parent.mkdir()
    for table in FORECAST_TABLES:
        (tmp_path / table).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / table).write_bytes(f"{table.name} as training read it".encode())
    registry = tmp_path / "mlruns" / "mlflow.db"
    registry.parent.mkdir()
    registry.write_bytes(b"registry as training left it")
    stamp = registry_stamp(Params().tracking.uri, tmp_path)
    champions = Champions(logit, cox, VERSION, RUN, DATA, registry_stamp=stamp)
    signature = write_bundle(champions, KEY, root=tmp_path)
    (tmp_path / tables.path("train")).write_text(
        json.dumps({"run_id": RUN, "bundle_signature": signature})
    )
    return tmp_path


FORECAST_TABLES = (
    tables.path("incidents"),
    tables.path("covariates"),
    tables.path("sources"),
    tables.path("episodes"),
    tables.path("features"),
)


def _stamp(project: Path) -> str | None:
    return registry_stamp(Params().tracking.uri, project)


def key(project: Path, run_id=RUN, data_hash=DATA, stamp="as on disk") -> BundleKey:
    """The key load_champions would build for `project`, with the given parts replaced."""
    return BundleKey(
        run_id=run_id,
        data_hash=data_hash,
        registry_stamp=_stamp(project) if stamp == "as on disk" else stamp,
        signature=bundle_signature(project),
        inputs=inputs_hash(project),
    )


def test_a_current_bundle_gives_the_champions_forecasts(project: Path, fitted) -> None:
    logit, cox, rows = fitted
    found = read_bundle(project / tables.path("champions"), key(project), KEY)
    assert found is not None and (found.source, found.version) == ("bundle", VERSION)
    pd.testing.assert_frame_equal(found.likelihood.predict_proba(rows), logit.predict_proba(rows))
    days = [1, 30, 365]
    expected = cox.predict_survival(rows, days)
    pd.testing.assert_frame_equal(found.timing.predict_survival(rows, days), expected)


def test_the_bundle_holds_scoring_copies(project: Path) -> None:
    found = read_bundle(project / tables.path("champions"), key(project), KEY)
    assert found is not None and not hasattr(found.likelihood, "results_")


@pytest.mark.parametrize(
    ("run_id", "data_hash", "reason"),
    [
        ("run-1", DATA, "from training run run-2, not run-1"),
        (RUN, "hash-1", "other episodes and features"),
        (None, DATA, "train.json is missing"),
    ],
)
def test_a_bundle_from_another_run_or_other_data_is_stale(
    project: Path, run_id, data_hash, reason, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert (
            read_bundle(project / tables.path("champions"), key(project, run_id, data_hash), KEY)
            is None
        )
    assert reason in caplog.text and "reading the model registry" in caplog.text


def test_any_write_to_the_registry_after_training_makes_the_bundle_stale(
    project: Path, caplog
) -> None:
    before = _stamp(project)
    assert (
        read_bundle(project / tables.path("champions"), key(project, stamp=before), KEY) is not None
    )
    # An alias moved by hand, or a later run, writes to the registry's database file.
    with (project / "mlruns" / "mlflow.db").open("ab") as registry:
        registry.write(b" and an alias moved by hand")
    after = _stamp(project)
    assert after != before
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert (
            read_bundle(project / tables.path("champions"), key(project, stamp=after), KEY) is None
        )
    assert "registry's last change" in caplog.text


def test_a_registry_that_is_not_a_local_sqlite_file_is_never_cached(project: Path) -> None:
    assert registry_stamp("http://tracking.example:5000", project) is None
    assert registry_stamp("sqlite:///nowhere/mlflow.db", project) is None
    assert read_bundle(project / tables.path("champions"), key(project, stamp=None), KEY) is None


def test_a_cut_or_foreign_file_is_not_a_bundle(tmp_path: Path, caplog) -> None:
    def signed(content: bytes) -> BundleKey:
        return BundleKey(RUN, DATA, STAMP, signing.sign(content, KEY), "inputs")

    cut = tmp_path / "cut.pkl"
    cut.write_bytes(b"\x80\x05not a pickle")
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(cut, signed(cut.read_bytes()), KEY) is None
    assert "unreadable" in caplog.text
    older = tmp_path / "older.pkl"
    older.write_bytes(pickle.dumps({"format": BUNDLE_FORMAT - 1, "run_id": RUN}))
    assert read_bundle(older, signed(older.read_bytes()), KEY) is None
    assert read_bundle(tmp_path / "missing.pkl", signed(b""), KEY) is None


def test_a_replaced_bundle_is_refused_before_it_is_unpickled(project: Path, caplog) -> None:
    marker = project / "pwned.txt"
    hostile = pickle.dumps({"format": BUNDLE_FORMAT, "payload": WritesAFile(marker)})
    (project / tables.path("champions")).write_bytes(hostile)
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(project / tables.path("champions"), key(project), KEY) is None
    assert not marker.exists()
    assert "does not match the signature" in caplog.text and "not opened" in caplog.text


def test_a_forged_bundle_with_its_checksum_in_train_json_is_never_unpickled(
    project: Path, monkeypatch, caplog
) -> None:
    """Whoever can write the checkout can replace the bundle and rewrite train.json to match;
    without the user's key they cannot sign it, so it is refused unread."""
    marker = project / "pwned.txt"
    forged = pickle.dumps({"format": BUNDLE_FORMAT, "run_id": RUN, "code": WritesAFile(marker)})
    (project / tables.path("champions")).write_bytes(forged)
    train = json.loads((project / tables.path("train")).read_text())
    checksums = {
        "bundle_sha256": hashlib.sha256(forged).hexdigest(),
        "bundle_signature": signing.sign(forged, b"a key the forger made up"),
    }
    (project / tables.path("train")).write_text(json.dumps(train | checksums))
    _registry_stand_in(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        champions = load_champions(Params(), DATA, root=project)
    assert not marker.exists()
    assert champions.source == "registry" and "does not match the signature" in caplog.text


def test_without_a_signing_key_nothing_pickled_is_read(project: Path, monkeypatch) -> None:
    """No key in the environment and none in the (empty) config folder: one clear line, and
    neither the bundle nor the registry is opened."""
    monkeypatch.delenv(signing.KEY_VARIABLE)
    monkeypatch.setattr(runs, "load_champion", _no_registry)

    def no_unpickling(*args: object) -> None:
        raise AssertionError("something was unpickled")

    monkeypatch.setattr(pickle, "loads", no_unpickling)
    with pytest.raises(ForecastError, match="no signing key") as refused:
        load_champions(Params(), DATA, root=project)
    assert "`forecast train` on this machine" in str(refused.value)
    assert "set FORECAST_SIGNING_KEY to the key" in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_bundle_without_a_recorded_signature_is_never_opened(project: Path, caplog) -> None:
    marker = project / "pwned.txt"
    (project / tables.path("champions")).write_bytes(pickle.dumps(WritesAFile(marker)))
    (project / tables.path("train")).write_text(json.dumps({"run_id": RUN}))
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(project / tables.path("champions"), key(project), KEY) is None
    assert not marker.exists() and "no signature" in caplog.text


@pytest.mark.parametrize("table", FORECAST_TABLES, ids=lambda p: p.name)
def test_a_change_to_any_table_a_forecast_reads_makes_the_bundle_stale(
    project: Path, table: Path, caplog
) -> None:
    (project / table).write_bytes(b"re-ingested with another seed")
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(project / tables.path("champions"), key(project), KEY) is None
    assert "other tables than those on disk" in caplog.text


def test_a_current_bundle_spares_the_registry(project: Path, monkeypatch) -> None:
    monkeypatch.setattr(runs, "load_champion", _no_registry)
    assert load_champions(Params(), DATA, root=project).source == "bundle"


def test_a_stale_bundle_falls_back_to_the_registry(project: Path, monkeypatch) -> None:
    _registry_stand_in(monkeypatch)
    champions = load_champions(Params(), "other data", root=project)
    assert (champions.source, champions.likelihood, champions.timing) == (
        "registry",
        "registry likelihood",
        "registry timing",
    )
    assert champions.version == "likelihood v9; timing v9"


def _no_registry(*args: object, **kwargs: object) -> None:
    raise AssertionError("the registry was opened")


def _registry_stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry that answers with labels. Not a real one: opening it here would leave mlflow
    pointed at this folder's store for later tests in the same process."""
    monkeypatch.setattr(runs, "load_champion", lambda kind, params, key=None: f"registry {kind}")
    monkeypatch.setattr(runs, "champion_version", lambda kind, params: f"{kind} v9")
    monkeypatch.setattr(runs, "load_record_models", lambda run_id, params, key=None: None)


def test_the_training_run_is_read_from_train_json(project: Path, tmp_path: Path) -> None:
    assert trained_run(project) == RUN
    assert trained_run(tmp_path / "nowhere") is None


def test_a_folder_in_the_bundles_place_is_not_read(project: Path, caplog) -> None:
    path = project / tables.path("champions")
    path.unlink()
    path.mkdir()
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(path, key(project), KEY) is None
    assert "is not a regular file" in caplog.text and "not opened" in caplog.text


def test_a_bundle_larger_than_any_train_writes_is_not_read(
    project: Path, caplog, monkeypatch
) -> None:
    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1_000)
    path = project / tables.path("champions")
    path.write_bytes(b"\x00" * 1_001)
    with caplog.at_level(logging.WARNING, logger="forecast.tracking.bundle"):
        assert read_bundle(path, key(project), KEY) is None
    assert "1,001 bytes" in caplog.text and "not opened" in caplog.text


_READ_A_BUNDLE_IN_3_GB = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from forecast.tracking.bundle import BundleKey, read_bundle
print(read_bundle(Path(sys.argv[1]), BundleKey("run", "data", "stamp", "0" * 64, "inputs"), b"k"))
"""


def test_a_link_to_an_endless_device_is_not_read(tmp_path: Path) -> None:
    """/dev/zero never ends: reading it would fill the memory before any checksum."""
    link = tmp_path / "champions.pkl"
    link.symlink_to("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-c", _READ_A_BUNDLE_IN_3_GB, str(link)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"
    assert "is not a regular file" in done.stderr
