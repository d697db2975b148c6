"""Score new incidents with the champion models: probabilities, timing, drivers and analogues."""

from forecast.predict.forecaster import (
    Forecast,
    Forecaster,
    Incident,
    band_term,
    parse_incident,
    read_incidents,
)

__all__ = [
    "Forecast",
    "Forecaster",
    "Incident",
    "band_term",
    "parse_incident",
    "read_incidents",
]
