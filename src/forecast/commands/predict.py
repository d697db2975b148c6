"""`forecast predict`: command-line entry points for this pipeline step."""

from __future__ import annotations

import typer

app = typer.Typer(help="predict", no_args_is_help=True)
