"""`forecast predict`: forecast retaliation for incidents given as flags, a CSV or a JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape

from forecast.commands.news import MAX_BYTES_OPTION
from forecast.commands.terminal import echo, make_console, values_table
from forecast.core.config import MAX_ARTICLE_BYTES
from forecast.core.errors import ForecastError

# The forecaster and its inputs load when a forecast is asked for: the `forecast` command
# imports this module on every run.
if TYPE_CHECKING:
    from forecast.predict import Forecast
    from forecast.predict.incident import BadRow, IncidentRows

app = typer.Typer(help="Forecast retaliation for new incidents.")

_FORMATS = ("text", "json")


@app.callback(invoke_without_command=True)
def predict(
    initiator: Annotated[
        str | None, typer.Option(help="Who used force: ISO3, COW code or name")
    ] = None,
    target: Annotated[str | None, typer.Option(help="Against whom: ISO3, COW code or name")] = None,
    date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD, or YYYY-MM if the day is unknown")
    ] = None,
    action: Annotated[str | None, typer.Option(help="attack, clash, seizure, strike, ...")] = None,
    hostility: Annotated[
        int | None,
        typer.Option(help="4 use of force, 5 war (2 threat, 3 display: known events in --input)"),
    ] = None,
    fatalities_initiator: Annotated[
        float | None, typer.Option(help="Deaths on the initiator's side")
    ] = None,
    fatalities_target: Annotated[
        float | None, typer.Option(help="Deaths on the target's side")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Free text kept with the forecast")] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            help="This incident answers the target's use of force on this day (YYYY-MM-DD): "
            "a known event, even after the record's end"
        ),
    ] = None,
    context: Annotated[
        bool | None,
        typer.Option(
            "--context/--no-context",
            help="The days before the incident are known: the incidents given (earlier rows, "
            "--answers) are all the target's recent force against the initiator",
        ),
    ] = None,
    crisis: Annotated[
        str | None,
        typer.Option(
            help="yes, no or unknown: does the target treat the strike as a crisis (recalled "
            "envoys, emergency security meetings, vows to answer)? Picks the outside view's class"
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="YYYY-MM-DD, with no answer known by then: also forecast the chance of an "
            "answer from that day on, for every incident dated on or before it (an input "
            "file's as_of column wins for its rows)",
        ),
    ] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="CSV or JSON file (or folder) of incidents")
    ] = None,
    news: Annotated[
        list[Path] | None,
        typer.Option("--news", help="News article file(s) to code first (see data code-news)"),
    ] = None,
    published: Annotated[
        str | None, typer.Option(help="With --news: the publication date, YYYY-MM-DD")
    ] = None,
    max_bytes: Annotated[int, MAX_BYTES_OPTION] = MAX_ARTICLE_BYTES,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    output: Annotated[Path | None, typer.Option(help="Also write the JSON forecasts here")] = None,
    params_file: Annotated[Path, typer.Option("--params", help="params.yaml to use")] = Path(
        "params.yaml"
    ),
) -> None:
    """Forecast whether and when the target will use force against the initiator."""
    from forecast.core.atomic import writable, write_text
    from forecast.core.config import load_params
    from forecast.predict import Forecaster, parse_incident
    from forecast.predict.incident import read_incident_rows, with_as_of
    from forecast.predict.result import strict_json

    if format not in _FORMATS:
        raise ForecastError(f"--format {format!r}: choose text or json")
    if output is not None:
        writable(output)  # before the work, not after it
    flags = {
        "initiator": initiator,
        "target": target,
        "date": date,
        "action": action,
        "hostility": hostility,
        "fatalities_initiator": fatalities_initiator,
        "fatalities_target": fatalities_target,
        "notes": notes,
        "answers": answers,
        "context": context,
        "crisis": crisis,
    }
    given = {k: v for k, v in flags.items() if v is not None}
    if news and (input is not None or given):
        raise ForecastError("give --news alone, not with --input or the incident flags")
    if input is not None and given:
        raise ForecastError("give either --input or the incident flags, not both")
    if input is None and not given and not news:
        raise ForecastError(
            "no incident given: use --initiator --target --date --action --hostility, "
            "or --input incidents.csv"
        )
    bad_rows: list[BadRow] = []
    if news:
        from forecast.commands.news import coded_news_incidents

        incidents = coded_news_incidents(
            news, published, show=format == "text", max_bytes=max_bytes
        )
    elif input is not None:
        read = read_incident_rows(input)
        incidents, bad_rows = read.incidents, read.bad_rows
        if not incidents:
            _refuse_every_row(input, read)
    else:
        incidents = [parse_incident(given, "flags")]
    if as_of is not None:
        incidents = with_as_of(incidents, as_of)
    forecaster = Forecaster.load(load_params(params_file))
    forecasts = forecaster.predict_many(incidents)
    text = strict_json([f.to_dict() for f in forecasts])
    if output is not None:
        write_text(output, text + "\n")
    if format == "json":
        echo(text)
    else:
        _print_forecasts(forecasts, forecaster.model_version)
    if bad_rows:
        _print_bad_rows(bad_rows)
        make_console(stderr=True).print(
            f"warning: {len(bad_rows)} of the {len(incidents) + len(bad_rows)} incidents in "
            f"{input} were not forecast (the rows above); the other {len(incidents)} were",
            style="yellow",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def _print_forecasts(forecasts: list[Forecast], model_version: str) -> None:
    from forecast.report.panel import forecast_panel

    console = make_console()
    for forecast in forecasts:
        console.print(forecast_panel(forecast))
    banner = forecasts[0].data_source.get("banner", "")
    style = "bold red" if forecasts[0].data_source.get("synthetic") else "dim"
    console.print(f"[{style}]{escape(banner)}[/]", highlight=False)
    console.print(f"{len(forecasts)} incident(s) forecast with models: {model_version}")


def _print_bad_rows(bad_rows: list[BadRow]) -> None:
    """Every row of --input that was not forecast, on stderr beside the forecasts."""
    rows = ((bad.file, bad.row, bad.column, bad.reason) for bad in bad_rows)
    table = values_table("Not forecast", ("file", "row", "column", "reason"), rows)
    make_console(stderr=True).print(table)


def _refuse_every_row(input: Path, read: IncidentRows) -> NoReturn:
    """No row of --input can be forecast: exit 1, with one line for one bad row (as for the
    flags), or every bad row listed and one line under them."""
    if len(read.bad_rows) == 1:
        raise ForecastError(read.bad_rows[0].message)
    _print_bad_rows(read.bad_rows)
    raise ForecastError(
        f"{input}: none of its {read.rows} incidents can be forecast (the rows above say why)"
    )
