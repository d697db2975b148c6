"""The small HTML card a Forecast shows in JupyterLab.

`forecast.report` registers `forecast_card_html` with IPython's HTML formatter, so the forecast
itself carries no markup. Rendered with Jinja2 and autoescape on, because incident notes are
free text typed by people and a notebook renders whatever HTML it is given.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2

from forecast.core.wording import percent, readable_date
from forecast.predict.outside_view import reference_text
from forecast.record_age.view import record_text

if TYPE_CHECKING:
    from forecast.predict.result import Forecast

_CARD = """
<div style="font-family: sans-serif; border: 1px solid #999; border-radius: 6px;
            padding: 10px 14px; max-width: 640px; line-height: 1.35">
  {% if synthetic %}<div style="color: #b00000; font-weight: bold">SYNTHETIC DATA: not real
    events</div>{% endif %}
  <div style="font-weight: bold; font-size: 1.1em">{{ title }}</div>
  <div style="margin: 6px 0">{{ judgment }}</div>
  <table style="border-collapse: collapse">
    <tr><th style="text-align:left; padding-right:12px">Within</th>
        <th style="text-align:right; padding-right:12px">Chance</th>
        <th style="text-align:left">90 % interval</th></tr>
    {% for h in horizons %}<tr><td>{{ h.days }} days</td>
      <td style="text-align:right; padding-right:12px">{{ h.p }}</td>
      <td>{{ h.low }} to {{ h.high }}</td></tr>{% endfor %}
  </table>
  {% if as_of %}<div style="margin-top: 6px; font-weight: bold; color: #602070">{{ as_of }}</div>
  {% endif %}
  <div style="margin-top: 6px">{{ timing }}</div>
  {% if drivers %}<div style="margin-top: 6px"><b>Drivers</b><ul style="margin: 2px 0">
    {% for d in drivers %}<li>{{ d }}</li>{% endfor %}</ul></div>{% endif %}
  {% if notes %}<div style="margin-top: 6px"><b>Notes:</b> {{ notes }}</div>{% endif %}
  {% if record %}<div style="font-size: 0.9em; color: #205070; margin-top: 6px">{{ record }}</div>
  {% endif %}
  {% if reference %}<div style="font-size: 0.9em; color: #205070; margin-top: 6px">
    {{ reference }}</div>{% endif %}
  {% for c in caveats %}<div style="font-size: 0.9em; color: #555">Caveat: {{ c }}</div>
  {% endfor %}
  <div style="font-size: 0.8em; color: #555; margin-top: 6px">{{ banner }} · models:
    {{ model_version }}</div>
</div>
"""


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    return jinja2.Environment(autoescape=True).from_string(_CARD)


def forecast_card_html(forecast: Forecast) -> str:
    """The card's HTML; every value passes through Jinja's escaping."""
    incident = forecast.incident
    return _template().render(
        synthetic=forecast.data_source.get("synthetic", False),
        title=(
            f"{incident.initiator_name} → {incident.target_name}, "
            f"{incident.action_text}, {readable_date(incident.date)}"
        ),
        judgment=forecast.key_judgment,
        horizons=[
            {
                "days": days,
                "p": percent(values.p),
                "low": percent(values.low),
                "high": percent(values.high),
            }
            for days, values in forecast.horizons.items()
        ],
        as_of=forecast.as_of.get("statement", ""),
        timing=forecast.timing.statement,
        drivers=[d.text for d in forecast.drivers],
        notes=incident.notes,
        caveats=forecast.caveats,
        record=record_text(forecast.record) if forecast.record else "",
        reference=reference_text(forecast.reference) if forecast.reference is not None else "",
        banner=forecast.data_source.get("banner", ""),
        model_version=forecast.model_version,
    )
