"""The terminal rendering of a forecast: one rich panel per incident, as `forecast predict` prints.

Free text (notes, names, what happened after an analogue) goes to rich as `Text`, never as
markup, so a "[red]" typed by a person prints as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from forecast.core.wording import percent
from forecast.predict.outside_view import reference_text
from forecast.record_age.view import record_text

if TYPE_CHECKING:
    from forecast.predict.result import Forecast


def forecast_panel(forecast: Forecast) -> Panel:
    """One incident as a rich panel: judgment, horizons, timing, drivers, analogues, caveats."""
    incident = forecast.incident
    horizons = Table(show_edge=False, box=None, padding=(0, 2))
    horizons.add_column("within")
    horizons.add_column("chance", justify="right")
    horizons.add_column("90 % interval")
    for days, values in forecast.horizons.items():
        horizons.add_row(
            f"{days} days",
            percent(values.p),
            f"{percent(values.low)} to {percent(values.high)}",
        )
    parts: list[Any] = [Text(forecast.key_judgment, style="bold"), horizons]
    if forecast.as_of:
        parts.append(Text(forecast.as_of["statement"], style="bold magenta"))
    parts.append(Text(f"Timing: {forecast.timing.statement}"))
    if forecast.drivers:
        parts.append(Text("Drivers:", style="bold"))
        parts.extend(Text(f"  • {driver.text}") for driver in forecast.drivers)
    if forecast.analogues:
        analogues = Table(title="Nearest past triggers", title_justify="left", box=None)
        for column in ("dyad", "date", "action", "what happened"):
            analogues.add_column(column)
        for analogue in forecast.analogues:
            analogues.add_row(
                Text(analogue.dyad),
                Text(analogue.date_text),
                Text(analogue.action),
                Text(analogue.what_happened),
            )
        parts.append(analogues)
    if forecast.record:
        parts.append(Text(record_text(forecast.record), style="cyan"))
    if forecast.reference is not None:
        parts.append(Text(reference_text(forecast.reference), style="cyan"))
    parts.extend(Text(f"Caveat: {caveat}", style="yellow") for caveat in forecast.caveats)
    if incident.coding_statement:
        parts.append(Text(incident.coding_statement, style="bold yellow"))
    if incident.notes:
        parts.append(Text(f"Notes: {incident.notes}", style="dim"))
    title = Text(
        f"{incident.initiator_name} → {incident.target_name}: {incident.action_text}, "
        f"{incident.date_text}"
    )
    return Panel(Group(*parts), title=title, title_align="left")
