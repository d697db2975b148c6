"""Files a stage writes as one set: one writer at a time, one token shared by all of them.

Each file is renamed into place whole (forecast.core.atomic), but several files cannot be
renamed at once: a stage stopped between two renames, or two runs at once, would leave files of
different runs side by side, each of which reads fine. So a writer holds an exclusive lock for
the whole stage, and the set carries a token: the sha256 of its content, so the same data give
the same token and the same bytes (no clock, no random run id). Parquet files carry the token
in their schema metadata; a file that cannot (a CSV opened in spreadsheets) is known by its
sha256 instead; the set's record, written last, names both. `forecast.core.tables` says which
files form a set and checks them on every read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from forecast.core.atomic import unreadable_parquet
from forecast.core.errors import ForecastError

# The key of a Parquet file's schema metadata that holds its set's token.
TOKEN_KEY = b"forecast.set_token"


@contextmanager
def writer_lock(path: Path, command: str) -> Iterator[None]:
    """Hold the exclusive lock file `path` while writing; a second writer stops at once.

    The operating system releases the lock when its holder exits, even when killed, so a lock
    is never left stale (the file itself stays, empty). Failing rather than waiting keeps a
    forgotten run in another terminal from hanging this one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ForecastError(
            f"another `{command}` is writing {path.parent} (it holds {path}): let it finish, "
            "then run this again"
        ) from None
    try:
        yield
    finally:
        lock.release()


def set_token(digests: Mapping[str, str]) -> str:
    """The token of a set from its members' content digests, in name order."""
    digest = hashlib.sha256()
    for name in sorted(digests):
        digest.update(f"{name}\0{digests[name]}\0".encode())
    return digest.hexdigest()


def token_metadata(token: str) -> dict[bytes, bytes]:
    """The Parquet schema metadata that marks a file as a member of the set `token` names."""
    return {TOKEN_KEY: token.encode()}


def parquet_token(path: Path, made_by: str) -> str | None:
    """The set token a Parquet file carries (None when it carries none), read from its footer."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as exc:
        raise unreadable_parquet(path, made_by) from exc
    token = metadata.get(TOKEN_KEY)
    return token.decode() if token is not None else None


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
