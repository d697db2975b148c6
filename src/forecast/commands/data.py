"""`forecast data`: find the source files, build the incident table, look at a dyad.

Thin layer over forecast.sources and the fetch and ingest stages: arguments in, rich tables out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from forecast.commands.news import code_news
from forecast.commands.terminal import make_console, values_table
from forecast.core.config import DEFAULT_PARAMS_PATH, DataParams, FeedParams, load_params
from forecast.core.errors import ForecastError

# The readers, the ingest and the tables are imported by the command that uses them: every
# `forecast` run imports this module to list its commands, `forecast predict` included.
if TYPE_CHECKING:
    from forecast.sources.base import SourceResult
    from forecast.stages.ingest import IngestReport

app = typer.Typer(
    help="Find the source files, build the incident table, look at a dyad.", no_args_is_help=True
)
console = make_console()
app.command("code-news")(code_news)

ParamsOption = Annotated[Path, typer.Option("--params", help="params.yaml to read.")]


@app.command()
def sources(params_path: ParamsOption = DEFAULT_PARAMS_PATH) -> None:
    """List each supported source, where its files are looked for and whether they were found."""
    from forecast.core.tables import INCIDENTS_DIR
    from forecast.sources.handcoded import handcoded_files
    from forecast.sources.locate import SOURCE_FILES, locate_source
    from forecast.stages.fetch import plan_sources

    params = load_params(params_path)
    table = Table(
        title="Data sources (looked for in: params path, data/external, "
        "$FORECAST_DATA_DIR, download)"
    )
    for column in ("source", "in data.sources", "file", "status"):
        table.add_column(column, overflow="fold")
    # Full paths go below the table, one per line and never wrapped, so that
    # a deep checkout or a narrow terminal cannot cut a file name in half.
    where: list[str] = []
    for source in SOURCE_FILES:
        for located in locate_source(source, params.data, allow_download=False):
            status = (
                f"[green]found[/] ({located.found_by})" if located.found else "[red]not found[/]"
            )
            table.add_row(
                source, "yes" if source in params.data.sources else "no", located.spec.key, status
            )
            where.append(
                f"{located.spec.key}: {located.path}"
                if located.found
                else f"{located.spec.key}: not found; looked in {', '.join(located.looked_in)}"
            )
    files = handcoded_files(INCIDENTS_DIR)
    table.add_row(
        "handcoded",
        "yes" if "handcoded" in params.data.sources else "no",
        f"{INCIDENTS_DIR}/*.csv",
        f"[green]{len(files)} file(s)[/]" if files else "[red]none[/]",
    )
    where.append(f"handcoded: {INCIDENTS_DIR}")
    console.print(table)
    for line in where:
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    _print_feeds(params.data)
    plan = plan_sources(params, allow_download=False)
    console.print(f"ingest would use: [bold]{plan.mode}[/] data")


def _print_feeds(data: DataParams) -> None:
    """The event feeds declared (params.yaml's are ingested; data/feeds/*.yaml serve
    `forecast data agree`) and the feed formats the adapters read."""
    from forecast.sources.feeds import FEED_FORMATS, configured_feeds, locate_feed_path

    feeds = Table(title="Event feeds (params.yaml data.feeds, data/feeds/*.yaml)")
    for column in ("feed", "format", "file", "declared in", "ingested", "status"):
        feeds.add_column(column, overflow="fold", no_wrap=column != "file")
    where: list[str] = []
    configured = configured_feeds(data)
    for entry in configured:
        feed = entry.feed
        try:
            found = f"{feed.name}: {locate_feed_path(feed.name, feed.file, data)}"
            status = "[green]found[/]"
        except ForecastError as exc:
            found, status = str(exc), "[red]not found[/]"
        ingested = "yes" if entry.ingested else "no"
        feeds.add_row(feed.name, feed.format, feed.file, entry.declared_in, ingested, status)
        where.append(found)
    if configured:
        console.print(feeds)
        for line in where:
            console.print(line, soft_wrap=True, highlight=False, markup=False)
    else:
        console.print("Event feeds: none declared (params.yaml data.feeds, data/feeds/*.yaml)")
    formats = Table(title="Event-feed formats (a feed's format:)")
    for column in ("format", "feed", "codes", "layout", "declared feeds"):
        formats.add_column(column, overflow="fold", no_wrap=column in ("format", "feed", "codes"))
    for spec in FEED_FORMATS:
        names = [e.feed.name for e in configured if e.feed.format == spec.name]
        formats.add_row(
            spec.name, spec.title, spec.scheme.upper(), spec.layout, ", ".join(names) or "-"
        )
    console.print(formats)


@app.command()
def fetch(params_path: ParamsOption = DEFAULT_PARAMS_PATH) -> None:
    """Locate every real source file and record path and md5 in data/raw/manifest.json."""
    from forecast.core import tables
    from forecast.stages.fetch import run_fetch

    plan = run_fetch(load_params(params_path))
    if plan.mode == "synthetic":
        console.print(
            "[bold yellow]no real source file found: ingest will use the embedded SYNTHETIC "
            "world[/]"
        )
    found = sum(len(files) for files in plan.located.values())
    console.print(f"{tables.path('manifest')}: {found} real file(s) recorded, mode {plan.mode}")


@app.command()
def ingest(
    params_path: ParamsOption = DEFAULT_PARAMS_PATH,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine", help="local or spark: where GDELT feeds are reduced (docs/spark.md)"
        ),
    ] = None,
) -> None:
    """Build data/interim/incidents.parquet from the sources named in params.yaml."""
    from forecast.episodes import unmodelled_sources, unmodelled_warning
    from forecast.stages.ingest import run_ingest

    params = load_params(params_path)
    report = run_ingest(params, engine=engine, show_progress=True)
    _print_ingest(report)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    for source in unmodelled_sources((r.source for r in report.results), params.data):
        console.print(f"[yellow]warning:[/] {escape(unmodelled_warning(source))}", soft_wrap=True)


def _print_ingest(report: IngestReport) -> None:
    from forecast.core import tables

    table = Table(title="Ingest: rows per source")
    for column in ("source", "rows read", "kept", "quarantined", "incidents", "coverage"):
        table.add_column(
            column, justify="right" if column not in ("source", "coverage") else "left"
        )
    for result in report.results:
        span = report.coverage[result.source]
        table.add_row(
            escape(result.source),
            f"{result.rows_read:,}",
            f"{result.rows_kept:,}",
            f"{result.rows_quarantined:,}",
            f"{len(result.incidents):,}",
            f"{span['start']} to {span['end']}",
        )
    console.print(table)
    for source in sorted(report.plan.missing) if report.plan.mode == "real" else []:
        console.print(f"[yellow]warning:[/] {source} files not found; it was left out")
    style = "bold white on red" if report.provenance.is_synthetic else "bold white on green"
    banner = report.provenance.banner()
    if report.plan.mode == "synthetic":
        banner += (
            "\nNo real source file was found: set FORECAST_DATA_DIR or see `forecast data sources`."
        )
    console.print(Panel(escape(banner), style=style))
    console.print(
        f"wrote {len(report.incidents):,} incidents to {tables.path('incidents')}; "
        f"{sum(r.rows_quarantined for r in report.results):,} rows quarantined "
        f"({len(report.quarantine):,} records in {tables.path('quarantine')})",
        soft_wrap=True,
    )


@app.command()
def show(
    first: Annotated[str, typer.Argument(help="A country: ISO3 (IRN), COW code (630) or name.")],
    second: Annotated[str, typer.Argument(help="The other country.")],
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable), e.g. mie.")
    ] = None,
    ids: Annotated[bool, typer.Option(help="Show incident ids.")] = False,
) -> None:
    """A dyad's incidents in date order, both directions, with country names."""
    from forecast.core.countries import cow_to_name, name_of, resolve_country
    from forecast.core.provenance import provenance_of
    from forecast.notebook.load import load_incidents, load_sources

    a, b = resolve_country(first), resolve_country(second)
    incidents = load_incidents()
    pair = incidents[
        ((incidents["initiator"] == a) & (incidents["target"] == b))
        | ((incidents["initiator"] == b) & (incidents["target"] == a))
    ]
    if source:
        pair = pair[pair["source"].isin(source)]
    pair = pair.sort_values(["date", "incident_id"], kind="stable")
    try:
        banner = str(load_sources()["banner"])
    except ForecastError:
        banner = provenance_of(incidents).banner()
    console.print(banner, style="bold", markup=False)
    table = Table(title=f"{name_of(a)} - {name_of(b)}: {len(pair)} incidents")
    for column in ("date", "who", "action", "deaths", "source", *(["id"] if ids else [])):
        table.add_column(column, overflow="fold")
    initiators, targets = cow_to_name(pair["initiator"]), cow_to_name(pair["target"])
    for row, initiator, target in zip(pair.itertuples(), initiators, targets, strict=True):
        day = row.date.strftime("%Y-%m-%d" if row.date_precision == "day" else "%Y-%m")
        arrow = "->" if row.directed else "<->"
        table.add_row(
            day,
            f"{initiator} {arrow} {target}",
            f"{row.action} ({row.hostility})",
            _deaths(row.fatalities_initiator, row.fatalities_target),
            escape(row.source),
            *([escape(row.incident_id)] if ids else []),
        )
    console.print(table)
    console.print("deaths: initiator / target (? unknown); <-> force by both sides")


