"""The synthetic event process: a self- and mutually-exciting (Hawkes) process on directed dyads.

Simulated through its branching representation, one generation at a time, never one event at a
time: background ("immigrant") events per directed dyad-year are Poisson counts; every event then
may get one RESPONSE (the target strikes back: mutual excitation) and Poisson-many CONTINUATIONS
(the initiator strikes again: self-excitation), each after a log-normal delay. The response
probability carries the planted effects listed in `PlantedEffects` and docs/synthetic.md, so
models trained on the output can be checked against known truth: a Bernoulli answer per event
keeps those effects visible in the labels instead of drowning them in cluster-wide intensity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Day numbers count from 1970-01-01 (numpy's datetime64[D] epoch) throughout.


@dataclass(frozen=True)
class PlantedEffects:
    """Log-odds effects on the chance that event A->B gets one answer B->A (its own offspring).

    Every event (not only uses of force) may be answered; the answer's action is drawn from the
    MIE mix like any other event's. `in_exchange` applies when A->B is itself an answer to an
    earlier B->A. `capability_share` multiplies (B's share of the dyad's capabilities - 0.5),
    so a target twice as strong as the initiator (share 2/3) adds a sixth of it. `dyad_sd` is
    the spread of a fixed per-directed-dyad propensity to answer: a target that answered this
    initiator before tends to answer again, which history-based features can pick up.
    """

    intercept: float = -0.8
    land_border: float = 0.8
    rivalry: float = 0.7
    fatalities_on_target: float = 1.5
    capability_share: float = 2.5
    joint_democracy: float = -1.0
    in_exchange: float = 0.5
    dyad_sd: float = 0.7


@dataclass(frozen=True)
class BackgroundEffects:
    """Log-rate effects on a directed dyad's background (immigrant) events per year."""

    land_border: float = 1.0
    rivalry: float = 1.0
    major_power_initiator: float = 1.0
    log_distance_per_1000km: float = -0.8
    joint_democracy: float = -1.0


@dataclass(frozen=True)
class ProcessSettings:
    """Shape of the process; defaults are tuned so the world reproduces MIE's figures roughly."""

    # Each event is answered at most once (Bernoulli, with the planted effects) and has
    # Poisson-many continuations with mean continuation_ratio x a cluster intensity drawn once
    # per confrontation from Gamma(intensity_shape, 1 / intensity_shape): most confrontations
    # are a few events, a few are long wars (MIE's bursty dyads). The total offspring mean is
    # capped at max_offspring_mean < 1 so no confrontation explodes.
    continuation_ratio: float = 0.3
    intensity_shape: float = 4.0
    max_offspring_mean: float = 0.95
    # Events per confrontation at the defaults, measured on generated worlds; it turns an
    # expected event count into a background rate.
    mean_cluster_events: float = 6.8
    delay_median_days: float = 4.0
    delay_sigma: float = 2.3
    max_generations: int = 500
    planted: PlantedEffects = field(default_factory=PlantedEffects)
    background: BackgroundEffects = field(default_factory=BackgroundEffects)


@dataclass(frozen=True)
class DyadYearArrays:
    """Per directed dyad (rows) and year (columns) inputs of the process, as numpy arrays."""

    initiator: np.ndarray  # (n_dyads,) COW codes
    target: np.ndarray
    reverse: np.ndarray  # index of the dyad B->A for dyad A->B
    first_year: int
    active: np.ndarray  # (n_dyads, n_years) bool: both states exist
    land_border: np.ndarray
    rivalry: np.ndarray
    joint_democracy: np.ndarray
    major_initiator: np.ndarray
    target_capability_share: np.ndarray  # B's share for dyad A->B
    mindist_km: np.ndarray


@dataclass
class EventArrays:
    """The simulated events, columnar: directed dyad index, day number and per-event marks."""

    dyad: np.ndarray
    day: np.ndarray
    cluster: np.ndarray  # index of the background event that started the confrontation
    generation: np.ndarray
    is_response: np.ndarray
    action: np.ndarray  # index into EventMarks.action_share
    fatal_on_target: np.ndarray


@dataclass(frozen=True)
class EventMarks:
    """How actions and deaths are drawn (shares measured on MIE)."""

    action_share: np.ndarray
    action_is_force: np.ndarray
    fatal_share: float  # share of uses of force that kill someone on the target's side


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def background_rates(arrays: DyadYearArrays, effects: BackgroundEffects) -> np.ndarray:
    """Relative background rate per dyad-year (scaled to a target count by the caller)."""
    log_rate = (
        effects.land_border * arrays.land_border
        + effects.rivalry * arrays.rivalry
        + effects.major_power_initiator * arrays.major_initiator
        + effects.log_distance_per_1000km * np.log1p(arrays.mindist_km / 1000.0)
        + effects.joint_democracy * arrays.joint_democracy
    )
    return np.where(arrays.active, np.exp(log_rate), 0.0)


