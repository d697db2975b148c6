"""`forecast backtest`: command-line entry points for this pipeline step."""

from __future__ import annotations

import typer

app = typer.Typer(help="backtest", no_args_is_help=True)
