"""The signing key: outside the checkout, private, made only by training, and what it signs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from forecast.core.errors import ForecastError
from forecast.tracking import signing


def test_training_creates_a_private_key_in_the_users_config_folder(
    signing_home: Path, tmp_path: Path
) -> None:
    key = signing.signing_key(tmp_path, create=True)
    path = signing_home / "forecast" / "signing.key"
    assert path.read_text().strip().encode() == key and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.signing_key(tmp_path, create=True) == key
    assert signing.signing_key(tmp_path) == key


def test_without_xdg_config_home_the_key_lives_under_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert signing.key_path() == tmp_path / "home" / ".config" / "forecast" / "signing.key"


def test_readers_never_create_a_key(signing_home: Path, tmp_path: Path) -> None:
    with pytest.raises(ForecastError, match="no signing key") as refused:
        signing.signing_key(tmp_path)
    assert "`forecast train` on this machine" in str(refused.value)
    assert "FORECAST_SIGNING_KEY" in str(refused.value)
    assert not (signing_home / "forecast").exists()


def test_the_variable_wins_and_takes_a_key_files_contents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Copying the key file's text into FORECAST_SIGNING_KEY elsewhere gives the same key."""
    made = signing.signing_key(tmp_path, create=True)
    monkeypatch.setenv(signing.KEY_VARIABLE, "any string will do")
    assert signing.signing_key(tmp_path) == b"any string will do"
    monkeypatch.setenv(signing.KEY_VARIABLE, made.decode() + "\n")
    assert signing.signing_key(tmp_path) == made


def test_a_key_inside_the_project_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Whoever can write the checkout could replace a key kept there."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.raises(ForecastError, match="inside the project folder"):
        signing.signing_key(tmp_path, create=True)
    assert not (tmp_path / "config").exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_other_users_can_read_is_refused(tmp_path: Path) -> None:
    signing.signing_key(tmp_path, create=True)
    signing.key_path().chmod(0o644)
    with pytest.raises(ForecastError, match=r"other users \(mode 644\).*chmod 600"):
        signing.signing_key(tmp_path)


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    path = signing.key_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    path.chmod(0o600)
    with pytest.raises(ForecastError, match="is empty: delete it"):
        signing.signing_key(tmp_path, create=True)


def test_a_signature_depends_on_the_key_and_every_byte() -> None:
    signature = signing.sign(b"model", b"key")
    assert signing.matches(signature, signing.sign(b"model", b"key"))
    assert not signing.matches(signature, signing.sign(b"model", b"other key"))
    assert not signing.matches(signature, signing.sign(b"modem", b"key"))
    assert not signing.matches(signature, None)


def test_a_folders_signature_covers_every_file_and_its_name(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text("loader_module: mlflow.pyfunc.model")
    (tmp_path / "python_model.pkl").write_bytes(b"pickle")
    signed = signing.sign_folder(tmp_path, b"key")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "evil.py").write_text("import os")
    assert signing.sign_folder(tmp_path, b"key") != signed
    (tmp_path / "code" / "evil.py").unlink()
    assert signing.sign_folder(tmp_path, b"key") == signed
    (tmp_path / "python_model.pkl").rename(tmp_path / "model.pkl")
    assert signing.sign_folder(tmp_path, b"key") != signed


def test_a_key_that_cannot_be_created_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    not_a_folder = tmp_path_factory.mktemp("elsewhere") / "config"
    not_a_folder.write_text("a file where the config folder should be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(not_a_folder))
    with pytest.raises(ForecastError, match="cannot create the signing key"):
        signing.signing_key(tmp_path, create=True)
