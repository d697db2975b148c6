"""How far a forecast leans on the outside view, when the analyst has judged the crisis.

The backtest by class (forecast.classes) learns, per crisis class and horizon, the weight w on
the model that scored best against the class's rate on earlier resolved forecasts; a forecast
whose analyst says crisis yes or no is served w * model + (1 - w) * outside view, its interval
bounds mixed the same way. Without the judgement the model's number is served as it is. The
forecast keeps both numbers and says which was used and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forecast.classes.blend import ClassWeight, ServedBlend
from forecast.core.wording import percent
from forecast.predict.outside_view import ReferenceClass
from forecast.predict.result import HorizonForecast, probability_or_none


@dataclass(frozen=True)
class Leaning:
    """The weights used, the model's own numbers and the outside view's, per horizon."""

    crisis: bool
    weights: dict[int, ClassWeight]
    model: dict[int, float | None]
    reference: dict[int, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "crisis": self.crisis,
            "weights": {str(h): w.to_dict() for h, w in self.weights.items()},
            "model": {str(h): p for h, p in self.model.items()},
            "reference": {str(h): p for h, p in self.reference.items()},
        }

    def sentence(self, horizon: int) -> str:
        """Which number was used at `horizon` and why, in one sentence."""
        weight = self.weights.get(horizon)
        model, reference = self.model.get(horizon), self.reference.get(horizon)
        if weight is None or model is None or reference is None:
            return ""
        judged = "a crisis" if self.crisis else "not a crisis"
        mix = (
            f"{weight.weight:.1f} x the model ({percent(model)}) + {1 - weight.weight:.1f} x the "
            f"outside view ({percent(reference)})"
        )
        if weight.basis == "too_few":
            why = (
                f"the backtest holds only {weight.n} resolved forecasts of that class, too few "
                f"to learn a weight, and a class the model rarely saw is given its outside view"
            )
        else:
            why = (
                f"that weight scored best on {weight.n:,} resolved backtest forecasts of the "
                f"class (Brier {weight.model_brier:.3f} for the model alone, "
                f"{weight.reference_brier:.3f} for the outside view alone)"
            )
        return f"Judged {judged}: the {horizon}-day number is {mix}, because {why}."


def lean(
    horizons: dict[int, HorizonForecast],
    reference: ReferenceClass | None,
    crisis: bool | None,
    blend: ServedBlend | None,
) -> tuple[dict[int, HorizonForecast], Leaning | None]:
    """The served numbers and the leaning behind them (None: the model's numbers as they are)."""
    if crisis is None or blend is None or reference is None or reference.crisis is None:
        return horizons, None
    served, weights, model, outside = {}, {}, {}, {}
    for horizon, forecast in horizons.items():
        weight = blend.weight(crisis, horizon)
        rate = reference.rates.get(horizon)
        if weight is None or rate is None or rate.rate is None or forecast.p is None:
            served[horizon] = forecast
            continue
        weights[horizon], model[horizon], outside[horizon] = weight, forecast.p, rate.rate
        served[horizon] = HorizonForecast(
            p=_mix(forecast.p, rate.rate, weight.weight),
            low=_mix(forecast.low, rate.low, weight.weight),
            high=_mix(forecast.high, rate.high, weight.weight),
        )
    if all(weight.weight == 1.0 for weight in weights.values()):
        return horizons, None
    return _non_decreasing(served), Leaning(crisis, weights, model, outside)


def _non_decreasing(horizons: dict[int, HorizonForecast]) -> dict[int, HorizonForecast]:
    """An answer within 30 days is also one within 90: each horizon's numbers at least the
    shorter horizons' (weights differ by horizon, so mixing alone need not keep the order)."""
    out: dict[int, HorizonForecast] = {}
    floors = [0.0, 0.0, 0.0]
    for horizon in sorted(horizons):
        current = horizons[horizon]
        values = [
            None if value is None else max(value, floor)
            for value, floor in zip((current.p, current.low, current.high), floors, strict=True)
        ]
        floors = [
            floor if value is None else value for value, floor in zip(values, floors, strict=True)
        ]
        out[horizon] = HorizonForecast(*values)
    return out


def _mix(model: float | None, reference: float | None, weight: float) -> float | None:
    if model is None or reference is None:
        return model
    return probability_or_none(weight * model + (1.0 - weight) * reference)
