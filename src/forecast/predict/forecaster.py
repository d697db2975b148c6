"""Score new incidents with the champion models: probabilities, timing, drivers and analogues.

A new incident is treated exactly like a training trigger: its history features come from the
same `build_features` call over the same force-event history, which ignores everything dated on
or after the incident's day. The models and data are injected into `Forecaster`, so tests and
notebooks can use stand-ins; `Forecaster.load()` wires in the registered champions and the
pipeline's files.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.config import Params, load_params
from forecast.countries import name_of as _name_of
from forecast.countries import resolve_country
from forecast.errors import DataFileError, ForecastError, UnknownCountryError
from forecast.models.base import LikelihoodModel, TimingModel
from forecast.provenance import DataProvenance
from forecast.schema import (
    ACTIONS_BY_MID_CODE,
    CANONICAL_ACTIONS,
    UNDIRECTED_ACTIONS,
    USE_OF_FORCE_MIN_HOSTILITY,
    conform,
)
from forecast.wording import (
    band_for,
    estimative_phrase,
    horizon_text,
    key_judgment,
    percent,
    readable_date,
)

REQUIRED_FIELDS = ("initiator", "target", "date", "action", "hostility")
OPTIONAL_FIELDS = (
    "fatalities_initiator",
    "fatalities_target",
    "target_kind",
    "dispute_id",
    "notes",
    "incident_id",
)
TARGET_KINDS = ("state", "non_state", "unknown")
INTERVAL_LEVEL = 0.9
N_ANALOGUES = 5
N_DRIVERS = 4
# A driver that moves the headline probability by less than this is noise, not a reason.
MIN_DRIVER_EFFECT = 0.005
# A flag value seen in fewer than this share of past triggers (at most this many, at least once)
# is "rarely seen".
RARE_VALUE_MAX_COUNT = 30
RARE_VALUE_SHARE = 0.001

FeatureBuilder = Callable[..., pd.DataFrame]


@lru_cache(maxsize=4096)
def name_of(code: int) -> str:
    """A country's name, cached: names are looked up for every analogue of every forecast."""
    return _name_of(code)


EventBuilder = Callable[[pd.DataFrame, int], pd.DataFrame]


# --------------------------------------------------------------------------------------------
# Incidents as users describe them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """One use of force as understood: COW codes, a day, a canonical action."""

    initiator: int
    target: int
    date: pd.Timestamp
    action: str
    hostility: int
    fatalities_initiator: float | None = None
    fatalities_target: float | None = None
    notes: str | None = None
    incident_id: str | None = None
    # What was struck: the state itself, or armed groups on its soil (as the 2024 strikes were).
    target_kind: str = "state"
    # Confrontation the incident belongs to, so earlier events of it count as its history.
    dispute_id: str | None = None

    @property
    def initiator_name(self) -> str:
        return name_of(self.initiator)

    @property
    def target_name(self) -> str:
        return name_of(self.target)

    @property
    def directed(self) -> bool:
        return self.action not in UNDIRECTED_ACTIONS

    @property
    def action_text(self) -> str:
        return self.action.replace("_", " ")

    def describe(self) -> str:
        """'Iran: attack against Pakistan on 16 January 2024'."""
        return (
            f"{self.initiator_name}: {self.action_text} against {self.target_name} "
            f"on {readable_date(self.date)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "initiator": self.initiator,
            "initiator_name": self.initiator_name,
            "target": self.target,
            "target_name": self.target_name,
            "date": self.date.date().isoformat(),
            "action": self.action,
            "hostility": self.hostility,
            "fatalities_initiator": self.fatalities_initiator,
            "fatalities_target": self.fatalities_target,
            "target_kind": self.target_kind,
            "dispute_id": self.dispute_id,
            "notes": self.notes,
        }


def parse_incident(record: Mapping[str, Any], where: str = "input") -> Incident:
    """Turn what a user typed (flags, a CSV row, a JSON object) into an Incident.

    `where` names the place for error messages ('incidents.csv row 3'). Every problem raises a
    ForecastError naming the field and what is accepted; nothing is guessed.
    """
    missing = [name for name in REQUIRED_FIELDS if _blank(record.get(name))]
    if missing:
        raise ForecastError(
            f"{where}: missing {', '.join(missing)} "
            f"(an incident needs {', '.join(REQUIRED_FIELDS)})"
        )
    initiator = _country(record["initiator"], "initiator", where)
    target = _country(record["target"], "target", where)
    if initiator == target:
        raise ForecastError(f"{where}: initiator and target are the same country ({initiator})")
    hostility = _hostility(record["hostility"], where)
    return Incident(
        initiator=initiator,
        target=target,
        date=_day(record["date"], where),
        action=_action(record["action"], where),
        hostility=hostility,
        fatalities_initiator=_fatalities(record.get("fatalities_initiator"), "initiator", where),
        fatalities_target=_fatalities(record.get("fatalities_target"), "target", where),
        notes=None if _blank(record.get("notes")) else str(record["notes"]),
        incident_id=None if _blank(record.get("incident_id")) else str(record["incident_id"]),
        target_kind=_target_kind(record.get("target_kind"), where),
        dispute_id=None if _blank(record.get("dispute_id")) else str(record["dispute_id"]),
    )


