"""Build the policy brief: one self-contained HTML file and a PDF made from it by WeasyPrint.

`brief_context` turns forecasts and backtest results into plain values and sentences; the
template only lays them out. Keeping the arithmetic here lets tests check the numbers without
parsing HTML, and keeps the template free of logic a reviewer would have to trust.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from forecast.core.atomic import atomic_path, write_text
from forecast.core.errors import ForecastError
from forecast.core.wording import (
    ICD_203_BANDS,
    band_for,
    horizon_text,
    percent,
    readable_date,
)
from forecast.evaluation.metrics import reliability_table
from forecast.predict import Forecast
from forecast.predict.outside_view import reference_text
from forecast.record_age.view import record_text
from forecast.report import figures

CLASSIFICATION = "UNCLASSIFIED // FOR DISCUSSION"
TITLE = "Will they strike back? Retaliation risk after recent cross-border strikes"


@dataclass(frozen=True)
class BriefFiles:
    """Where the brief was written and how long it took."""

    html: Path
    pdf: Path | None
    seconds: float


def build_brief(
    forecasts: Sequence[Forecast],
    output_dir: str | Path,
    *,
    metrics: Mapping[str, Any] | None = None,
    backtest: pd.DataFrame | None = None,
    champion: str | None = None,
    prepared: dt.date | None = None,
    calibration_bins: int = 10,
    pdf: bool = True,
) -> BriefFiles:
    """Render reports/brief.html and (unless pdf=False) reports/brief.pdf."""
    started = time.perf_counter()
    if not forecasts:
        raise ForecastError("the brief needs at least one incident (see params report.incidents)")
    context = brief_context(
        forecasts,
        metrics=metrics,
        backtest=backtest,
        champion=champion,
        prepared=prepared,
        calibration_bins=calibration_bins,
    )
    html = render_html(context)
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / "brief.html"
    write_text(html_path, html)
    pdf_path = None
    if pdf:
        pdf_path = folder / "brief.pdf"
        write_pdf(html, pdf_path)
    return BriefFiles(html=html_path, pdf=pdf_path, seconds=time.perf_counter() - started)


def render_html(context: Mapping[str, Any]) -> str:
    """The brief's HTML from its context (autoescape on: notes are free text)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("forecast.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("brief.html.j2").render(**context)


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML to PDF, with only data: URLs allowed so the PDF never touches the network."""
    import logging

    import weasyprint
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    with atomic_path(path) as partial:
        weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(str(partial))


# --------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------


def brief_context(
    forecasts: Sequence[Forecast],
    *,
    metrics: Mapping[str, Any] | None,
    backtest: pd.DataFrame | None,
    champion: str | None,
    prepared: dt.date | None = None,
    calibration_bins: int = 10,
) -> dict[str, Any]:
    """Everything the template shows, as plain values and finished sentences."""
    first = forecasts[0]
    source = first.data_source
    horizon = first.headline_horizon
    return {
        "classification": CLASSIFICATION,
        "title": TITLE,
        "prepared": readable_date(prepared or dt.date.today()),
        "synthetic": bool(source.get("synthetic")),
        "data_line": _data_line(source),
        "model_version": first.model_version,
        "headline_horizon": horizon,
        "key_judgments": [
            {"sentence": f.key_judgment, "incident": f.incident.describe()} for f in forecasts
        ],
        "incidents": [_incident_card(f, n) for n, f in enumerate(forecasts, start=1)],
        "quality": _quality_section(metrics, backtest, champion, horizon, calibration_bins),
        "served": [_served_row(f) for f in forecasts],
        "method": _method_section(first),
        "caveats": _global_caveats(forecasts),
    }


def _served_row(forecast: Forecast) -> dict[str, str]:
    """Which model made this incident's numbers, at what record age, and how that model scored
    in the backtest at that age: the track record that applies to this forecast, which is the
    champion's above only when the record reaches the incident's day."""
    record = forecast.record
    row = {
        "incident": forecast.incident.describe(),
        "reference": "",
        "leaning": _leaning_text(forecast),
    }
    if forecast.reference is not None and forecast.headline_horizon in forecast.reference.rates:
        rate = forecast.reference.rates[forecast.headline_horizon]
        row["reference"] = (
            f"{percent(rate.rate)} of {rate.n:,} ({forecast.reference.name})" if rate.n else ""
        )
    if not record or record.get("model", "champion") == "champion":
        row |= {"model": "the champion", "age": "none", "roc_auc": "above", "bss": "above"}
        return row
    skill = record.get("skill") or {}
    row |= {
        "model": f"record-aware logit ({record.get('kind') or 'band'}, "
        f"{'with' if record.get('context') else 'without'} recent facts)",
        "age": f"{record['age_years']:.1f} years (band {record['band_years']})",
        "roc_auc": _number(skill.get("roc_auc")),
        "bss": _number(skill.get("bss"), signed=True),
    }
    return row


def _leaning_text(forecast: Forecast) -> str:
    """'the model's' or 'weight 0.0 on the model, 1.0 on the outside view' at the headline
    horizon: how far the served number leans on the outside view."""
    weights = forecast.leaning.get("weights", {}) if forecast.leaning else {}
    weight = weights.get(str(forecast.headline_horizon))
    if weight is None:
        return "the model's"
    return (
        f"weight {weight['weight']:.1f} on the model, {1 - weight['weight']:.1f} on the "
        f"outside view"
    )


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "not measured"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def _incident_card(forecast: Forecast, number: int) -> dict[str, Any]:
    incident = forecast.incident
    # Beyond the record's end the curve joins the band model's horizon estimates.
    from_timing_model = forecast.record.get("model", "champion") == "champion"
    fatalities = []
    if incident.fatalities_initiator is not None:
        fatalities.append(f"{incident.initiator_name}: {incident.fatalities_initiator:g}")
    if incident.fatalities_target is not None:
        fatalities.append(f"{incident.target_name}: {incident.fatalities_target:g}")
    return {
        "anchor": f"incident-{number}",
        "number": number,
        "title": (
            f"{incident.initiator_name} → {incident.target_name}, {readable_date(incident.date)}"
        ),
        "what": (
            f"{incident.initiator_name}: {incident.action_text} against {incident.target_name} "
            f"(hostility {incident.hostility})"
        ),
        "fatalities": "; ".join(fatalities) if fatalities else "not reported",
        "notes": incident.notes,
        "coding": incident.coding_statement,
        "key_judgment": forecast.key_judgment,
        "responder": incident.target_name,
        "horizons": [
            {
                "days": days,
                "within": horizon_text(days),
                "p": values.p,
                "low": values.low,
                "high": values.high,
                "p_text": percent(values.p),
                "interval_text": f"{percent(values.low)} to {percent(values.high)}",
                "term": band_for(values.p).term,
            }
            for days, values in forecast.horizons.items()
        ],
        "as_of": forecast.as_of.get("statement", ""),
        "timing_statement": forecast.timing.statement,
        "has_curve": bool(forecast.daily_curve),
        "curve_from_timing_model": from_timing_model,
        "timing_chart": figures.timing_chart(
            forecast.daily_curve,
            forecast.horizons,
            incident.target_name,
            "timing model" if from_timing_model else "likelihood estimates joined",
        ),
        "drivers": forecast.drivers,
        "analogues": forecast.analogues,
        "record": record_text(forecast.record) if forecast.record else "",
        "reference": (reference_text(forecast.reference) if forecast.reference is not None else ""),
        "caveats": forecast.caveats,
    }


def _quality_section(
    metrics: Mapping[str, Any] | None,
    backtest: pd.DataFrame | None,
    champion: str | None,
    horizon: int,
    bins: int,
) -> dict[str, Any]:
    """Calibration in plain words, the reliability diagram and skill against the base rate."""
    section: dict[str, Any] = {
        "available": False,
        "horizon": horizon,
        "champion": champion,
        "bands": [],
        "chart": None,
        "sentences": [],
        "skill": [],
    }
    predictions = _champion_predictions(backtest, champion, horizon)
    if predictions is not None and len(predictions):
        table = reliability_table(
            predictions["p"].to_numpy(float), predictions["y"].to_numpy(float), bins
        )
        section["chart"] = figures.reliability_chart(table, horizon)
        section["bands"] = _band_rows(predictions)
        section["n_backtest"] = int(predictions["y"].notna().sum())
        section["origins"] = _origin_span(predictions)
        section["sentences"].append(_seventy_percent_sentence(predictions, horizon))
        section["available"] = True
    skill = _skill_rows(metrics, champion)
    if skill:
        section["skill"] = skill
        section["available"] = True
    return section


def _champion_predictions(
    backtest: pd.DataFrame | None, champion: str | None, horizon: int
) -> pd.DataFrame | None:
    if backtest is None or backtest.empty:
        return None
    rows = backtest[backtest["horizon"].astype(int) == horizon]
    if champion is not None and "model" in rows:
        rows = rows[rows["model"].astype(str) == champion]
    rows = rows.dropna(subset=["p", "y"])
    return rows.astype({"p": float, "y": float})


def _band_rows(predictions: pd.DataFrame) -> list[dict[str, Any]]:
    """For each estimative term: how often it was used and how often the event followed."""
    terms = predictions["p"].map(lambda p: band_for(min(max(p, 0.0), 1.0)).term)
    rows = []
    for band in ICD_203_BANDS:
        chosen = predictions[terms == band.term]
        if chosen.empty:
            continue
        rows.append(
            {
                "term": band.term,
                "range": band.range_text,
                "n": len(chosen),
                "said": percent(float(chosen["p"].mean())),
                "happened": _share(float(chosen["y"].mean())),
            }
        )
    return rows


def _seventy_percent_sentence(predictions: pd.DataFrame, horizon: int) -> str:
    """'When we said about 70 %, it happened 66 % of the time (1,234 triggers).'"""
    near = predictions[(predictions["p"] >= 0.6) & (predictions["p"] < 0.8)]
    if len(near) < 20:
        return (
            f"The backtest rarely forecast about 70 % at {horizon} days ({len(near)} triggers), "
            f"too few to say how often such forecasts came true."
        )
    return (
        f"When the model said 60-80 % (on average {percent(float(near['p'].mean()))}) that the "
        f"target would strike back {horizon_text(horizon)}, it happened "
        f"{_share(float(near['y'].mean()))} of the time ({len(near):,} triggers in the backtest)."
    )


def _origin_span(predictions: pd.DataFrame) -> str:
    if "origin" not in predictions or predictions["origin"].isna().all():
        return ""
    origins = pd.to_numeric(predictions["origin"], errors="coerce").dropna()
    if origins.empty:
        return ""
    return f"{int(origins.min())}-{int(origins.max())}"


def _skill_rows(metrics: Mapping[str, Any] | None, champion: str | None) -> list[dict[str, Any]]:
    """One row per subset and horizon for the champion, in words a reader can use."""
    if not metrics or champion is None:
        return []
    labels = {"limited_force": "limited uses of force (like the cases above)", "all": "all"}
    rows = []
    for subset, label in labels.items():
        by_horizon = metrics.get(subset, {}).get(champion, {})
        for days, values in sorted(by_horizon.items(), key=lambda kv: int(kv[0])):
            if not isinstance(values, Mapping):
                continue
            bss = values.get("bss")
            rows.append(
                {
                    "subset": label,
                    "days": int(days),
                    "bss": _fmt(bss) + _interval_text(values.get("bss_ci90")),
                    "skill_text": _skill_words(bss),
                    "roc_auc": _fmt(values.get("roc_auc")),
                    "brier": _fmt(values.get("brier"), 3),
                    "ece": _fmt(values.get("ece"), 3),
                    "n": f"{int(values['n']):,}" if values.get("n") is not None else "",
                }
            )
    return rows


def _interval_text(bounds: Any) -> str:
    """' (0.27 to 0.35)' from the backtest's dyad-bootstrap 90 % interval, when it has one."""
    if not isinstance(bounds, Sequence) or len(bounds) != 2:
        return ""
    return f" ({_fmt(bounds[0])} to {_fmt(bounds[1])})"