def response_probability(
    arrays: DyadYearArrays,
    dyad: np.ndarray,
    year_index: np.ndarray,
    fatal_on_target: np.ndarray,
    in_exchange: np.ndarray,
    dyad_propensity: np.ndarray,
    planted: PlantedEffects,
) -> np.ndarray:
    """Chance that an offspring of each event is the target's answer (the planted effects)."""
    at = (dyad, year_index)
    logit = (
        planted.intercept
        + planted.land_border * arrays.land_border[at]
        + planted.rivalry * arrays.rivalry[at]
        + planted.fatalities_on_target * fatal_on_target
        + planted.capability_share * (arrays.target_capability_share[at] - 0.5)
        + planted.joint_democracy * arrays.joint_democracy[at]
        + planted.in_exchange * in_exchange
        + dyad_propensity[arrays.reverse[dyad]]
    )
    return _sigmoid(logit)


def simulate(
    arrays: DyadYearArrays,
    expected_events: float,
    end_day: int,
    settings: ProcessSettings,
    rng: np.random.Generator,
    marks: EventMarks,
) -> EventArrays:
    """Run the branching process, one generation per loop turn.

    `expected_events` sets the background level: immigrants are drawn so that, with the mean
    cluster size, the world has about that many events (fewer when clusters run past the end).
    Actions and fatalities on the target are drawn here because they change the chance of an
    answer (only a use of force can kill).
    """
    n_dyads, n_years = arrays.active.shape
    year_bounds = (
        np.arange(arrays.first_year - 1970, arrays.first_year - 1970 + n_years + 1)
        .astype("datetime64[Y]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )
    dyad_propensity = rng.normal(0.0, settings.planted.dyad_sd, size=n_dyads)
    relative = background_rates(arrays, settings.background)
    rates = relative * (expected_events / settings.mean_cluster_events / max(relative.sum(), 1e-12))
    counts = rng.poisson(rates).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    dyad = cell // n_years
    year = cell % n_years
    day = year_bounds[year] + rng.integers(0, np.diff(year_bounds)[year])
    day = np.minimum(day, end_day)
    n_clusters = cell.size
    intensity = rng.gamma(settings.intensity_shape, 1.0 / settings.intensity_shape, n_clusters)
    continuation_mean = settings.continuation_ratio * intensity

    parts: list[tuple[np.ndarray, ...]] = []
    cluster = np.arange(n_clusters)
    is_response = np.zeros(n_clusters, dtype=bool)
    generation = 0
    while dyad.size and generation < settings.max_generations:
        action = rng.choice(marks.action_share.size, size=dyad.size, p=marks.action_share)
        fatal = marks.action_is_force[action] & (rng.random(dyad.size) < marks.fatal_share)
        parts.append((dyad, day, cluster, is_response, action, fatal))
        year_index = np.clip(_year_index(day, arrays.first_year), 0, n_years - 1)
        p_answer = response_probability(
            arrays, dyad, year_index, fatal, is_response, dyad_propensity, settings.planted
        )
        answers = (rng.random(dyad.size) < p_answer).astype(np.int64)
        room = np.maximum(settings.max_offspring_mean - p_answer, 0.0)
        repeats = rng.poisson(np.minimum(continuation_mean[cluster], room))
        parent = np.concatenate(
            [np.repeat(np.arange(dyad.size), answers), np.repeat(np.arange(dyad.size), repeats)]
        )
        child_is_response = np.repeat([True, False], [answers.sum(), repeats.sum()])
        child_dyad = np.where(child_is_response, arrays.reverse[dyad[parent]], dyad[parent])
        noise = rng.standard_normal(parent.size)
        delay = np.floor(settings.delay_median_days * np.exp(settings.delay_sigma * noise))
        child_day = day[parent] + delay.astype(np.int64)
        inside = child_day <= end_day
        dyad, day = child_dyad[inside], child_day[inside]
        cluster, is_response = cluster[parent][inside], child_is_response[inside]
        generation += 1
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        parts.append((empty, empty, empty, empty.astype(bool), empty, empty.astype(bool)))
    columns = [np.concatenate([part[i] for part in parts]) for i in range(6)]
    sizes = [part[0].size for part in parts]
    return EventArrays(
        dyad=columns[0],
        day=columns[1],
        cluster=columns[2],
        is_response=columns[3],
        action=columns[4],
        fatal_on_target=columns[5],
        generation=np.repeat(np.arange(len(parts), dtype=np.int32), sizes),
    )


def _year_index(day: np.ndarray, first_year: int) -> np.ndarray:
    """Years since `first_year` of day numbers (1970 epoch)."""
    years = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return years - first_year
