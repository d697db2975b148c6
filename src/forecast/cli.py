"""The `forecast` command: a thin layer over the library, one sub-command per pipeline step.

DVC stages, notebooks and tests call the same library functions; this module only parses
arguments and turns user-facing errors into one line and exit code 1.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from forecast.commands import (
    backtest,
    data,
    episodes,
    features,
    predict,
    record_age,
    report,
    train,
)
from forecast.errors import ForecastError

app = typer.Typer(
    name="forecast",
    help="Will the target of a cross-border strike strike back, and how soon?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
app.add_typer(episodes.app, name="episodes")
app.add_typer(features.app, name="features")
app.add_typer(backtest.app, name="backtest")
app.add_typer(record_age.app, name="record-age")
app.add_typer(train.app, name="train")
app.add_typer(predict.app, name="predict")
app.add_typer(report.app, name="report")

_errors = Console(stderr=True)


def main() -> None:
    """Entry point: run the app, print user-facing errors without a traceback."""
    try:
        app(standalone_mode=False)
    except ForecastError as exc:
        _errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        _errors.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
