"""Why a forecast says what it does: the drivers, and feature meanings in plain words.

A driver is a fact about the incident that moves the headline probability against a typical
case; the same wording helpers serve the drivers and the caveats about rare inputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from forecast.features.registry import measure_of, window_days
from forecast.models.base import LikelihoodModel
from forecast.predict.incident import Incident
from forecast.predict.result import Driver

N_DRIVERS = 4
# A driver that moves the headline probability by less than this is noise, not a reason.
MIN_DRIVER_EFFECT = 0.005


def _representatives(names: list[str], headline_horizon: int) -> dict[str, str]:
    """Per measure, the window nearest the headline horizon (it speaks for all its windows).

    A measure taken over several windows (force counts over 7, 30, 90 ... days) moves
    together, so varying one window alone shows large effects that cancel out.
    """
    chosen: dict[str, tuple[int, str]] = {}
    for name in names:
        window = window_days(name)
        distance = abs(window - headline_horizon) if window is not None else 0
        measure = measure_of(name)
        if measure not in chosen or distance < chosen[measure][0]:
            chosen[measure] = (distance, name)
    return {measure: name for measure, (_, name) in chosen.items()}


def probabilities_and_effects(
    model: LikelihoodModel,
    features: pd.DataFrame,
    reference_values: pd.Series,
    headline_horizon: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The forecasts, and for each incident and feature how far it moves the headline p.

    The effect is headline p minus p with that feature's whole measure (over every window) set
    to its typical (reference) values, the rest held at the incident's values, so the numbers
    answer "how much does this fact about the incident move the forecast?". A measure's effect
    is reported on the window nearest the headline horizon and its other windows get zero, so
    nested windows cannot show large effects that cancel. Everything comes from one call to the
    model, which is what keeps a forecast fast.
    """
    names = list(features.columns)
    representatives = _representatives(names, headline_horizon)
    measures = list(representatives)
    members = np.array([[measure_of(n) == m for n in names] for m in measures])
    reference = reference_values.reindex(names).to_numpy(dtype=float)
    n_rows, n_measures = len(features), len(measures)
    base = np.repeat(features.to_numpy(dtype=float), n_measures, axis=0)
    mask = np.tile(members, (n_rows, 1))
    base = np.where(mask, reference[None, :], base)
    swapped = pd.DataFrame(base, columns=features.columns)
    both = pd.concat([features, swapped], ignore_index=True)
    p = model.predict_proba(both)
    actual = p.iloc[:n_rows].reset_index(drop=True)
    headline = p[headline_horizon].to_numpy(dtype=float)
    typical = headline[n_rows:].reshape(n_rows, n_measures)
    effects = np.zeros((n_rows, len(names)))
    positions = [names.index(representatives[m]) for m in measures]
    effects[:, positions] = headline[:n_rows, None] - typical
    return actual, effects


def drivers(
    values: pd.Series,
    effects: np.ndarray,
    incident: Incident,
    reference_values: pd.Series,
    meanings: Mapping[str, str],
    headline_horizon: int,
) -> list[Driver]:
    """The few features that move this incident's headline probability most, in words."""
    feature_names = list(reference_values.index)
    order = np.argsort(-np.abs(effects), kind="stable")
    found = []
    for position in order[:N_DRIVERS]:
        effect = float(effects[position])
        if abs(effect) < MIN_DRIVER_EFFECT:
            break
        name = feature_names[position]
        meaning = with_names(meanings.get(name, name.replace("_", " ")), incident)
        value = float(values.iloc[position])
        typical = float(reference_values.iloc[position])
        direction = "raises" if effect > 0 else "lowers"
        here, usual = describe_values(meaning, value, typical)
        siblings = sum(measure_of(n) == measure_of(name) for n in feature_names) - 1
        together = " (with the same measure over its other windows)" if siblings else ""
        found.append(
            Driver(
                feature=name,
                meaning=meaning,
                value=value,
                typical=typical,
                effect=effect,
                direction=direction,
                text=(
                    f"{capitalise(condition(meaning))}: {here} here, {usual} in a typical "
                    f"case. This{together} {direction} the {headline_horizon}-day chance by "
                    f"about {abs(effect) * 100:.0f} percentage points."
                ),
            )
        )
    return found


def with_names(meaning: str, incident: Incident) -> str:
    """Feature meanings speak of 'the initiator' and 'the target'; readers want the countries."""
    initiator, target = incident.initiator_name, incident.target_name
    meaning = re.sub(r"\bthe initiator( state)?\b", initiator, meaning, flags=re.IGNORECASE)
    return re.sub(r"\bthe target( state)?\b", target, meaning, flags=re.IGNORECASE)


def is_flag(meaning: str, value: float, typical: float) -> bool:
    return meaning.lower().startswith("1 if ") and {value, typical} <= {0.0, 1.0}


def condition(meaning: str) -> str:
    """'1 if X, 0 if Y (note)' -> 'X': a flag's meaning as the condition it tests."""
    if not meaning.lower().startswith("1 if "):
        return meaning
    condition = meaning[5:]
    condition = re.split(r",\s*0 if |\s\(", condition, maxsplit=1)[0]
    return condition.strip().rstrip(".")


def describe_values(meaning: str, value: float, typical: float) -> tuple[str, str]:
    """'yes'/'no' for flags, numbers otherwise."""
    if is_flag(meaning, value, typical):
        return ("yes" if value else "no"), ("yes" if typical else "no")
    return number_text(value), number_text(typical)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def number_text(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"
