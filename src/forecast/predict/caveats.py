"""The caveats a forecast carries: missing numbers, rare inputs and gaps in the data.

Each caveat is a sentence a policy reader can act on; they are gathered here so that what a
forecast warns about can be read, and tested, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from forecast.core.errors import ForecastError
from forecast.core.provenance import DataProvenance
from forecast.core.wording import readable_date
from forecast.predict.explain import condition, is_flag, number_text, with_names
from forecast.predict.incident import Incident
from forecast.predict.result import HorizonForecast


def model_caveats(
    horizons: Mapping[int, HorizonForecast], incident: Incident, model_name: str
) -> list[str]:
    """A missing probability is an error; a missing interval is a stated caveat."""
    empty = [h for h, values in horizons.items() if values.p is None]
    if empty:
        raise ForecastError(
            f"{incident.describe()}: the {model_name} model gave no probability at "
            f"{', '.join(map(str, empty))} days; its inputs may lie far outside what it was "
            f"trained on (retrain, or check the incident's fields)"
        )
    if any(values.low is None or values.high is None for values in horizons.values()):
        return [f"The {model_name} model could not give an interval for some horizons."]
    return []


def extrapolation_caveat(
    rare: list[tuple[str, float, int]], meanings: Mapping[str, str], incident: Incident
) -> list[str]:
    """Readers must be told when a forecast rests on inputs the models rarely saw."""
    if not rare:
        return []
    parts = []
    for name, value, seen in rare[:3]:
        meaning = with_names(meanings.get(name, name), incident)
        shown = "yes" if value == 1 else "no" if value == 0 else number_text(value)
        if not is_flag(meaning, value, 1.0 - value if value in (0.0, 1.0) else -1.0):
            shown = number_text(value)
        times = "trigger" if seen == 1 else "triggers"
        parts.append(f"{condition(meaning)}: {shown} (as in {seen:,} past {times})")
    listed = "; ".join(parts)
    more = f" and {len(rare) - 3} more" if len(rare) > 3 else ""
    return [
        f"This incident has inputs the models rarely or never saw in training: {listed}"
        f"{more}. The numbers are an extrapolation; treat them with extra caution."
    ]


def data_caveats(
    incident: Incident,
    events: pd.DataFrame,
    provenance: DataProvenance,
    event_end: pd.Timestamp | None,
    covariates: pd.DataFrame | None,
) -> list[str]:
    """What the data behind this forecast lack: synthetic data, stale events, no dyad history."""
    caveats = []
    if incident.date_precision == "month":
        caveats.append(
            f"Only the month of this incident is known ({incident.date:%B %Y}): it is forecast "
            f"as of {readable_date(incident.date)}, so events later that month are not counted "
            "in its history and the horizons may start up to a month early."
        )
    if provenance.is_synthetic:
        caveats.append(
            "These numbers rest on SYNTHETIC data (a simulated world, not real events); "
            "they show how the method works and say nothing about the real countries."
        )
    if event_end is not None and incident.date > event_end:
        years = (incident.date - event_end).days / 365.25
        recent = _recent_handcoded(events, event_end, incident.date)
        since = (
            f"History since then comes only from {recent} hand-coded incident(s)"
            if recent
            else "No incident since then is in the data"
        )
        caveats.append(
            f"The coded event data end on {readable_date(event_end)}, {years:.1f} years "
            f"before this incident. {since}, so recent tension between the two countries "
            f"may be under-counted."
        )
    if not _dyad_has_history(events, incident):
        caveats.append(
            f"The data hold no earlier use of force between {incident.initiator_name} and "
            f"{incident.target_name}; the forecast rests on each country's record with "
            f"others and on the dyad's covariates."
        )
    if incident.dispute_id is None:
        caveats.append(
            "No confrontation (dispute) id was given, so earlier events of the same "
            "confrontation are not counted as its history."
        )
    covariate_note = _covariate_caveat(covariates, incident)
    if covariate_note:
        caveats.append(covariate_note)
    return caveats


def _dyad_has_history(events: pd.DataFrame, incident: Incident) -> bool:
    pair = {incident.initiator, incident.target}
    mask = (
        events["actor"].isin(pair)
        & events["victim"].isin(pair)
        & (events["actor"] != events["victim"])
        & (pd.to_datetime(events["date"]) < incident.date)
    )
    return bool(mask.any())


def _recent_handcoded(events: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp) -> int:
    dates = pd.to_datetime(events["date"])
    recent = events[(dates > since) & (dates < until)]
    key = "incident_id" if "incident_id" in recent else None
    return int(recent[key].nunique()) if key else len(recent)


def _covariate_caveat(covariates: pd.DataFrame, incident: Incident) -> str | None:
    if covariates is None or covariates.empty or "ccode1" not in covariates:
        return None
    rows = covariates[
        (covariates["ccode1"] == incident.initiator) & (covariates["ccode2"] == incident.target)
    ]
    year = incident.date.year
    known = rows[rows["year"] <= year]["year"]
    if known.empty:
        return (
            f"No covariates (borders, capabilities, regimes, alliances) are known for "
            f"{incident.initiator_name} and {incident.target_name}; neutral values were used."
        )
    latest = int(known.max())
    if latest < year - 1:
        return (
            f"Covariates for {incident.initiator_name} and {incident.target_name} are carried "
            f"forward from {latest}, the last year the covariate sources cover."
        )
    return None
