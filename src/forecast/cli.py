"""The `forecast` command: a thin layer over the library, one sub-command per pipeline step.

DVC stages, notebooks and tests call the same library functions; this module only parses
arguments and turns user-facing errors into one line and exit code 1 (usage errors: 2).
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from forecast.commands import (
    as_of,
    backtest,
    classes,
    data,
    episodes,
    features,
    predict,
    record_age,
    report,
    train,
)
from forecast.commands.terminal import make_console
from forecast.core.errors import ForecastError

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
app.add_typer(as_of.app, name="as-of")
app.add_typer(classes.app, name="classes")
app.add_typer(train.app, name="train")
app.add_typer(predict.app, name="predict")
app.add_typer(report.app, name="report")

_errors = make_console(stderr=True)


def main() -> None:
    """Entry point: run the app, print user-facing errors without a traceback.

    Usage errors (unknown option, missing argument, a value of the wrong type) come from the
    click that typer ships inside itself, so they are caught by typer's own base class: they
    print click's usual usage line and message and exit 2. Bad input is a ForecastError: one
    line, exit 1.
    """
    try:
        status = app(standalone_mode=False)
    except ForecastError as exc:
        _errors.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        _errors.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            _errors.print(f"Error: {escape(exc.format_message())}", highlight=False)
        sys.exit(exc.exit_code)
    # Outside standalone mode, `--help` and typer.Exit arrive as a returned exit code.
    if isinstance(status, int) and status:
        sys.exit(status)
