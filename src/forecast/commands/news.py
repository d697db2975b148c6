"""`forecast data code-news` and the coding block of `forecast predict --news`.

Thin layer over forecast.news: read the articles, show the proposed incidents with their
evidence, write them as CSV or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from forecast.commands.terminal import echo, make_console
from forecast.core.config import MAX_ARTICLE_BYTES
from forecast.core.errors import DataFileError, ForecastError

# The coder (sentence splitter, gazetteer, lexicon) and its pandas export load when an article
# is coded: the `forecast` command imports this module on every run, `predict` included.
if TYPE_CHECKING:
    from forecast.news import CodingResult
    from forecast.predict.incident import Incident

_FORMATS = ("table", "csv", "json")
# Shared by code-news and predict --news so both take the same limit with the same words.
MAX_BYTES_OPTION = typer.Option(
    "--max-bytes",
    min=1,
    help="Refuse an article file larger than this many bytes (a news report is a few KB).",
)


def parse_published(text: str) -> dt.date:
    """The publication date the weekdays of an article are resolved against.

    Within the years an incident may have (1800-2100): "yesterday" in an article dated
    0001-01-01 would fall before the first day Python's dates can hold.
    """
    from forecast.core.contracts import FIRST_YEAR, LAST_YEAR

    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ForecastError(
            f"--published {text!r}: write the article's publication date as YYYY-MM-DD"
        ) from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ForecastError(
            f"--published {text!r}: give a publication date from {FIRST_YEAR} to {LAST_YEAR}, "
            "written YYYY-MM-DD"
        )
    return day


def code_articles(
    files: Sequence[Path], published: str, max_bytes: int = MAX_ARTICLE_BYTES
) -> list[CodingResult]:
    """Code each article against the publication date given on the command line; how a file
    was read, when a user should know it (a legacy encoding, a web page), is a warning."""
    from forecast.news import code_file

    day = parse_published(published)
    results = [code_file(path, day, max_bytes) for path in files]
    messages = make_console(stderr=True)
    for warning in (text for result in results for text in result.warnings):
        messages.print(f"warning: {warning}", style="yellow", highlight=False, markup=False)
    return results


def code_news(
    files: Annotated[
        list[Path],
        typer.Argument(help="Article files: text (UTF-8, or a detected encoding) or saved pages."),
    ],
    published: Annotated[
        str, typer.Option(help="Publication date, YYYY-MM-DD: weekdays are read against it.")
    ],
    format: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    output: Annotated[
        Path | None,
        typer.Option(help="Write a CSV in data/incidents/'s layout to edit and accept."),
    ] = None,
    max_bytes: Annotated[int, MAX_BYTES_OPTION] = MAX_ARTICLE_BYTES,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --output file if it exists.")
    ] = False,
) -> None:
    """Propose the incidents news articles report, with the sentence behind each field."""
    from forecast.news.export import canonical_rows, handcoded_frame, write_handcoded_csv

    if format not in _FORMATS:
        raise ForecastError(f"--format {format!r}: choose table, csv or json")
    if output is not None:
        _may_write(output, force)
    results = code_articles(files, published, max_bytes)
    if format == "json":
        echo(json.dumps(canonical_rows(results), indent=2, ensure_ascii=False))
    elif format == "csv":
        echo(handcoded_frame(results).to_csv(index=False), nl=False)
    else:
        print_coding(results, make_console())
    if output is not None:
        written = write_handcoded_csv(results, output)
        make_console(stderr=True).print(
            f"wrote {written} proposed incident(s) to {output} (accepted = no until a person "
            "checks them; then use forecast predict --input)",
            soft_wrap=True,
            highlight=False,
        )


def _may_write(output: Path, force: bool) -> None:
    """Refuse an --output that exists unless forced: a person edits that file to check and
    accept the proposals, and a second run would silently replace their work with fresh
    `accepted = no` rows. Any existing file, not only one with accepted rows, because
    corrections a person has not yet marked accepted are work too."""
    from forecast.core.atomic import writable

    writable(output)
    if output.exists() and not force:
        raise DataFileError(
            output,
            "exists, and a person may have checked and accepted its rows",
            "give another --output, or --force to replace it",
        )


def print_coding(results: Sequence[CodingResult], console: Console) -> None:
    """Each article's proposed incidents, the evidence per field, and the sentences set aside."""
    for result in results:
        console.print(coding_table(result))
        for incident in result.incidents:
            # Article text is the user's: printed as written, never read as rich markup.
            console.print(f"[bold]{escape(incident.incident_id)}[/] evidence:", highlight=False)
            if incident.fatalities_reported_by:
                console.print(
                    f"  deaths reported by: {incident.fatalities_reported_by}",
                    highlight=False,
                    markup=False,
                )
            for name, evidence in incident.evidence.items():
                style = "yellow" if evidence.confidence < 0.5 else "dim"
                text = f"  {evidence.describe(name)}"
                console.print(text, style=style, highlight=False, markup=False)
            for note in incident.notes:
                console.print(f"  note: {note}", style="dim", highlight=False, markup=False)
        for verdict in result.verdicts:
            text = f"  s{verdict.sentence}: {verdict.verdict}"
            console.print(text, style="dim", highlight=False, markup=False)
        console.print(
            "AUTOMATIC CODING, NOT YET ACCEPTED BY A PERSON: check each field against its "
            "sentence before relying on it.",
            style="bold yellow",
        )


def coding_table(result: CodingResult) -> Table:
    """One row per proposed incident of one article."""
    table = Table(
        title=f"{escape(str(result.article))} (published {result.published.isoformat()}): "
        f"{len(result.incidents)} incident(s) proposed",
        title_justify="left",
    )
    for column in ("incident", "date", "action", "target", "deaths i/t", "conf.", "check"):
        table.add_column(column, overflow="fold")
    for incident in result.incidents:
        deaths = "/".join(
            "?" if n is None else str(n)
            for n in (incident.fatalities_initiator, incident.fatalities_target)
        )
        table.add_row(
            f"{incident.initiator} -> {incident.target}"
            if incident.directed
            else f"{incident.initiator} <-> {incident.target}",
            f"{incident.date_text} ({incident.date_precision})",
            f"{incident.action} ({incident.hostility})",
            incident.target_kind,
            deaths,
            f"{incident.confidence:.2f}",
            ", ".join(incident.low_confidence) or "-",
        )
    return table


def coded_news_incidents(
    files: Sequence[Path],
    published: str | None,
    *,
    show: bool,
    max_bytes: int = MAX_ARTICLE_BYTES,
) -> list[Incident]:
    """For `predict --news`: code the articles, print the coding, return what to forecast."""
    from forecast.news.export import forecastable

    if published is None:
        raise ForecastError("--news needs --published YYYY-MM-DD (the articles' publication date)")
    results = code_articles(files, published, max_bytes)
    console = make_console()
    if show:
        print_coding(results, console)
    incidents, left_out = forecastable([i for result in results for i in result.incidents])
    for reason in left_out:
        make_console(stderr=True).print(f"not forecast: {reason}", style="yellow", highlight=False)
    if not incidents:
        names = ", ".join(str(path) for path in files)
        raise ForecastError(f"{names}: no use of force with a known day was found to forecast")
    return incidents
