"""Score new incidents with the champion models: probabilities, timing, drivers and analogues.

The package's modules each do one job (incident parsing, the forecaster, drivers, analogues,
caveats, timing, the result); the names below are the public API, importable from here.
"""

from forecast.predict.forecaster import Forecaster
from forecast.predict.incident import Incident, parse_incident, read_incidents
from forecast.predict.result import Forecast, band_term

__all__ = [
    "Forecast",
    "Forecaster",
    "Incident",
    "band_term",
    "parse_incident",
    "read_incidents",
]