def _deaths(initiator: object, target: object) -> str:
    import pandas as pd

    def text(value: object) -> str:
        return "?" if pd.isna(value) else f"{value:g}"

    return f"{text(initiator)} / {text(target)}"


@app.command()
def agree(
    feed: Annotated[str, typer.Argument(help="A feed named in data.feeds or data/feeds/.")],
    against: Annotated[str, typer.Option(help="The reference source.")] = "mie",
    top: Annotated[int, typer.Option(help="How many of the largest dyads to show.")] = 10,
    params_path: ParamsOption = DEFAULT_PARAMS_PATH,
) -> None:
    """Recall and precision of an event feed's uses of force against MIE, and why."""
    from forecast.commands.agreement import print_agreement

    print_agreement(feed, against, top, load_params(params_path).data, console)


@app.command("check-file")
def check_file(
    path: Annotated[Path, typer.Argument(help="A CSV/Parquet file of incidents, or a feed file.")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="YAML column mapping, or a feed mapping (docs/data-sources.md)."
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", "-c", help="field=file_column or field:=constant, repeatable."),
    ] = None,
    feed_format: Annotated[
        str | None,
        typer.Option("--format", help="Read as an event feed: icews, gdelt or polecat."),
    ] = None,
) -> None:
    """Read your own incident file (or an event-feed file) and report what would be kept."""
    from forecast.sources.feeds import is_feed_mapping
    from forecast.sources.tabular import load_mapping, mapping_from_pairs, read_tabular

    if feed_format is not None or (mapping is not None and is_feed_mapping(mapping)):
        result = _check_feed(path, mapping, feed_format)
    elif mapping is not None:
        result = read_tabular(path, load_mapping(mapping))
    elif column:
        result = read_tabular(path, mapping_from_pairs(column))
    else:
        raise ForecastError("give --mapping FILE.yaml, --format FEED or --column field=column")
    console.print(
        f"{path}: {result.rows_read:,} rows read, {result.rows_kept:,} kept, "
        f"{result.rows_quarantined:,} quarantined",
        soft_wrap=True,
        markup=False,
    )
    windows = result.coverage.windows
    if windows is not None:
        spans = ", ".join(f"{a} to {b}" for a, b in windows) or "none"
        console.print(f"{len(result.incidents):,} incidents; coverage windows: {spans}")
    if len(result.quarantine):
        names = ("file", "row", "column", "value", "reason")[0 if windows else 1 :]
        records = result.quarantine.head(20).itertuples()
        rows = ([getattr(record, name) for name in names] for record in records)
        console.print(values_table("Quarantined (first 20 records)", names, rows))


def _check_feed(path: Path, mapping: Path | None, feed_format: str | None) -> SourceResult:
    """A feed file read by its feed mapping, or by a format given on the command line."""
    from forecast.sources.feeds import load_feed_spec, read_feed

    overrides: dict[str, object] = {"file": str(path)}
    if mapping is not None:
        feed = load_feed_spec(mapping, **overrides)
    else:
        try:
            feed = FeedParams(name="feed", format=feed_format, file=str(path))  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ForecastError(
                f"--format {feed_format}: {exc.errors()[0]['msg']} (knowledge-graph slices "
                "need a feed mapping with their time encoding: -m data/feeds/icews18.yaml)"
            ) from exc
    return read_feed(feed, load_params(DEFAULT_PARAMS_PATH).data, path=path)