def _skill_words(bss: Any) -> str:
    if bss is None or pd.isna(bss):
        return "not measured"
    if bss <= 0:
        return "no better than the historical base rate"
    return f"{bss * 100:.0f} % lower squared error than the historical base rate"


def _share(fraction: float) -> str:
    """An observed frequency: unlike a forecast, 0 % and 100 % are real outcomes here."""
    return f"{round(fraction * 100)} %"


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{float(value):.{digits}f}"


def _data_line(source: Mapping[str, Any]) -> str:
    """The provenance banner in a reader's words: kind, sources and readable dates."""
    kind = {"real": "real", "synthetic": "SYNTHETIC", "mixed": "MIXED REAL AND SYNTHETIC"}.get(
        str(source.get("kind")), str(source.get("kind"))
    )
    start, end = source.get("data_start"), source.get("data_end")
    span = f"{readable_date(start)} to {readable_date(end)}" if start and end else "no events"
    sources = ", ".join(source.get("sources", [])) or "no sources"
    return f"Data: {kind} ({sources}; {span})"


def _method_section(forecast: Forecast) -> dict[str, Any]:
    source = forecast.data_source
    return {
        "sources": ", ".join(source.get("sources", [])) or "none recorded",
        "data_start": readable_date(source["data_start"]) if source.get("data_start") else "–",
        "event_data_end": (
            readable_date(source["event_data_end"]) if source.get("event_data_end") else "–"
        ),
        "content_hash": str(source.get("content_hash", ""))[:12],
        "model_version": forecast.model_version,
        "horizons": ", ".join(str(h) for h in forecast.horizons),
    }


def _global_caveats(forecasts: Sequence[Forecast]) -> list[dict[str, Any]]:
    source = forecasts[0].data_source
    caveats = []
    if source.get("synthetic"):
        caveats.append(
            {
                "red": True,
                "text": "SYNTHETIC DATA: every number in this brief comes from a simulated "
                "world, not from real events. Do not use it for decisions.",
            }
        )
    end = source.get("event_data_end")
    if end:
        caveats.append(
            {
                "red": False,
                "text": f"Data coverage ends where the sources end: the coded event data stop "
                f"on {readable_date(end)}. Incidents after that date are forecast from the "
                f"record up to that day by models trained across gaps of the same length, and "
                f"what happened since is known only through the hand-coded incidents in this "
                f"brief's inputs (each forecast states its record's age).",
            }
        )
    caveats.append(
        {
            "red": False,
            "text": "Forecasts describe what usually followed similar incidents in the past. "
            "They cannot see leaders' intentions, diplomacy under way, or events that the "
            "data sources did not code.",
        }
    )
    return caveats
