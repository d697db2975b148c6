"""`forecast data agree`: an event feed against MIE, as rich tables."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from forecast.core.config import DataParams
from forecast.core.countries import cow_to_name
from forecast.core.errors import ForecastError
from forecast.sources.agreement import Agreement, agreement_with_mie
from forecast.sources.feeds import find_feed, read_feed
from forecast.sources.locate import locate_source
from forecast.sources.mie import read_mie

REFERENCES = ("mie",)


def print_agreement(
    feed_name: str, against: str, top: int, data: DataParams, console: Console
) -> Agreement:
    """Read the feed and the reference, measure, print; returns the figures."""
    if against not in REFERENCES:
        raise ForecastError(f"--against {against}: only {', '.join(REFERENCES)} is supported")
    located = locate_source("mie", data, allow_download=False)[0]
    if not located.found:
        raise ForecastError(
            f"MIE file not found (looked in {', '.join(located.looked_in)}): set FORECAST_DATA_DIR"
        )
    feed = read_feed(find_feed(feed_name, data), data)
    reference = read_mie(located.path)  # type: ignore[arg-type]
    result = agreement_with_mie(reference.incidents, feed, top=top)
    spans = ", ".join(f"{a} to {b}" for a, b in result.windows)
    console.print(f"{feed_name} against {against}: uses of force (hostility 4+) on {spans}")
    console.print(_table("Directed dyad-days and dyad-weeks", result.overall))
    console.print(_table("By year (within 1 day)", result.by_year))
    largest = result.largest_dyads.assign(
        actor=cow_to_name(result.largest_dyads["actor"]),
        victim=cow_to_name(result.largest_dyads["victim"]),
    )
    console.print(_table(f"Largest {top} dyads in {against} (within 1 day)", largest))
    reach = result.reach
    total = int(reach["reference_dyad_days"])
    for label, wording in (("country", "as bare countries"), ("state_actor", "by any state actor")):
        console.print(
            f"Why: {reach[f'share_both_named_as_{label}']:.1%} of the {total:,} {against} "
            f"dyad-days are between two states the feed names {wording}; recall within those: "
            f"{_percent(reach[f'recall_1d_where_both_named_as_{label}'])} (within 1 day).",
            soft_wrap=True,
        )
    console.print(
        f"{result.month_precision_dropped:,} {against} dyad-days known only to the month "
        "were left out.",
        soft_wrap=True,
    )
    return result


def _percent(value: float) -> str:
    return "-" if pd.isna(value) else f"{value:.1%}"


def _table(title: str, frame: pd.DataFrame) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if frame[column].dtype == object else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(value) for value in row))
    return table


def _cell(value: object) -> str:
    if isinstance(value, float):
        return _percent(value)
    return f"{value:,}" if isinstance(value, int) else str(value)
