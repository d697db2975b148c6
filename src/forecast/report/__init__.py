"""The policy brief: figures, templates, and HTML and PDF export.

`build_brief` is imported lazily so that `forecast predict` and the notebook card do not pay for
matplotlib and WeasyPrint.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in {"build_brief", "BriefFiles"}:
        from forecast.report import render

        return getattr(render, name)
    raise AttributeError(name)
