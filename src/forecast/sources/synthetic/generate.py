"""The embedded default: a synthetic world of real state identities and a Hawkes event process.

Offline, with no real file anywhere, the pipeline still runs end to end on this world. Its
rates, action mix, reciprocity and response delays are set from figures measured on MIE
(synthetic_calibration.yaml); its planted effects (docs/synthetic.md) make it a test bed in
which models must recover a known truth. Rows carry `source = "synthetic"` so no output can
pass it off as real events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast.core.config import SyntheticParams
from forecast.core.contracts import UNDIRECTED_ACTIONS, conform
from forecast.core.coverage import Coverage
from forecast.core.errors import ForecastError
from forecast.core.schemas import validate_incidents
from forecast.sources.synthetic.calibration import load_calibration
from forecast.sources.synthetic.process import (
    DyadYearArrays,
    EventArrays,
    EventMarks,
    ProcessSettings,
    simulate,
)
from forecast.sources.synthetic.world import states_table, world_covariates

SOURCE = "synthetic"
# Events per year at scale 1: a world of 41 states, sized so the whole pipeline runs in a couple
# of minutes (MIE has about 220 a year among 178 states; its per-dyad intensity is what the
# process matches, see docs/synthetic.md).
EVENTS_PER_YEAR = 300.0
# Deaths when a use of force kills: geometric counts with MIE's median of 1.
_FATALITY_GEOMETRIC_P = 0.6


@dataclass
class SyntheticWorld:
    """A generated world: its states, incidents (canonical), covariates and coverage."""

    states: pd.DataFrame
    incidents: pd.DataFrame
    covariates: pd.DataFrame
    coverage: Coverage
    settings: ProcessSettings = field(default_factory=ProcessSettings)
    seed: int = 0


def event_marks() -> tuple[EventMarks, list[str], np.ndarray]:
    """Action shares, names and hostility levels from the calibration figures."""
    calibration = load_calibration()
    names = sorted(calibration["action_mix"])
    share = np.array([calibration["action_mix"][n] for n in names], dtype=float)
    hostility = np.array([calibration["hostility_by_action"][n] for n in names], dtype=np.int64)
    force = hostility >= 4
    marks = EventMarks(
        action_share=share / share.sum(),
        action_is_force=force,
        fatal_share=float(calibration["fatalities"]["target_share_positive"]),
    )
    return marks, names, hostility


def dyad_year_arrays(covariates: pd.DataFrame, first_year: int) -> DyadYearArrays:
    """Reshape a complete covariate table (sorted by dyad, then year) into dyad x year arrays."""
    n_years = int(covariates["year"].nunique())
    n_dyads = len(covariates) // n_years

    def grid(column: str, fill: object) -> np.ndarray:
        values = covariates[column].fillna(fill).to_numpy()
        return values.reshape(n_dyads, n_years)

    initiator = grid("ccode1", 0)[:, 0].astype(np.int64)
    target = grid("ccode2", 0)[:, 0].astype(np.int64)
    key = initiator * 1000 + target
    reverse = np.searchsorted(key, target * 1000 + initiator)
    active = covariates["cinc1"].notna().to_numpy() & covariates["cinc2"].notna().to_numpy()
    return DyadYearArrays(
        initiator=initiator,
        target=target,
        reverse=reverse,
        first_year=first_year,
        active=active.reshape(n_dyads, n_years),
        land_border=grid("land_border", False).astype(float),
        rivalry=grid("rivalry", False).astype(float),
        joint_democracy=grid("joint_democracy", False).astype(float),
        major_initiator=grid("major1", False).astype(float),
        target_capability_share=1.0 - grid("capability_share1", 0.5).astype(float),
        mindist_km=grid("mindist_km", 0.0).astype(float),
    )


def _simulate(
    params: SyntheticParams, seed: int, expected_events: float, settings: ProcessSettings
) -> tuple[pd.DataFrame, pd.DataFrame, DyadYearArrays, EventArrays]:
    rng = np.random.default_rng(seed)
    states = states_table()
    states = states[states["entry"] <= params.end_year].reset_index(drop=True)
    covariates = world_covariates(states, params.start_year, params.end_year, rng)
    arrays = dyad_year_arrays(covariates, params.start_year)
    end_day = int(
        (np.datetime64(f"{params.end_year}-12-31", "D") - np.datetime64("1970-01-01", "D")).astype(
            np.int64
        )
    )
    marks, _, _ = event_marks()
    events = simulate(arrays, expected_events, end_day, settings, rng, marks)
    return states, covariates, arrays, events


def generate_events(
    n_target: int,
    seed: int,
    params: SyntheticParams | None = None,
    settings: ProcessSettings | None = None,
) -> pd.DataFrame:
    """A lean columnar event frame of about `n_target` events, for benchmarks and scale tests.

    Same process as `generate_world`, without the canonical string columns (ids, ISO3,
    dispute ids) that dominate the cost at 10^7 rows: `day` (datetime64), `initiator`,
    `target`, `action` (categorical), `hostility`, `directed`, `fatal_on_target`, `cluster`.
    Directions are the process's own (clashes are not re-ordered) and dates are exact days.
    """
    params = params or SyntheticParams()
    settings = settings or ProcessSettings()
    _, _, arrays, events = _simulate(params, seed, float(n_target), settings)
    _, names, hostility = event_marks()
    undirected = np.isin(np.array(names), sorted(UNDIRECTED_ACTIONS))
    order = np.argsort(events.day, kind="stable")
    action = events.action[order]
    return pd.DataFrame(
        {
            "day": events.day[order].astype("datetime64[D]").astype("datetime64[s]"),
            "initiator": arrays.initiator[events.dyad[order]],
            "target": arrays.target[events.dyad[order]],
            "action": pd.Categorical.from_codes(action, categories=names),
            "hostility": hostility[action].astype(np.int8),
            "directed": ~undirected[action],
            "fatal_on_target": events.fatal_on_target[order],
            "cluster": events.cluster[order],
        }
    )


def _padded_ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    text = np.char.zfill(numbers.astype(f"U{width}"), width)
    return pd.Series(np.char.add(prefix, text), dtype="string")


def to_incidents(
    arrays: DyadYearArrays,
    events: EventArrays,
    states: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The canonical incident table of simulated events, sorted by date then id.

    Undirected actions (clash, war battle) put the lower COW code first, as MIE does; a share of
    events (MIE's month-precision share) keep only their month, dated the first of it.
    """
    calibration = load_calibration()
    _, names, hostility_of = event_marks()
    n = events.day.size
    initiator = arrays.initiator[events.dyad]
    target = arrays.target[events.dyad]
    action = np.array(names, dtype=object)[events.action]
    hostility = hostility_of[events.action]
    force = hostility >= 4
    deaths = rng.geometric(_FATALITY_GEOMETRIC_P, size=(2, n)).astype(float)
    share_initiator = float(calibration["fatalities"]["initiator_share_positive"])
    fatal_initiator = force & (rng.random(n) < share_initiator)
    fatalities_target = np.where(events.fatal_on_target, deaths[0], 0.0)
    fatalities_initiator = np.where(fatal_initiator, deaths[1], 0.0)
    undirected = np.isin(action, sorted(UNDIRECTED_ACTIONS))
    swap = undirected & (initiator > target)
    initiator, target = np.where(swap, target, initiator), np.where(swap, initiator, target)
    fatalities_initiator, fatalities_target = (
        np.where(swap, fatalities_target, fatalities_initiator),
        np.where(swap, fatalities_initiator, fatalities_target),
    )
    day = events.day.astype("datetime64[D]")
    month_only = rng.random(n) < float(calibration["month_precision_share"])
    day = np.where(month_only, day.astype("datetime64[M]").astype("datetime64[D]"), day)
    order = np.argsort(day, kind="stable")
    iso3 = pd.Series(states["iso3"].to_numpy(), index=states["cow"].to_numpy())
    frame = pd.DataFrame(
        {
            "incident_id": _padded_ids("syn-", np.arange(1, n + 1), 9),
            "source": SOURCE,
            "date": day[order].astype("datetime64[ns]"),
            "date_precision": np.where(month_only[order], "month", "day"),
            "date_end": day[order].astype("datetime64[ns]"),
            "initiator": initiator[order],
            "target": target[order],
            "initiator_iso3": iso3.reindex(initiator[order]).to_numpy(),
            "target_iso3": iso3.reindex(target[order]).to_numpy(),
            "action": action[order],
            "hostility": hostility[order],
            "directed": ~undirected[order],
            "fatalities_initiator": fatalities_initiator[order],
            "fatalities_target": fatalities_target[order],
            "dispute_id": _padded_ids("syn-d", events.cluster[order], 8),
            "target_kind": "state",
        }
    )
    return conform(frame)


