"""The brief as readers get it: opened in headless Chromium, and the PDF rendered to pages.

Chromium is driven over the DevTools protocol, so the test sees every request the page makes
and every console message, rather than inferring them from the HTML. Skips when Chromium,
poppler or websocket-client are not installed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from forecast.report.render import build_brief
from tests.test_report import CHAMPION, METRICS, backtest_predictions, seed_forecasts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "--window-size=1000,1400",
]


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The seed-case brief with hostile notes, written as HTML and PDF."""
    folder = tmp_path_factory.mktemp("brief")
    return build_brief(
        seed_forecasts(notes="<script>alert('x')</script>"),
        folder,
        metrics=METRICS,
        backtest=backtest_predictions(),
        champion=CHAMPION,
        prepared=dt.date(2026, 11, 25),
    )


class DevTools:
    """A minimal DevTools-protocol client: send commands, collect the events that arrive."""

    def __init__(self, url: str) -> None:
        import websocket

        self.socket = websocket.create_connection(url, timeout=20)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(method)
            self.events.append(json.loads(self.socket.recv()))

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="module")
def page(brief: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Load the brief once; return the events seen and a full-page screenshot."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    pytest.importorskip("websocket")
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline:
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            targets = json.load(response)
        socket_url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        tools = DevTools(socket_url)
        for domain in ("Network", "Runtime", "Log", "Page"):
            tools.call(f"{domain}.enable")
        tools.call("Page.navigate", url=brief.html.resolve().as_uri())
        tools.wait_for("Page.loadEventFired")
        metrics = tools.call("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        shot = tools.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        )
        png = base64.b64decode(shot["data"])
        (brief.html.parent / "screenshot.png").write_bytes(png)
        tools.close()
        yield {"events": tools.events, "png": png, "height": size["height"]}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_screenshot_shows_a_long_nonblank_page(page: dict[str, Any]) -> None:
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(page["png"])).convert("L"), dtype=float)
    assert page["height"] > 2000, "all sections should make a long page"
    assert image.std() > 20, "the page should not be blank"
    assert (image < 80).mean() > 0.005, "there should be dark text on the page"


def test_page_makes_no_network_requests(page: dict[str, Any]) -> None:
    urls = [
        e["params"]["request"]["url"]
        for e in page["events"]
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert any(url.startswith("file://") for url in urls), "the page itself should be seen"
    assert all(url.startswith(("file://", "data:")) for url in urls), urls


def test_page_logs_no_console_errors(page: dict[str, Any]) -> None:
    errors = [
        e
        for e in page["events"]
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []


def test_hostile_notes_do_not_run_in_the_browser(page: dict[str, Any]) -> None:
    dialogs = [e for e in page["events"] if e.get("method") == "Page.javascriptDialogOpening"]
    assert dialogs == []


def test_pdf_renders_to_pages_with_the_expected_count(brief: Any, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils is not installed")
    info = subprocess.run(
        ["pdfinfo", str(brief.pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(brief.pdf), str(tmp_path / "page")], check=True
    )
    rendered = sorted(tmp_path.glob("page-*.png"))
    # Two incident cards, the track record, method and caveats do not fit on fewer pages.
    assert 3 <= pages <= 8
    assert len(rendered) == pages


def test_pdf_pages_carry_the_classification_and_page_numbers(brief: Any) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(brief.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert all("UNCLASSIFIED // FOR DISCUSSION" in p for p in pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
