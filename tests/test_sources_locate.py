"""Source files are looked for in a fixed order; downloads must match their pinned sha256."""

from __future__ import annotations

import functools
import hashlib
import http.server
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecast.core.config import DataParams
from forecast.core.errors import DataFileError, ForecastError
from forecast.sources.locate import (
    MIE_SHA256,
    SourceFileSpec,
    download,
    locate_file,
    specs_for,
)

MIE_NAME = "mie_events_v1.0.csv"
MIE = specs_for("mie")[0]


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """An external folder and a FORECAST_DATA_DIR folder, both holding a MIE file."""
    external, shared = tmp_path / "external", tmp_path / "shared"
    for folder in (external, shared):
        folder.mkdir()
        (folder / MIE_NAME).write_text("micnum\n1\n")
    monkeypatch.setenv("FORECAST_DATA_DIR", str(shared))
    return {"external": external, "shared": shared, "tmp": tmp_path}


def test_a_path_in_params_comes_first(folders: dict[str, Path]) -> None:
    explicit = folders["tmp"] / "my-mie.csv"
    explicit.write_text("micnum\n1\n")
    data = DataParams(paths={"mie": str(explicit)}, external_dir=str(folders["external"]))
    located = locate_file(MIE, data)
    assert (located.path, located.found_by) == (explicit, "params")


def test_external_folder_comes_before_forecast_data_dir(folders: dict[str, Path]) -> None:
    located = locate_file(MIE, DataParams(external_dir=str(folders["external"])))
    assert (located.path, located.found_by) == (folders["external"] / MIE_NAME, "external")


def test_forecast_data_dir_is_used_when_nothing_else_has_the_file(folders: dict[str, Path]) -> None:
    located = locate_file(MIE, DataParams(external_dir=str(folders["tmp"] / "nothing")))
    assert (located.path, located.found_by) == (folders["shared"] / MIE_NAME, "FORECAST_DATA_DIR")


def test_a_params_path_that_does_not_exist_is_an_error(folders: dict[str, Path]) -> None:
    data = DataParams(paths={"mie": str(folders["tmp"] / "gone.csv")})
    with pytest.raises(DataFileError, match=r"data\.paths\.mie"):
        locate_file(MIE, data)


def test_not_found_lists_every_place_looked_in(tmp_path: Path, no_real_data: None) -> None:
    located = locate_file(MIE, DataParams(external_dir=str(tmp_path)))
    assert not located.found
    assert str(tmp_path / MIE_NAME) in located.looked_in
    assert MIE.url in located.looked_in


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, bytes]]:
    """A local HTTP server on 127.0.0.1 serving one small file (never the internet)."""
    served = tmp_path / "served"
    served.mkdir()
    content = b"micnum,eventnum\n1,1\n"
    (served / "mie.csv").write_bytes(content)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/mie.csv", content
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_happens_only_when_params_allow_it(
    server: tuple[str, bytes], tmp_path: Path, no_real_data: None
) -> None:
    url, content = server
    spec = SourceFileSpec("mie", "mie", (MIE_NAME,), url, hashlib.sha256(content).hexdigest())
    external = tmp_path / "external"
    assert not locate_file(spec, DataParams(external_dir=str(external))).found
    located = locate_file(spec, DataParams(external_dir=str(external), download=True))
    assert located.found_by == "download"
    assert (external / MIE_NAME).read_bytes() == content


def test_download_with_the_wrong_sha256_is_refused_and_removed(
    server: tuple[str, bytes], tmp_path: Path
) -> None:
    url, _ = server
    target = tmp_path / "mie.csv"
    with pytest.raises(ForecastError, match=f"expected {MIE_SHA256}"):
        download(url, target, expected_sha256=MIE_SHA256)
    assert not target.exists()
    assert not target.with_name("mie.csv.part").exists()


def test_failed_download_is_a_clear_error(server: tuple[str, bytes], tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(ForecastError, match="failed"):
        download(url.replace("mie.csv", "absent.csv"), tmp_path / "x.csv", expected_sha256=None)


def test_unknown_source_name_lists_the_known_ones() -> None:
    with pytest.raises(ForecastError, match="known: mie, cow_mid, icb, handcoded"):
        specs_for("gdelt")


def test_a_hand_placed_file_unlike_the_pinned_release_is_used_with_a_warning(
    folders: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="forecast.sources.locate"):
        located = locate_file(MIE, DataParams(external_dir=str(folders["external"])))
    assert located.found_by == "external"
    assert "differs from the pinned mie release" in caplog.text


def test_the_pin_is_the_sha256_of_the_real_release(real_data_dir: Path) -> None:
    located = real_data_dir / "mie_events_v1.0.csv"
    assert hashlib.sha256(located.read_bytes()).hexdigest() == MIE_SHA256