def generate_world(
    params: SyntheticParams, seed: int, settings: ProcessSettings | None = None
) -> SyntheticWorld:
    """The synthetic world for `params` and `seed`: same inputs, identical tables.

    `settings` overrides the process (planted effects, branching, delays) for experiments;
    the default is what docs/synthetic.md documents.
    """
    settings = settings or ProcessSettings()
    if params.start_year > params.end_year:
        raise ForecastError(
            f"data.synthetic: start_year {params.start_year} is after end_year "
            f"{params.end_year}; fix params.yaml"
        )
    n_years = params.end_year - params.start_year + 1
    expected = EVENTS_PER_YEAR * n_years * params.scale
    states, covariates, arrays, events = _simulate(params, seed, expected, settings)
    # A separate stream for marks drawn after the process, so they never shift the process.
    marks_rng = np.random.default_rng([seed, 1])
    incidents = validate_incidents(to_incidents(arrays, events, states, marks_rng))
    coverage = Coverage(date(params.start_year, 1, 1), date(params.end_year, 12, 31))
    states = states.rename(columns={"entry": "entry_year"}).drop(
        columns=["base_cinc", "base_polity"]
    )
    return SyntheticWorld(
        states=states,
        incidents=incidents,
        covariates=covariates,
        coverage=coverage,
        settings=settings,
        seed=seed,
    )
