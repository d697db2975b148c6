"""Articles as they are saved: a legacy encoding is detected and named, a web page is reduced
to its article, and the coder finds the same incident in each as in plain UTF-8 text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from forecast.core.errors import DataFileError
from forecast.news import code_file
from tests.conftest import run_forecast

PUBLISHED = dt.date(2024, 1, 18)
REPORT = (
    "Pakistan’s air force struck targets inside Iran on Thursday, killing nine people, "
    "Pakistan’s foreign ministry said. Iran’s foreign minister condemned the strikes and "
    "summoned Pakistan’s chargé d’affaires in Tehran."
)
PAGE = f"""<!DOCTYPE html>
<html><head><title>World news</title></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Pakistan strikes back</h1><p>{REPORT}</p>
<p>Officials in Islamabad said the operation targeted militant hideouts.</p></article>
<footer>Copyright. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>
"""


def coded(path: Path) -> set[tuple[str, str, dt.date | None]]:
    return {(i.initiator, i.target, i.date) for i in code_file(path, PUBLISHED).incidents}


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    path = tmp_path / "plain.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_report_in_a_legacy_encoding_codes_as_the_utf8_one_and_says_so(
    tmp_path: Path, plain: Path, encoding: str
) -> None:
    legacy = tmp_path / "legacy.txt"
    text = REPORT if encoding == "cp1252" else REPORT.replace("’", "'")
    legacy.write_bytes(text.encode(encoding))
    result = code_file(legacy, PUBLISHED)
    assert coded(legacy) == coded(plain) != set()
    (warning,) = result.warnings
    assert warning.startswith(f"{legacy}: not UTF-8; read as ")


def test_a_utf8_report_reads_without_a_warning_with_or_without_a_byte_order_mark(
    tmp_path: Path, plain: Path
) -> None:
    marked = tmp_path / "marked.txt"
    marked.write_bytes(b"\xef\xbb\xbf" + REPORT.encode("utf-8"))
    assert code_file(plain, PUBLISHED).warnings == code_file(marked, PUBLISHED).warnings == []
    assert coded(marked) == coded(plain)


@pytest.mark.parametrize("name", ["page.html", "page.txt"])
def test_a_saved_web_page_is_coded_from_its_article_alone(
    tmp_path: Path, plain: Path, name: str
) -> None:
    page = tmp_path / name
    page.write_text(PAGE, encoding="utf-8")
    result = code_file(page, PUBLISHED)
    assert coded(page) == coded(plain)
    texts = " ".join(sentence.text for sentence in result.sentences)
    assert "Subscribe" not in texts and "Sport" not in texts
    assert result.warnings == [
        f"{page}: a web page; its article text was read, not the page around it"
    ]


def test_a_page_without_an_article_is_one_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><head><title></title></head><body><div></div></body></html>")
    with pytest.raises(DataFileError, match="no article text was found"):
        code_file(page, PUBLISHED)


def test_code_news_prints_how_a_file_was_read_as_a_warning(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(REPORT.encode("cp1252"))
    code, out, err = run_forecast(
        ["data", "code-news", str(legacy), "--published", "2024-01-18"], capsys, monkeypatch
    )
    assert code == 0, err
    assert f"warning: {legacy}: not UTF-8; read as" in err.replace("\n", "")
    assert "Iran" in out
