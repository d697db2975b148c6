"""Every rendering of a forecast: the policy brief, the notebook card and the terminal panel.

`build_brief` is imported lazily so that `forecast predict` and the notebook card do not pay for
matplotlib and WeasyPrint.

In IPython (JupyterLab, a notebook, the IPython shell) a `Forecast` displays as a small HTML
card as soon as this package is imported: importing it registers the card with IPython's HTML
formatter, so `from forecast.report import ...` anywhere in a notebook is enough.
`enable_notebook_cards()` does the same explicitly (the notebooks call it, so a reader sees
where the card comes from), and `%load_ext forecast.report` is the IPython-extension spelling.
Outside IPython nothing is registered and IPython is never imported.
"""

from __future__ import annotations

import sys
from typing import Any


def enable_notebook_cards(ipython: Any | None = None) -> bool:
    """Show every `Forecast` as its HTML card in the running IPython; False outside IPython.

    Registering the same function again replaces the earlier registration, so calling this
    twice (or importing the package and then calling it) is harmless.
    """
    shell = ipython if ipython is not None else _running_ipython()
    if shell is None:
        return False
    from forecast.predict.result import Forecast
    from forecast.report.card import forecast_card_html

    shell.display_formatter.formatters["text/html"].for_type(Forecast, forecast_card_html)
    return True


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext forecast.report`: IPython's usual way for a library to add its displays."""
    enable_notebook_cards(ipython)


def _running_ipython() -> Any | None:
    """The IPython shell this code runs in, if any, without importing IPython when it is not."""
    if "IPython" not in sys.modules:
        return None
    return sys.modules["IPython"].get_ipython()


def __getattr__(name: str) -> Any:
    if name in {"build_brief", "BriefFiles"}:
        from forecast.report import render

        return getattr(render, name)
    raise AttributeError(name)


enable_notebook_cards()
