"""The key that signs what `forecast train` pickles, and the signatures checked before unpickling.

Unpickling runs code, and every pickle a forecast reads (the champion bundle, the registry's
models, the record-age models) lives in the checkout, where a checksum beside it vouches for
nothing: whoever can write the checkout can forge both. So `forecast train` signs each one with
an HMAC-SHA256 under a key kept outside the checkout, and every reader checks the signature
before it unpickles anything. Without the key nothing can be signed, so nothing pickled is read.

The key is the text of $FORECAST_SIGNING_KEY when it is set (any string, e.g. the hex that a key
file holds), else of the file $XDG_CONFIG_HOME/forecast/signing.key
(~/.config/forecast/signing.key). Only `forecast train` creates that file (mode 0600); a key
inside the project folder, or one other users can read or write, is refused, since either would
put it within reach of whoever can write the checkout (docs/adr/0011-pickles-are-signed-with-a-
key-outside-the-checkout.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import stat
from pathlib import Path

from forecast.core.errors import ForecastError

log = logging.getLogger(__name__)

KEY_VARIABLE = "FORECAST_SIGNING_KEY"
# What a user can do about any refusal: make trusted models here, or bring the key they need.
REMEDY = (
    "run `forecast train` on this machine to re-create trusted models, or set "
    f"{KEY_VARIABLE} to the key they were trained with"
)


def key_path() -> Path:
    """Where the key file lives: the user's config folder, as the XDG convention places it."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    # The convention ignores a relative XDG_CONFIG_HOME; it would also land in the project.
    if config and Path(config).is_absolute():
        return Path(config) / "forecast" / "signing.key"
    try:
        home = Path.home()
    except RuntimeError as exc:
        raise ForecastError(
            f"no home folder to keep the signing key in: set XDG_CONFIG_HOME to a folder "
            f"outside the project, or set {KEY_VARIABLE}"
        ) from exc
    return home / ".config" / "forecast" / "signing.key"


def signing_key(root: str | Path = ".", create: bool = False) -> bytes:
    """The user's signing key; with `create` (training only), a new key file when there is none.

    Readers never create one: a key made on the spot would only ever refuse what exists.
    """
    variable = os.environ.get(KEY_VARIABLE, "").strip()
    if variable:
        # The bytes as the environment holds them, whatever their encoding.
        return variable.encode("utf-8", "surrogateescape")
    path = key_path()
    _outside_project(path, Path(root))
    if not path.exists():
        if not create:
            raise ForecastError(
                f"no signing key to check the trained models with ({KEY_VARIABLE} is not set "
                f"and {path} does not exist), so nothing pickled was read: {REMEDY}"
            )
        _create_key(path)
    return _read_key(path)


def sign(content: bytes, key: bytes) -> str:
    """The HMAC-SHA256 of `content` under `key`, as hex."""
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def sign_folder(folder: Path, key: bytes) -> str:
    """The HMAC-SHA256 of every file under `folder`: each one's relative path and contents.

    An MLflow model is a folder, and more than its pickle runs code on loading (its MLmodel
    names the loader module and code paths to import), so the signature covers all of it.
    """
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        if path.is_dir() and not path.is_symlink():
            continue
        # A path name holds no NUL and a digest has a fixed length, so the stream is unambiguous.
        mac.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_symlink() or not path.is_file():
            # Training signs downloaded copies, which hold regular files only.
            mac.update(b"not a regular file")
            continue
        with path.open("rb") as handle:
            mac.update(hashlib.file_digest(handle, "sha256").digest())
    return mac.hexdigest()


def matches(signature: str, recorded: str | None) -> bool:
    """Whether a computed signature is the recorded one (compared in constant time)."""
    return isinstance(recorded, str) and hmac.compare_digest(signature, recorded)


def check(signature: str, recorded: str | None, what: str) -> None:
    """Stop with one line, before anything is unpickled, unless `signature` is the one
    recorded for `what` (e.g. "the registered model retaliation-timing v3")."""
    if matches(signature, recorded):
        return
    why = (
        "has no signature (made before models were signed, or not by `forecast train`)"
        if recorded is None
        else "does not match its signature (altered since training, or signed with another key)"
    )
    raise ForecastError(f"{what} {why}; nothing was unpickled: {REMEDY}")


def _outside_project(path: Path, root: Path) -> None:
    """Refuse a key file inside the project: whoever can write the checkout could replace it."""
    if path.resolve().is_relative_to(root.resolve()):
        raise ForecastError(
            f"the signing key {path} would be inside the project folder {root.resolve()}, "
            "where whoever can write the checkout could replace it: set XDG_CONFIG_HOME to a "
            f"folder outside the project, or set {KEY_VARIABLE}"
        )


def _create_key(path: Path) -> None:
    """A new random key, readable by its owner only, never replacing one made meanwhile."""
    import secrets
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing.key.")
    except OSError as exc:
        raise ForecastError(
            f"cannot create the signing key {path} ({exc}): set XDG_CONFIG_HOME to a writable "
            f"folder outside the project, or set {KEY_VARIABLE}"
        ) from exc
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        # A link, unlike a rename, fails when another `forecast train` made the key first.
        os.link(temporary, path)
    except FileExistsError:
        pass
    else:
        log.warning(
            "created the signing key %s: forecasts trust only models trained with it (keep it; "
            "to forecast elsewhere with these models, set %s there to its contents)",
            path,
            KEY_VARIABLE,
        )
    finally:
        os.unlink(temporary)


def _read_key(path: Path) -> bytes:
    """The key file's text; refused when it is not a private, non-empty regular file."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise ForecastError(f"the signing key {path} is not a regular file: {REMEDY}")
        if os.name == "posix" and status.st_mode & 0o077:
            raise ForecastError(
                f"the signing key {path} can be read or written by other users (mode "
                f"{stat.S_IMODE(status.st_mode):o}): run `chmod 600 {path}`"
            )
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ForecastError(f"the signing key {path} cannot be read ({exc}): {REMEDY}") from exc
    if not text:
        raise ForecastError(f"the signing key {path} is empty: delete it, then {REMEDY}")
    return text.encode()
