"""An article file's text as a person would read it: UTF-8, or a legacy encoding detected and
named, and a saved web page reduced to its article.

Reports reach analysts as they were saved: from an older system in Windows-1252 or Latin-1, or
as the whole web page. Refusing those would leave the report uncoded; decoding them silently
could code a wrongly decoded name. So UTF-8 is read as it is; anything else is decoded with the
encoding `charset_normalizer` finds most likely, and the result says which, so the command
prints a warning. A page (HTML) is reduced to its main text by `trafilatura`, which drops the
menus, links and comments that would otherwise read as sentences. Both libraries are imported
here only, on the news path, so a typed `forecast predict` never loads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from forecast.core.errors import DataFileError

# The start of a saved web page, after any byte-order mark and white space.
_HTML_START = re.compile(r"\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


@dataclass(frozen=True)
class ArticleText:
    """The text to code, and what a user should know about how it was read."""

    text: str
    warnings: list[str] = field(default_factory=list)


def read_article(path: Path, content: bytes) -> ArticleText:
    """The article in `content` (the bytes of `path`), decoded and, if a page, reduced."""
    if b"\x00" in content:
        raise DataFileError(path, "is binary, not text", "give the article as a text file")
    warnings: list[str] = []
    text = _decoded(path, content, warnings)
    if path.suffix.lower() in HTML_SUFFIXES or _HTML_START.match(text):
        text = _page_text(path, text)
        warnings.append(f"{path}: a web page; its article text was read, not the page around it")
    return ArticleText(text, warnings)


def _decoded(path: Path, content: bytes, warnings: list[str]) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        if best is None:
            raise DataFileError(
                path,
                f"is not UTF-8 text ({exc.reason} at byte {exc.start}) and its encoding "
                "cannot be told",
                "save it as UTF-8",
            ) from exc
        warnings.append(
            f"{path}: not UTF-8; read as {best.encoding} (save it as UTF-8 to be sure of "
            "every name)"
        )
        return str(best)


def _page_text(path: Path, page: str) -> str:
    import trafilatura

    text = trafilatura.extract(page, include_comments=False, include_tables=False)
    if not text or not text.strip():
        raise DataFileError(
            path, "is a web page in which no article text was found", "save the article's text"
        )
    return text