def read_incidents(path: str | Path) -> list[Incident]:
    """Incidents from a CSV or JSON file, or from every such file in a folder (sorted by name).

    CSV: one incident per row with columns initiator, target, date, action, hostility and
    optionally fatalities_initiator, fatalities_target, notes, incident_id (others are ignored).
    JSON: one object, a list of objects, or {"incidents": [...]}.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in {".csv", ".json"} and p.is_file()
        )
        if not files:
            raise DataFileError(path, "holds no .csv or .json incident files")
        return [incident for file in files for incident in read_incidents(file)]
    if not path.exists():
        raise DataFileError(path, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _incidents_from_csv(path)
    if suffix == ".json":
        return _incidents_from_json(path)
    raise DataFileError(path, "unknown file type", "give a .csv or .json file of incidents")


def _incidents_from_csv(path: Path) -> list[Incident]:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot be read as CSV ({exc})") from exc
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [name for name in REQUIRED_FIELDS if name not in table.columns]
    if missing:
        raise DataFileError(
            path,
            f"missing column(s) {', '.join(missing)}",
            f"expected columns: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}",
        )
    if table.empty:
        raise DataFileError(path, "has a header but no incidents")
    records = table.to_dict(orient="records")
    return [
        parse_incident(record, f"{path.name} row {number}")
        for number, record in enumerate(records, start=1)
    ]


def _incidents_from_json(path: Path) -> list[Incident]:
    try:
        payload = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"not valid JSON ({exc})") from exc
    if isinstance(payload, dict) and "incidents" in payload:
        payload = payload["incidents"]
    records = payload if isinstance(payload, list) else [payload]
    if not records or not all(isinstance(r, dict) for r in records):
        raise DataFileError(path, "expected an incident object or a list of them")
    return [
        parse_incident(record, f"{path.name} item {number}")
        for number, record in enumerate(records, start=1)
    ]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _country(value: Any, role: str, where: str) -> int:
    try:
        return resolve_country(value)
    except UnknownCountryError as exc:
        raise ForecastError(f"{where}, {role}: {exc}") from exc


def _day(value: Any, where: str) -> pd.Timestamp:
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise ForecastError(
            f"{where}, date: {text!r} is not a date (write it as YYYY-MM-DD, e.g. 2024-01-16)"
        ) from exc
    if stamp is pd.NaT or pd.isna(stamp):
        raise ForecastError(f"{where}, date: {text!r} is not a date (write it as YYYY-MM-DD)")
    return stamp.normalize().tz_localize(None) if stamp.tzinfo else stamp.normalize()


def _action(value: Any, where: str) -> str:
    text = str(value).strip()
    if text.isdigit() and int(text) in ACTIONS_BY_MID_CODE:
        return ACTIONS_BY_MID_CODE[int(text)]
    name = re.sub(r"[\s\-]+", "_", text.lower())
    if name in CANONICAL_ACTIONS:
        return name
    raise ForecastError(
        f"{where}, action: unknown action {text!r} "
        f"(use a canonical name such as attack, clash, seizure, strike, or a MID action code)"
    )


def _hostility(value: Any, where: str) -> int:
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError as exc:
        raise ForecastError(f"{where}, hostility: {text!r} is not a number from 1 to 5") from exc
    if not number.is_integer() or not 1 <= number <= 5:
        raise ForecastError(f"{where}, hostility: {text!r} is not a whole number from 1 to 5")
    if number < USE_OF_FORCE_MIN_HOSTILITY:
        raise ForecastError(
            f"{where}, hostility: {int(number)} is not a use of force; the models forecast "
            f"answers to uses of force (hostility 4 = use of force, 5 = war)"
        )
    return int(number)


def _target_kind(value: Any, where: str) -> str:
    """Interstate force against the state is the default; say non_state when groups were hit."""
    if _blank(value):
        return "state"
    kind = str(value).strip().lower().replace("-", "_")
    if kind not in TARGET_KINDS:
        raise ForecastError(
            f"{where}, target_kind: {value!r} is not one of {', '.join(TARGET_KINDS)}"
        )
    return kind


def _fatalities(value: Any, side: str, where: str) -> float | None:
    if _blank(value):
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError as exc:
        raise ForecastError(
            f"{where}, fatalities_{side}: {text!r} is not a number (leave it empty if unknown)"
        ) from exc
    if number < 0 or math.isnan(number):
        raise ForecastError(f"{where}, fatalities_{side}: {text!r} must be zero or more")
    return number


# --------------------------------------------------------------------------------------------
# The forecast
# --------------------------------------------------------------------------------------------


@dataclass
class Forecast:
    """Everything the CLI, the notebook card and the brief say about one incident."""

    incident: Incident
    horizons: dict[int, dict[str, float]]
    headline_horizon: int
    timing: dict[str, Any]
    phrase: str
    key_judgment: str
    drivers: list[dict[str, Any]]
    analogues: list[dict[str, Any]]
    data_source: dict[str, Any]
    model_version: str
    caveats: list[str] = field(default_factory=list)
    # The model's inputs for this incident, so anyone can audit what the forecast rests on.
    features: dict[str, float] = field(default_factory=dict)
    # P(retaliation by day t) for t = 1..last horizon, for charts; JSON keeps checkpoints only.
    daily_curve: list[float] = field(default_factory=list)

    @property
    def headline_probability(self) -> float:
        return self.horizons[self.headline_horizon]["p"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: horizon keys become strings, numbers stay numbers."""
        return {
            "incident": self.incident.to_dict(),
            "horizons": {str(h): dict(v) for h, v in self.horizons.items()},
            "headline_horizon": self.headline_horizon,
            "timing": self.timing,
            "phrase": self.phrase,
            "key_judgment": self.key_judgment,
            "drivers": self.drivers,
            "analogues": self.analogues,
            "data_source": self.data_source,
            "model_version": self.model_version,
            "caveats": self.caveats,
            "features": self.features,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def _repr_html_(self) -> str:
        """A small card for JupyterLab; every piece of text is escaped."""
        from forecast.report.card import forecast_card_html

        return forecast_card_html(self)


class Forecaster:
    """Scores incidents with one likelihood and one timing model over a fixed history.

    Every collaborator is passed in, so the same class serves the CLI (through `load`), the
    brief, notebooks and tests with stand-in models. `history_events` is the force-event table
    (`forecast.episodes.force_events`) the features were trained on; `features` and `episodes`
    are the training tables, used for the analogues.
    """

    def __init__(
        self,
        likelihood_model: LikelihoodModel,
        timing_model: TimingModel | None,
        history_events: pd.DataFrame,
        covariates: pd.DataFrame,
        episodes: pd.DataFrame,
        features: pd.DataFrame,
        provenance: DataProvenance,
        params: Params,
        coverage: Mapping[str, Any] | None,
        model_version: str,
        *,
        feature_builder: FeatureBuilder | None = None,
        event_builder: EventBuilder | None = None,
        feature_meanings: Mapping[str, str] | None = None,
        headline_horizon: int | None = None,
    ) -> None:
        self.likelihood_model = likelihood_model
        self.timing_model = timing_model
        self.history_events = history_events
        self.covariates = _sorted_by_dyad(covariates)
        self._covariate_keys = _dyad_keys(self.covariates)
        self.provenance = provenance
        self.params = params
        self.coverage = _coverage_ends(coverage or {})
        self.model_version = model_version
        self._feature_builder = feature_builder
        self._event_builder = event_builder
        self._feature_meanings = feature_meanings
        self.horizons = tuple(int(h) for h in likelihood_model.horizons)
        self.headline_horizon = _pick_headline(
            self.horizons, headline_horizon or params.train.champion_horizon
        )
        self.feature_names = list(likelihood_model.feature_names_)
        self.reference_values = (
            pd.Series(likelihood_model.reference_values_).reindex(self.feature_names).astype(float)
        )
        self._analogue_index = _AnalogueIndex(
            episodes, features, self.feature_names, max(self.horizons)
        )
        self._history_keys = _event_keys(history_events)

    # ---- construction from the pipeline's files and the registry -----------------------------

    @classmethod
    def load(cls, params: Params | None = None, root: str | Path = ".") -> Forecaster:
        """The registered champion models and the pipeline's data files under `root`.

        The feature function is bound to the same options the features stage uses (same-day
        rule, per-source coverage), so a new incident's features are computed as in training.
        """
        from forecast import paths, tracking
        from forecast.commands.episodes import read_coverage
        from forecast.episodes import force_events
        from forecast.features import build_features, feature_table
        from forecast.provenance import provenance_of

        root = Path(root)
        params = params or load_params(root / "params.yaml")
        incidents = _read_parquet(root / paths.INCIDENTS_FILE, "forecast data ingest")
        covariates = _read_parquet(root / paths.COVARIATES_FILE, "forecast data ingest")
        episodes = _read_parquet(root / paths.EPISODES_FILE, "forecast episodes build")
        features = _read_parquet(root / paths.FEATURES_FILE, "forecast features build")
        coverage = read_coverage(root / paths.SOURCES_FILE)
        modelled = _modelled_incidents(incidents, params)
        likelihood = tracking.load_champion("likelihood", params)
        timing = tracking.load_champion("timing", params)
        meanings = feature_table(params.features, params.episodes.horizons)
        return cls(
            likelihood_model=likelihood,
            timing_model=timing,
            history_events=force_events(modelled, params.episodes.min_hostility),
            covariates=covariates,
            episodes=episodes,
            features=features,
            provenance=provenance_of(modelled),
            params=params,
            coverage={
                source: end
                for source, end in coverage.items()
                if source in set(modelled["source"].astype(str))
            },
            model_version=_model_version(tracking, params),
            feature_builder=partial(
                build_features,
                include_same_day=params.episodes.include_same_day,
                coverage=coverage,
            ),
            event_builder=force_events,
            feature_meanings=dict(zip(meanings["name"], meanings["meaning"], strict=True)),
        )

    # ---- scoring ------------------------------------------------------------------------------

    def predict(self, incident: Incident) -> Forecast:
        """Forecast one incident."""
        return self.predict_many([incident])[0]

    def predict_many(self, incidents: Sequence[Incident]) -> list[Forecast]:
        """Forecast several incidents in one pass over the models.

        Incidents in the batch that the history does not hold yet are added to it, so a
        counter-strike two days after a strike in the same batch sees that strike, exactly as
        it would had both been coded in data/incidents/.
        """
        if not incidents:
            return []
        for incident in incidents:
            self._check_in_scope(incident)
        ids = [incident.incident_id or f"new-{i + 1}" for i, incident in enumerate(incidents)]
        triggers = _trigger_table(incidents, ids)
        events = self._history_with(incidents, ids)
        features = self._features(triggers, events)
        p, effects = self._probabilities_and_effects(features)
        low, high = self.likelihood_model.predict_interval(features, INTERVAL_LEVEL)
        curves = self._timing_curves(features)
        forecasts = []
        for row, incident in enumerate(incidents):
            horizons = {
                h: {
                    "p": _prob(p.iloc[row][h]),
                    "low": _prob(low.iloc[row][h]),
                    "high": _prob(high.iloc[row][h]),
                }
                for h in self.horizons
            }
            model_caveats = self._check_numbers(horizons, incident)
            headline = horizons[self.headline_horizon]["p"]
            forecasts.append(
                Forecast(
                    incident=incident,
                    horizons=horizons,
                    headline_horizon=self.headline_horizon,
                    timing=_timing_summary(curves[row] if curves is not None else None, incident),
                    phrase=estimative_phrase(headline),
                    key_judgment=key_judgment(
                        incident.target_name,
                        incident.initiator_name,
                        headline,
                        self.headline_horizon,
                    ),
                    drivers=self._drivers(features.iloc[row], effects[row], incident),
                    analogues=self._analogue_index.nearest(
                        features.iloc[row].to_numpy(dtype=float),
                        incident,
                        N_ANALOGUES,
                        max(self.horizons),
                    ),
                    data_source=self._data_source(),
                    model_version=self.model_version,
                    caveats=self._caveats(incident, events)
                    + model_caveats
                    + self._extrapolation_caveat(features.iloc[row], incident),
                    features={k: float(v) for k, v in features.iloc[row].items()},
                    daily_curve=_daily(curves[row] if curves is not None else None),
                )
            )
        return forecasts

    # ---- the pieces ---------------------------------------------------------------------------

    def _check_numbers(
        self, horizons: dict[int, dict[str, float | None]], incident: Incident
    ) -> list[str]:
        """A missing probability is an error; a missing interval is a stated caveat."""
        name = getattr(self.likelihood_model, "name", "likelihood")
        empty = [h for h, values in horizons.items() if values["p"] is None]
        if empty:
            raise ForecastError(
                f"{incident.describe()}: the {name} model gave no probability at "
                f"{', '.join(map(str, empty))} days; its inputs may lie far outside what it was "
                f"trained on (retrain, or check the incident's fields)"
            )
        if any(values["low"] is None or values["high"] is None for values in horizons.values()):
            return [f"The {name} model could not give an interval for some horizons."]
        return []

    def _check_in_scope(self, incident: Incident) -> None:
        start = self.provenance.data_start
        if start and incident.date < pd.Timestamp(start):
            raise ForecastError(
                f"{incident.describe()}: the data start on {readable_date(start)}, so there is "
                f"no history to forecast from; give a date on or after it"
            )

    def _history_with(self, incidents: Sequence[Incident], ids: list[str]) -> pd.DataFrame:
        fresh = [
            (incident, incident_id)
            for incident, incident_id in zip(incidents, ids, strict=True)
            if incident_id not in self._history_keys["ids"]
            and (incident.initiator, incident.target, incident.date)
            not in self._history_keys["days"]
        ]
        if not fresh:
            return self.history_events
        canonical = _canonical_incidents([i for i, _ in fresh], [d for _, d in fresh])
        added = self._events_of(canonical)
        if added.empty:
            return self.history_events
        return pd.concat([self.history_events, added], ignore_index=True).sort_values(
            "date", kind="stable", ignore_index=True
        )

    def _events_of(self, canonical: pd.DataFrame) -> pd.DataFrame:
        builder = self._event_builder
        if builder is None:
            from forecast.episodes import force_events as builder
        return builder(canonical, self.params.episodes.min_hostility)

    def _features(self, triggers: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
        builder = self._feature_builder
        if builder is None:
            from forecast.features import build_features as builder
        built = builder(
            triggers,
            events,
            self._covariates_for(triggers),
            self.params.features,
            self.params.episodes.horizons,
        )
        built = built.set_index("episode_id").reindex(triggers["episode_id"])
        missing = [name for name in self.feature_names if name not in built.columns]
        if missing:
            raise ForecastError(
                f"the model expects feature(s) {', '.join(missing)} that the feature code no "
                f"longer makes; retrain with `forecast train` so models and features agree"
            )
        frame = built[self.feature_names].astype(float)
        if frame.isna().any().any():
            bad = frame.columns[frame.isna().any()].tolist()
            raise ForecastError(f"features {', '.join(bad)} came out empty for this incident")
        return frame.reset_index(drop=True)

    def _covariates_for(self, triggers: pd.DataFrame) -> pd.DataFrame | None:
        """The covariate rows of the triggers' directed dyads: the only ones features read.

        Slicing a sorted table by binary search keeps a single forecast from scanning every
        dyad-year of the covariate table.
        """
        if self._covariate_keys is None:
            return self.covariates
        wanted = np.unique(
            _pack(triggers["initiator"].to_numpy(np.int64), triggers["target"].to_numpy(np.int64))
        )
        starts = np.searchsorted(self._covariate_keys, wanted, side="left")
        ends = np.searchsorted(self._covariate_keys, wanted, side="right")
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
        return self.covariates.iloc[rows]

    def _timing_curves(self, features: pd.DataFrame) -> np.ndarray | None:
        """P(retaliation by day t) for t = 1..last horizon, one row per incident."""
        if self.timing_model is None:
            return None
        days = list(range(1, max(self.horizons) + 1))
        survival = self.timing_model.predict_survival(features, days)
        return 1.0 - survival[days].to_numpy(dtype=float)

    def _probabilities_and_effects(self, features: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """The forecasts, and for each incident and feature how far it moves the headline p.

        The effect is headline p minus p with that one feature set to its typical (reference)
        value, the others held at the incident's values, so the numbers answer "how much does
        this fact about the incident move the forecast?". Correlated features (counts over
        nested windows) share credit, which the wording allows for. Both come from one call
        to the model, which is what keeps a forecast fast.
        """
        n_rows, n_features = features.shape
        base = np.repeat(features.to_numpy(dtype=float), n_features, axis=0)
        columns = np.tile(np.arange(n_features), n_rows)
        base[np.arange(len(base)), columns] = self.reference_values.to_numpy()[columns]
        swapped = pd.DataFrame(base, columns=features.columns)
        both = pd.concat([features, swapped], ignore_index=True)
        p = self.likelihood_model.predict_proba(both)
        actual = p.iloc[:n_rows].reset_index(drop=True)
        headline = p[self.headline_horizon].to_numpy(dtype=float)
        typical = headline[n_rows:].reshape(n_rows, n_features)
        return actual, headline[:n_rows, None] - typical

    def _drivers(
        self, values: pd.Series, effects: np.ndarray, incident: Incident
    ) -> list[dict[str, Any]]:
        order = np.argsort(-np.abs(effects), kind="stable")
        meanings = self._meanings()
        drivers = []
        for position in order[:N_DRIVERS]:
            effect = float(effects[position])
            if abs(effect) < MIN_DRIVER_EFFECT:
                break
            name = self.feature_names[position]
            meaning = _with_names(meanings.get(name, name.replace("_", " ")), incident)
            value = float(values.iloc[position])
            typical = float(self.reference_values.iloc[position])
            direction = "raises" if effect > 0 else "lowers"
            here, usual = _describe_values(meaning, value, typical)
            drivers.append(
                {
                    "feature": name,
                    "meaning": meaning,
                    "value": value,
                    "typical": typical,
                    "effect": effect,
                    "direction": direction,
                    "text": (
                        f"{_capitalise(_condition(meaning))}: {here} here, {usual} in a typical "
                        f"case. This {direction} the {self.headline_horizon}-day chance by "
                        f"about {abs(effect) * 100:.0f} percentage points."
                    ),
                }
            )
        return drivers

    def _extrapolation_caveat(self, values: pd.Series, incident: Incident) -> list[str]:
        rare = self._analogue_index.rarely_seen(values.to_numpy(dtype=float))
        if not rare:
            return []
        meanings = self._meanings()
        parts = []
        for name, value, seen in rare[:3]:
            meaning = _with_names(meanings.get(name, name), incident)
            shown = "yes" if value == 1 else "no" if value == 0 else _number(value)
            if not _is_flag(meaning, value, 1.0 - value if value in (0.0, 1.0) else -1.0):
                shown = _number(value)
            times = "trigger" if seen == 1 else "triggers"
            parts.append(f"{_condition(meaning)}: {shown} (as in {seen:,} past {times})")
        listed = "; ".join(parts)
        more = f" and {len(rare) - 3} more" if len(rare) > 3 else ""
        return [
            f"This incident has inputs the models rarely or never saw in training: {listed}"
            f"{more}. The numbers are an extrapolation; treat them with extra caution."
        ]

    def _meanings(self) -> Mapping[str, str]:
        if self._feature_meanings is None:
            try:
                from forecast.features import feature_table

                table = feature_table()
                self._feature_meanings = dict(
                    zip(table["name"], table["meaning"].astype(str), strict=True)
                )
            except ImportError:
                self._feature_meanings = {}
        return self._feature_meanings

    def _data_source(self) -> dict[str, Any]:
        event_end = self._event_data_end()
        return {
            "kind": self.provenance.kind,
            "synthetic": self.provenance.is_synthetic,
            "sources": list(self.provenance.sources),
            "data_start": self.provenance.data_start,
            "data_end": self.provenance.data_end,
            "event_data_end": event_end.date().isoformat() if event_end is not None else None,
            "content_hash": self.provenance.content_hash,
            "banner": self.provenance.banner(),
        }

    def _event_data_end(self) -> pd.Timestamp | None:
        """Where the systematic event sources stop (hand-coded files are a few recent events)."""
        ends = [end for source, end in self.coverage.items() if source != "handcoded"]
        if ends:
            return max(ends)
        return pd.Timestamp(self.provenance.data_end) if self.provenance.data_end else None

    def _caveats(self, incident: Incident, events: pd.DataFrame) -> list[str]:
        caveats = []
        if self.provenance.is_synthetic:
            caveats.append(
                "These numbers rest on SYNTHETIC data (a simulated world, not real events); "
                "they show how the method works and say nothing about the real countries."
            )
        event_end = self._event_data_end()
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
        covariate_note = _covariate_caveat(self.covariates, incident)
        if covariate_note:
            caveats.append(covariate_note)
        return caveats


# --------------------------------------------------------------------------------------------
# Analogues
# --------------------------------------------------------------------------------------------


class _AnalogueIndex:
    """Past triggers in standardized feature space, ready for nearest-neighbour look-ups."""

    def __init__(
        self,
        episodes: pd.DataFrame,
        features: pd.DataFrame,
        feature_names: list[str],
        last_horizon: int,
    ) -> None:
        keep = ["episode_id", "incident_id", "date", "initiator", "target", "action"]
        outcome = ["event_observed", "days_to_retaliation", "duration"]
        table = features[["episode_id", *feature_names]].merge(
            episodes[[c for c in keep + outcome if c in episodes.columns]],
            on="episode_id",
            how="inner",
            validate="one_to_one",
        )
        table = table.sort_values(["date", "episode_id"], kind="stable", ignore_index=True)
        values = table[feature_names].to_numpy(dtype=float)
        self.feature_names = feature_names
        self.n = len(values)
        self.low = values.min(axis=0) if self.n else np.full(len(feature_names), -np.inf)
        self.high = values.max(axis=0) if self.n else np.full(len(feature_names), np.inf)
        # Flags (0/1 columns) with how many past triggers had a 1, so "how often was this
        # value seen" is a look-up rather than a pass over every trigger.
        self.is_flag = np.all((values == 0) | (values == 1), axis=0)
        self.ones = values.sum(axis=0)
        self.scale = values.std(axis=0) if self.n else np.ones(len(feature_names))
        self.scale[~np.isfinite(self.scale) | (self.scale == 0)] = 1.0
        self.values = np.ascontiguousarray(values / self.scale)
        self.dates = table["date"].to_numpy(dtype="datetime64[ns]")
        self.known_by = _outcome_known_by(table, last_horizon)
        self.incident_ids = (
            table["incident_id"].astype(str).to_numpy()
            if "incident_id" in table
            else np.full(self.n, "", dtype=object)
        )
        self.table = table

    def nearest(
        self, point: np.ndarray, incident: Incident, k: int, last_horizon: int
    ) -> list[dict[str, Any]]:
        """The k closest triggers whose outcome was known before the incident's day.

        A strike answered by this very incident is not an analogue of it: its outcome is what
        we are forecasting, so only triggers whose answer (or last horizon) lies before the
        incident's day qualify.

        Ties (identical histories are common) are broken by date order, so the same incident
        always gets the same analogues.
        """
        eligible = self.known_by < np.datetime64(incident.date.to_datetime64())
        if incident.incident_id is not None:
            eligible &= self.incident_ids != incident.incident_id
        if not eligible.any():
            return []
        difference = self.values - point / self.scale
        distance = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        distance[~eligible] = np.inf
        k = min(k, int(eligible.sum()))
        cutoff = np.partition(distance, k - 1)[k - 1]
        closest = np.flatnonzero(distance <= cutoff)
        order = closest[np.argsort(distance[closest], kind="stable")][:k]
        rows = self.table.iloc[order]
        return [
            _analogue_record(row, float(d), last_horizon)
            for row, d in zip(rows.to_dict(orient="records"), distance[order], strict=True)
        ]

    def rarely_seen(self, point: np.ndarray) -> list[tuple[str, float, int]]:
        """Inputs outside the training range, or taking a value few past triggers had.

        A model fitted where a flag was (almost) always 0 has learned nothing reliable about
        it being 1, so such a forecast is an extrapolation and readers must be told.
        """
        if not self.n:
            return []
        same = np.where(point == 1, self.ones, self.n - self.ones)
        outside = (point < self.low) | (point > self.high)
        floor = min(RARE_VALUE_MAX_COUNT, max(1, int(RARE_VALUE_SHARE * self.n)))
        rare = outside | (self.is_flag & (same < floor))
        seen = np.where(outside, 0, same)
        return [
            (self.feature_names[j], float(point[j]), int(seen[j])) for j in np.flatnonzero(rare)
        ]


def _outcome_known_by(table: pd.DataFrame, last_horizon: int) -> np.ndarray:
    """The day each past trigger's outcome was known: its answer, or its last horizon."""
    dates = table["date"].to_numpy(dtype="datetime64[ns]")
    if "days_to_retaliation" not in table:
        return dates
    answered = pd.to_numeric(table["days_to_retaliation"], errors="coerce").to_numpy(float)
    wait = np.where(np.isfinite(answered), np.minimum(answered, last_horizon), last_horizon)
    return dates + (wait * 86_400_000_000_000).astype("timedelta64[ns]")


def _analogue_record(row: Mapping[str, Any], distance: float, last_horizon: int) -> dict[str, Any]:
    initiator, target = int(row["initiator"]), int(row["target"])
    initiator_name, target_name = name_of(initiator), name_of(target)
    observed = bool(row.get("event_observed")) if pd.notna(row.get("event_observed")) else False
    days = row.get("days_to_retaliation")
    duration = row.get("duration")
    if observed and pd.notna(days) and int(days) <= last_horizon:
        days = int(days)
        outcome = "answered"
        unit = "day" if days == 1 else "days"
        happened = f"{target_name} used force against {initiator_name} after {days} {unit}."
    elif observed and pd.notna(days):
        days = int(days)
        outcome = "not answered"
        happened = (
            f"No force by {target_name} against {initiator_name} {horizon_text(last_horizon)}; "
            f"the next came after {days:,} days."
        )
    else:
        days = None
        outcome = "not answered"
        span = int(duration) if pd.notna(duration) else None
        if span is None:
            happened = f"No force by {target_name} against {initiator_name} recorded."
        elif span >= last_horizon:
            happened = (
                f"No force by {target_name} against {initiator_name} {horizon_text(last_horizon)}."
            )
        else:
            happened = (
                f"No force by {target_name} against {initiator_name} in the {span} days "
                f"before the data end."
            )
    date = pd.Timestamp(row["date"])
    return {
        "episode_id": str(row["episode_id"]),
        "initiator": initiator,
        "target": target,
        "dyad": f"{initiator_name} → {target_name}",
        "date": date.date().isoformat(),
        "date_text": readable_date(date),
        "action": str(row.get("action", "")).replace("_", " "),
        "outcome": outcome,
        "days_to_retaliation": days,
        "what_happened": happened,
        "distance": round(distance, 4),
    }


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _timing_summary(curve: np.ndarray | None, incident: Incident) -> dict[str, Any]:
    """Median and 80 % range of the time to retaliation, read off P(retaliation by day t).

    These are quantiles of the full distribution, including "never": when less than half the
    probability falls before the last horizon, the median lies beyond it and we say so rather
    than extrapolate the curve.
    """
    if curve is None or not np.all(np.isfinite(curve)):
        return {
            "median_days": None,
            "low_days": None,
            "high_days": None,
            "beyond_last_horizon": None,
            "statement": "The timing model gave no curve for this incident.",
            "curve": [],
        }
    last = len(curve)
    days = np.arange(1, last + 1)

    def first_day(level: float) -> int | None:
        hit = np.flatnonzero(curve >= level)
        return int(days[hit[0]]) if len(hit) else None

    median, low, high = first_day(0.5), first_day(0.1), first_day(0.9)
    who = f"{incident.target_name}"
    if median is None:
        statement = (
            f"Most of the probability lies beyond {last} days: the model gives "
            f"{percent(float(curve[-1]))} that {who} uses force against "
            f"{incident.initiator_name} {horizon_text(last)}."
        )
    else:
        upper = f"{high} days" if high is not None else f"more than {last} days"
        statement = (
            f"Half of the probability falls {horizon_text(median)}; 80 % range {low} to {upper}."
        )
    checkpoints = sorted(
        {d for d in (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365) if d <= last}
        | {last}
    )
    return {
        "median_days": median,
        "low_days": low if median is not None else None,
        "high_days": high if median is not None else None,
        "beyond_last_horizon": median is None,
        "statement": statement,
        "curve": [[int(d), round(float(curve[d - 1]), 6)] for d in checkpoints],
    }


def _pack(ccode1: np.ndarray, ccode2: np.ndarray) -> np.ndarray:
    """One sortable int64 key per directed dyad (COW codes are below 2**20)."""
    return ccode1.astype(np.int64) * (1 << 20) + ccode2.astype(np.int64)


def _sorted_by_dyad(covariates: pd.DataFrame | None) -> pd.DataFrame | None:
    if covariates is None or not {"ccode1", "ccode2", "year"} <= set(covariates.columns):
        return covariates
    return covariates.sort_values(["ccode1", "ccode2", "year"], kind="stable", ignore_index=True)


def _dyad_keys(covariates: pd.DataFrame | None) -> np.ndarray | None:
    if covariates is None or not {"ccode1", "ccode2", "year"} <= set(covariates.columns):
        return None
    return _pack(covariates["ccode1"].to_numpy(np.int64), covariates["ccode2"].to_numpy(np.int64))


def _daily(curve: np.ndarray | None) -> list[float]:
    if curve is None or not np.all(np.isfinite(curve)):
        return []
    return [round(float(v), 6) for v in curve]


def _trigger_table(incidents: Sequence[Incident], ids: list[str]) -> pd.DataFrame:
    """The trigger columns build_features reads, one row per incident (initiator -> target)."""
    return pd.DataFrame(
        {
            "episode_id": [
                f"{incident_id}:{i.initiator}>{i.target}"
                for incident_id, i in zip(ids, incidents, strict=True)
            ],
            "incident_id": pd.array(ids, dtype="string"),
            "date": pd.to_datetime([i.date for i in incidents]).astype("datetime64[ns]"),
            "initiator": np.array([i.initiator for i in incidents], dtype=np.int64),
            "target": np.array([i.target for i in incidents], dtype=np.int64),
            "action": pd.array([i.action for i in incidents], dtype="string"),
            "hostility": np.array([i.hostility for i in incidents], dtype=np.int64),
            "directed": np.array([i.directed for i in incidents], dtype=bool),
            "fatalities_initiator": pd.array(
                [i.fatalities_initiator for i in incidents], dtype="Float64"
            ),
            "fatalities_target": pd.array(
                [i.fatalities_target for i in incidents], dtype="Float64"
            ),
            "dispute_id": pd.array([i.dispute_id for i in incidents], dtype="string"),
            "source": pd.array(["new"] * len(incidents), dtype="string"),
            "date_precision": pd.array(["day"] * len(incidents), dtype="string"),
            "target_kind": pd.array([i.target_kind for i in incidents], dtype="string"),
        }
    )


def _canonical_incidents(incidents: Sequence[Incident], ids: list[str]) -> pd.DataFrame:
    """New incidents in the canonical incident schema, so force_events treats them as history."""
    return conform(
        pd.DataFrame(
            {
                "incident_id": ids,
                "source": "new",
                "date": [i.date for i in incidents],
                "date_precision": "day",
                "date_end": pd.NaT,
                "initiator": [i.initiator for i in incidents],
                "target": [i.target for i in incidents],
                "action": [i.action for i in incidents],
                "hostility": [i.hostility for i in incidents],
                "directed": [i.directed for i in incidents],
                "fatalities_initiator": [i.fatalities_initiator for i in incidents],
                "fatalities_target": [i.fatalities_target for i in incidents],
                "target_kind": [i.target_kind for i in incidents],
                "dispute_id": [i.dispute_id for i in incidents],
                "notes": [i.notes for i in incidents],
            }
        )
    )


def _event_keys(events: pd.DataFrame) -> dict[str, set[Any]]:
    """What the history already holds, so a batch incident is never counted twice."""
    ids = set(events["incident_id"].astype(str)) if "incident_id" in events else set()
    days = set(
        zip(
            events["actor"].astype(int),
            events["victim"].astype(int),
            pd.to_datetime(events["date"]),
            strict=True,
        )
    )
    return {"ids": ids, "days": days}


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


def _coverage_ends(coverage: Mapping[str, Any]) -> dict[str, pd.Timestamp]:
    """Per source, where its coverage ends, from sources.json or a plain {source: date}."""
    ends = {}
    for source, value in coverage.items():
        end = value.get("coverage", value).get("end") if isinstance(value, Mapping) else value
        if end:
            ends[str(source)] = pd.Timestamp(end)
    return ends


def _modelled_incidents(incidents: pd.DataFrame, params: Params) -> pd.DataFrame:
    """The incidents the models were trained on, selected as the episodes stage selects them."""
    from forecast.episodes import select_model_sources

    modelled = select_model_sources(incidents, params.data.model_sources)
    return modelled if len(modelled) else incidents


def _model_version(tracking: Any, params: Params) -> str:
    return (
        f"{tracking.champion_version('likelihood', params)}; "
        f"{tracking.champion_version('timing', params)}"
    )


def _read_parquet(path: Path, command: str) -> pd.DataFrame:
    if not path.exists():
        raise DataFileError(path, "not found", f"run `{command}` or `dvc repro` first")
    return pd.read_parquet(path)


def _pick_headline(horizons: Iterable[int], wanted: int) -> int:
    horizons = list(horizons)
    return wanted if wanted in horizons else horizons[0]


def _prob(value: Any) -> float | None:
    """A probability rounded for output; None when the model gave no number."""
    number = float(value) if value is not None and pd.notna(value) else math.nan
    return round(float(np.clip(number, 0.0, 1.0)), 6) if math.isfinite(number) else None


def _with_names(meaning: str, incident: Incident) -> str:
    """Feature meanings speak of 'the initiator' and 'the target'; readers want the countries."""
    initiator, target = incident.initiator_name, incident.target_name
    meaning = re.sub(r"\bthe initiator( state)?\b", initiator, meaning, flags=re.IGNORECASE)
    return re.sub(r"\bthe target( state)?\b", target, meaning, flags=re.IGNORECASE)


def _is_flag(meaning: str, value: float, typical: float) -> bool:
    return meaning.lower().startswith("1 if ") and {value, typical} <= {0.0, 1.0}


def _condition(meaning: str) -> str:
    """'1 if X, 0 if Y (note)' -> 'X': a flag's meaning as the condition it tests."""
    if not meaning.lower().startswith("1 if "):
        return meaning
    condition = meaning[5:]
    condition = re.split(r",\s*0 if |\s\(", condition, maxsplit=1)[0]
    return condition.strip().rstrip(".")


def _describe_values(meaning: str, value: float, typical: float) -> tuple[str, str]:
    """'yes'/'no' for flags, numbers otherwise."""
    if _is_flag(meaning, value, typical):
        return ("yes" if value else "no"), ("yes" if typical else "no")
    return _number(value), _number(typical)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}"


def band_term(probability: float) -> str:
    """The bare ICD 203 word, for tables where the range is shown separately."""
    return band_for(probability).term


__all__ = [
    "Forecast",
    "Forecaster",
    "Incident",
    "parse_incident",
    "read_incidents",
]
