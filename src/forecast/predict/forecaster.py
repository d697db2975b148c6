"""The forecaster: champion models and history in, one `Forecast` per incident out.

A new incident is treated exactly like a training trigger: its history features come from the
feature code of training over the same force-event history, which ignores everything dated on
or after the incident's day. `Forecaster.load()` indexes that history once
(`KeptHistoryFeatures`), so each forecast costs a few binary searches rather than a pass over
every event. The models and data are injected into `Forecaster`, so tests and notebooks can use
stand-ins; `load` wires in the registered champions and the pipeline's files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.as_of.model import AsOfModel, read_as_of_model, settled_shape
from forecast.classes.blend import ServedBlend
from forecast.classes.membership import OPENING_FEATURE
from forecast.core.config import Params, load_params
from forecast.core.errors import ForecastError
from forecast.core.provenance import DataProvenance
from forecast.core.wording import estimative_phrase, key_judgment, readable_date
from forecast.episodes import day_numbers
from forecast.features.registry import recent_context_features
from forecast.models.base import LikelihoodModel, TimingModel
from forecast.models.common import survival_to_proba
from forecast.predict.analogues import N_ANALOGUES, AnalogueIndex
from forecast.predict.as_of_view import AsOfServer, given_signals, signal_table
from forecast.predict.caveats import data_caveats, extrapolation_caveat, model_caveats
from forecast.predict.explain import drivers, probabilities_and_effects
from forecast.predict.history import (
    NEW_SOURCE,
    KeptHistoryFeatures,
    canonical_incidents,
    dyad_keys,
    event_keys,
    pack_dyad,
    sorted_by_dyad,
    trigger_table,
)
from forecast.predict.incident import Incident
from forecast.predict.leaning import lean
from forecast.predict.outside_view import ReferenceRates
from forecast.predict.result import Forecast, HorizonForecast, probability_or_none
from forecast.predict.timing import daily_curve, timing_summary
from forecast.record_age.view import (
    IncidentRecord,
    RecordView,
    age_text,
    curve_from_horizons,
    is_limited_force,
    read_record_skill,
    record_end_timestamp,
    training_text,
)

INTERVAL_LEVEL = 0.9

FeatureBuilder = Callable[..., pd.DataFrame]
EventBuilder = Callable[[pd.DataFrame, int], pd.DataFrame]


@dataclass(frozen=True)
class _Scored:
    """One incident's numbers from the model that scored it."""

    p: pd.Series
    low: pd.Series
    high: pd.Series
    effects: np.ndarray
    reference: pd.Series
    curve: np.ndarray | None
    model_name: str


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
        coverage: Mapping[str, date | None] | None,
        model_version: str,
        *,
        feature_builder: FeatureBuilder | None = None,
        event_builder: EventBuilder | None = None,
        feature_meanings: Mapping[str, str] | None = None,
        headline_horizon: int | None = None,
        model_source: str = "given",
        record: RecordView | None = None,
        blend: ServedBlend | None = None,
        signals: pd.DataFrame | None = None,
        as_of_model: Callable[[], AsOfModel | None] | None = None,
        data_hash: str | None = None,
    ) -> None:
        self.likelihood_model = likelihood_model
        self.timing_model = timing_model
        self.history_events = history_events
        self.covariates = sorted_by_dyad(covariates)
        self._covariate_keys = dyad_keys(self.covariates)
        self.provenance = provenance
        self.params = params
        self.coverage = _coverage_ends(coverage or {})
        self.model_version = model_version
        # Where the models were read from: "bundle", "registry" or "given" (passed in).
        self.model_source = model_source
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
        self._analogue_index = AnalogueIndex(
            episodes, features, self.feature_names, max(self.horizons)
        )
        self.reference_rates = ReferenceRates(episodes, features, self.horizons)
        self._history_keys = event_keys(history_events)
        # Without declared coverage every record reaches the incident's day: today's models.
        self.record = record or RecordView(coverage={})
        # How far a forecast judged a crisis (or not) leans on the outside view.
        self.blend = blend
        self._record_features: set[str] | None = None
        # As-of forecasts: the record's threats and displays (hostility 2-3), the as-of model
        # `forecast as-of backtest` wrote (read on first use) and the data it must match.
        self.signals = signals if signals is not None else given_signals([])
        self._as_of_model = as_of_model
        self._as_of_server: AsOfServer | None = None
        self._episodes = episodes
        self.data_hash = data_hash

    # ---- construction from the pipeline's files and the registry -----------------------------

    @classmethod
    def load(cls, params: Params | None = None, root: str | Path = ".") -> Forecaster:
        """The champion models and the pipeline's data files under `root`.

        The champions come from the bundle `forecast train` writes when it matches the training
        run and the data on disk, else from the MLflow registry (`forecast.tracking.bundle`). The
        feature function is bound to the same options the features stage uses (same-day
        rule, per-source coverage), so a new incident's features are computed as in training.
        """
        from forecast.core import tables
        from forecast.core.coverage import coverage_ends, modelled_coverage, read_source_coverage
        from forecast.core.provenance import data_provenance, provenance_of
        from forecast.episodes import force_events, history_incidents
        from forecast.features.registry import feature_table
        from forecast.tracking.bundle import inputs_hash, load_champions, recorded_inputs_hash

        root = Path(root)
        params = params or load_params(root / "params.yaml")
        # Tables that hash as the training run checked them are read unchecked; the signed
        # bundle confirms the hash below, or they are checked after all.
        current = inputs_hash(root)
        known = current == recorded_inputs_hash(root)
        frames = {
            name: tables.read(name, root, validate=not known)
            for name in ("incidents", "covariates", "episodes", "features")
        }
        incidents, covariates = frames["incidents"], frames["covariates"]
        episodes, features = frames["episodes"], frames["features"]
        data_hash = data_provenance(episodes, features).content_hash
        champions = load_champions(params, data_hash, root=root, inputs=current)
        if known and champions.source != "bundle":
            for name, frame in frames.items():
                tables.validate(name, frame, root)
        covered = read_source_coverage(root)
        coverage = coverage_ends(covered)
        modelled = history_incidents(incidents, params.data)
        meanings = feature_table(params.features, params.episodes.horizons)
        history = force_events(modelled, params.episodes.min_hostility)
        record = RecordView(
            coverage=modelled_coverage(covered, modelled["source"].astype(str).unique()),
            models=champions.record_models,
            skill=read_record_skill(root),
        )
        return cls(
            likelihood_model=champions.likelihood,
            timing_model=champions.timing,
            history_events=history,
            covariates=covariates,
            episodes=episodes,
            features=features,
            provenance=provenance_of(modelled),
            params=params,
            coverage=_coverage_of(coverage, modelled),
            model_version=champions.version,
            feature_builder=KeptHistoryFeatures(
                history,
                include_same_day=params.episodes.include_same_day,
                coverage=coverage,
                selective_sources=record.selective | {NEW_SOURCE},
            ),
            event_builder=force_events,
            feature_meanings=dict(zip(meanings["name"], meanings["meaning"], strict=True)),
            model_source=champions.source,
            record=record,
            blend=_served_blend(root, champions.version),
            signals=signal_table(modelled),
            as_of_model=lambda: read_as_of_model(root),
            data_hash=data_hash,
        )

    # ---- scoring ------------------------------------------------------------------------------

    def predict(self, incident: Incident) -> Forecast:
        """Forecast one incident."""
        return self.predict_many([incident])[0]

    def predict_many(self, incidents: Sequence[Incident]) -> list[Forecast]:
        """Forecast several incidents in one pass over the models.

        Incidents in the batch that the history does not hold yet are added to it, so a
        counter-strike two days after a strike in the same batch sees that strike, exactly as
        it would had both been coded in data/incidents/; so is the strike an incident says it
        `answers`. An incident after the systematic record's end is forecast by the band model
        of its record age (`forecast.record_age.view`), with the analyst's recent facts when
        there are any.
        """
        if not incidents:
            return []
        known = list(incidents)
        incidents = [incident for incident in known if incident.is_force]
        if not incidents:
            raise ForecastError(
                "no use of force to forecast: threats and displays of force (hostility 2-3) "
                "are known events beside a use of force (hostility 4-5), never forecast alone"
            )
        for incident in incidents:
            self._check_in_scope(incident)
        ids = [incident.incident_id or f"new-{i + 1}" for i, incident in enumerate(incidents)]
        triggers = trigger_table(incidents, ids)
        events = self._history_with(incidents, ids)
        days = day_numbers(triggers["date"])
        ends = self.record.end_days(days)
        features = self._features(triggers, events, ends)
        knows_recent = [
            self._knows_recent_days(incident, features.iloc[row])
            for row, incident in enumerate(incidents)
        ]
        records = [
            self.record.place(int(day), int(end), knows)
            for day, end, knows in zip(days, ends, knows_recent, strict=True)
        ]
        scored = self._score(features, records)
        forecasts = []
        for row, incident in enumerate(incidents):
            result, placed = scored[row], records[row]
            values = features.iloc[row]
            limited_force = is_limited_force(incident.action, incident.hostility)
            reference = self.reference_rates.of(
                limited_force, incident.crisis, _opening(placed, knows_recent[row], values)
            )
            horizons, leaning = lean(
                {
                    h: HorizonForecast(
                        p=probability_or_none(result.p[h]),
                        low=probability_or_none(result.low[h]),
                        high=probability_or_none(result.high[h]),
                    )
                    for h in self.horizons
                },
                reference,
                incident.crisis,
                self.blend,
            )
            curve = result.curve if leaning is None else self._leaning_curve(horizons)
            number_caveats = model_caveats(horizons, incident, result.model_name)
            headline = horizons[self.headline_horizon].p
            champion_inputs = values[self.feature_names].to_numpy(dtype=float)
            meanings = self._meanings(placed)
            record = self.record.block(placed, limited_force)
            forecasts.append(
                Forecast(
                    incident=incident,
                    horizons=horizons,
                    headline_horizon=self.headline_horizon,
                    timing=timing_summary(curve, incident),
                    phrase=estimative_phrase(headline),
                    key_judgment=key_judgment(
                        incident.target_name,
                        incident.initiator_name,
                        headline,
                        self.headline_horizon,
                    ),
                    drivers=drivers(
                        values[result.reference.index],
                        result.effects,
                        incident,
                        result.reference,
                        meanings,
                        self.headline_horizon,
                    ),
                    analogues=self._analogue_index.nearest(
                        champion_inputs, incident, N_ANALOGUES, max(self.horizons)
                    ),
                    data_source=self._data_source(),
                    model_version=self.model_version,
                    caveats=data_caveats(
                        incident,
                        events,
                        self.provenance,
                        None if self.record.models is not None else self._event_data_end(),
                        self.covariates,
                    )
                    + self._record_caveats(placed, record)
                    + number_caveats
                    + extrapolation_caveat(
                        self._analogue_index.rarely_seen(champion_inputs), meanings, incident
                    )
                    + self._crisis_caveat(incident)
                    + ([leaning.sentence(self.headline_horizon)] if leaning else []),
                    features={k: float(v) for k, v in values.items()},
                    daily_curve=daily_curve(curve),
                    record=record,
                    reference=reference,
                    leaning=leaning.to_dict() if leaning else {},
                )
            )
        return self._with_as_of(forecasts, known, ids)

    def _with_as_of(
        self, forecasts: list[Forecast], known: Sequence[Incident], ids: list[str]
    ) -> list[Forecast]:
        """Each forecast with an as-of day gets its `as_of` block (`predict.as_of_view`)."""
        incidents = [forecast.incident for forecast in forecasts]
        if all(incident.as_of is None for incident in incidents):
            return forecasts
        signals = pd.concat([self.signals, given_signals(known)], ignore_index=True)
        force = self._history_with(incidents, ids, as_of=True)
        curves = [
            forecast.daily_curve
            if forecast.record.get("model", "champion") == "champion" and not forecast.leaning
            else None
            for forecast in forecasts
        ]
        blocks = self.as_of_server().blocks(
            incidents, [forecast.horizons for forecast in forecasts], signals, force, curves
        )
        return [
            replace(forecast, as_of=block) if block else forecast
            for forecast, block in zip(forecasts, blocks, strict=True)
        ]

    def as_of_server(self) -> AsOfServer:
        """The as-of model served, chosen once: the written one when it matches these data."""
        if self._as_of_server is None:
            written = self._as_of_model() if self._as_of_model is not None else None
            self._as_of_server = AsOfServer.choose(
                written,
                self.data_hash,
                settled_shape(self._episodes, self.horizons),
                self.horizons,
            )
        return self._as_of_server

    def _leaning_curve(self, horizons: dict[int, HorizonForecast]) -> np.ndarray:
        """The timing curve through the served horizon numbers, once they lean on the outside
        view: the timing model's own curve would contradict them."""
        p = np.array([horizons[h].p or 0.0 for h in self.horizons], dtype=float)
        return curve_from_horizons(p, self.horizons, max(self.horizons))

    def _crisis_caveat(self, incident: Incident) -> list[str]:
        """Say so when the analyst's crisis judgement cannot narrow the outside view."""
        if incident.crisis is None or self.reference_rates.knows_crises:
            return []
        return [
            "The crisis judgement is not used in the outside view: the training data carry no "
            "crisis label (ICB is not among the data read)."
        ]

    @staticmethod
    def _knows_recent_days(incident: Incident, values: pd.Series) -> bool:
        """Whether the analyst's recent facts are known for this incident: vouched for, an
        answered strike named, or a known use of force by the target against the initiator
        in the days before it (earlier rows of the batch, hand-coded incidents)."""
        flags = recent_context_features(values.index)
        known_answer = bool((values[flags] > 0).any()) if flags else False
        return incident.context_known or incident.answers is not None or known_answer

    def _score(self, features: pd.DataFrame, records: list[IncidentRecord]) -> list[_Scored]:
        """Each incident scored by its model: the champion, or its record band's logit."""
        rows_by_model: dict[tuple[int, bool], list[int]] = {}
        for row, placed in enumerate(records):
            rows_by_model.setdefault((placed.band, placed.context), []).append(row)
        scored: list[_Scored | None] = [None] * len(records)
        for (band, context), rows in rows_by_model.items():
            if band == 0:
                model, reference = self.likelihood_model, self.reference_values
                frame = features.iloc[rows][self.feature_names].reset_index(drop=True)
            else:
                model = self.record.models.model(band, context)  # type: ignore[union-attr]
                reference = model.reference_values_.reindex(model.feature_names_)
                frame = features.iloc[rows][model.feature_names_].reset_index(drop=True)
            p, effects = probabilities_and_effects(model, frame, reference, self.headline_horizon)
            low, high = model.predict_interval(frame, INTERVAL_LEVEL)
            if band == 0:
                curves = self._timing_curves(frame)
            else:
                days = max(self.horizons)
                curves = np.vstack(
                    [
                        curve_from_horizons(values, self.horizons, days)
                        for values in p[list(self.horizons)].to_numpy(dtype=float)
                    ]
                )
            name = getattr(model, "name", "likelihood")
            for i, row in enumerate(rows):
                scored[row] = _Scored(
                    p=p.iloc[i],
                    low=low.iloc[i],
                    high=high.iloc[i],
                    effects=effects[i],
                    reference=reference,
                    curve=curves[i] if curves is not None else None,
                    model_name=name,
                )
        return scored  # type: ignore[return-value]

    def _record_caveats(self, placed: IncidentRecord, record: Mapping[str, Any]) -> list[str]:
        """What the record's age means for this forecast (its `record` block), when the record
        ends before it."""
        if placed.age_days <= 0 or self.record.models is None:
            return []
        end = readable_date(record_end_timestamp(placed))
        if placed.current:
            return [
                f"The systematic record ends on {end}, {age_text(placed)} before this "
                f"incident; a gap that short is read by today's models, so anything after "
                f"{end} that no source listed is not counted."
            ]
        reading = (
            "with the analyst's facts about the days just before it"
            if placed.context
            else "without knowledge of the days just before it (give the earlier incidents, "
            "`answers` or `context` to add them)"
        )
        text = (
            f"The systematic record ends on {end}, {age_text(placed)} before this incident: "
            f"history is read up to that day, and the numbers come from a logit "
            f"{training_text(record)}, {reading}."
        )
        skill = record.get("skill")
        if skill and skill.get("bss") is not None:
            text += (
                f" In the backtest at that age its {skill['horizon']}-day forecasts scored ROC AUC "
                f"{skill['roc_auc']:.2f} and Brier skill {skill['bss']:+.2f} "
                f"({skill['subset'].replace('_', ' ')}, n = {skill['n']:,})."
            )
        caveats = [text]
        if record["beyond_oldest_band"]:
            oldest = self.record.models.oldest
            caveats.append(
                f"The record is older than the oldest gap the models were trained for "
                f"({oldest} years); the {oldest}-year band is used."
            )
        return caveats

    # ---- the pieces ---------------------------------------------------------------------------

    def _check_in_scope(self, incident: Incident) -> None:
        start = self.provenance.data_start
        if start and incident.date < pd.Timestamp(start):
            raise ForecastError(
                f"{incident.describe()}: the data start on {readable_date(start)}, so there is "
                f"no history to forecast from; give a date on or after it"
            )

    def _history_with(
        self, incidents: Sequence[Incident], ids: list[str], *, as_of: bool = False
    ) -> pd.DataFrame:
        """The history plus those of the batch's incidents it lacks that can matter.

        An event reaches only the features and caveats of incidents dated after it, so a new
        incident on the batch's last day (a lone forecast's own incident) would change nothing:
        it is left out, and the history (with the index kept for it) is used as it is. As-of
        evidence (`as_of`) reads events after the trigger too, so then every one is added.
        """
        last_day = max(incident.date for incident in incidents)
        candidates = list(zip(incidents, ids, strict=True)) + answered_strikes(incidents, ids)
        fresh = [
            (incident, incident_id)
            for incident, incident_id in candidates
            if (as_of or incident.date < last_day)
            and incident_id not in self._history_keys["ids"]
            and (incident.initiator, incident.target, incident.date)
            not in self._history_keys["days"]
        ]
        if not fresh:
            return self.history_events
        canonical = canonical_incidents([i for i, _ in fresh], [d for _, d in fresh])
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

    def _features(
        self, triggers: pd.DataFrame, events: pd.DataFrame, record_end: np.ndarray
    ) -> pd.DataFrame:
        """Every registry feature of the triggers, history read up to each record's end."""
        builder = self._feature_builder
        gap = bool((record_end < day_numbers(triggers["date"])).any())
        # Only a record that ends before an incident changes what the builder reads.
        options: dict[str, Any] = {"record_end": record_end} if gap else {}
        if builder is None:
            from forecast.features.computation import build_features as builder

            options["selective_sources"] = self.record.selective | {NEW_SOURCE}
        built = builder(
            triggers,
            events,
            self._covariates_for(triggers),
            self.params.features,
            self.params.episodes.horizons,
            **options,
        )
        built = built.set_index("episode_id").reindex(triggers["episode_id"])
        missing = [name for name in self.feature_names if name not in built.columns]
        if missing:
            raise ForecastError(
                f"the model expects feature(s) {', '.join(missing)} that the feature code no "
                f"longer makes; retrain with `forecast train` so models and features agree"
            )
        frame = built.astype(float)
        if frame[self.feature_names].isna().any().any():
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
            pack_dyad(
                triggers["initiator"].to_numpy(np.int64), triggers["target"].to_numpy(np.int64)
            )
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
        return survival_to_proba(survival[days].to_numpy(dtype=float))

    def _meanings(self, placed: IncidentRecord | None = None) -> Mapping[str, str]:
        """Feature meanings in words; for a record that ends before the incident, history
        features say they are read up to the record's end, never as quiet recent days."""
        meanings = self._all_meanings()
        if placed is None or placed.age_days == 0:
            return meanings
        end = readable_date(record_end_timestamp(placed))
        history = self._history_features()
        return {
            name: f"{meaning} (up to the record's end on {end})" if name in history else meaning
            for name, meaning in meanings.items()
        }

    def _history_features(self) -> set[str]:
        """Registry features read from the record (their windows end at the record's end)."""
        if self._record_features is None:
            from forecast.features.registry import RECORD_SOURCE, feature_table

            table = feature_table(self.params.features, self.params.episodes.horizons)
            in_record = table["source"] == RECORD_SOURCE
            self._record_features = set(table.loc[in_record & ~table["recent_context"], "name"])
        return self._record_features

    def _all_meanings(self) -> Mapping[str, str]:
        if self._feature_meanings is None:
            try:
                from forecast.features.registry import feature_table

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


def answered_strikes(incidents: Sequence[Incident], ids: list[str]) -> list[tuple[Incident, str]]:
    """The strikes incidents say they answer, as incidents of their own (target -> initiator),
    so they count as known events in the history of the incidents after them."""
    return [
        (
            Incident(
                initiator=incident.target,
                target=incident.initiator,
                date=incident.answers,
                action="attack",
                hostility=4,
                incident_id=f"{incident_id}:answered",
                notes=f"the strike {incident_id} answers (given with the incident)",
            ),
            f"{incident_id}:answered",
        )
        for incident, incident_id in zip(incidents, ids, strict=True)
        if incident.answers is not None
    ]


def _coverage_ends(coverage: Mapping[str, Any]) -> dict[str, pd.Timestamp]:
    """Per source, the last day it observed (`forecast.core.coverage.coverage_ends`), as
    timestamps; a source with no observed day says nothing and is left out."""
    return {str(source): pd.Timestamp(end) for source, end in coverage.items() if end}


def _coverage_of(coverage: Mapping[str, Any], modelled: pd.DataFrame) -> dict[str, Any]:
    """The coverage of the sources the models learned from (the others say nothing here)."""
    sources = set(modelled["source"].astype(str))
    return {source: end for source, end in coverage.items() if source in sources}


def _opening(placed: IncidentRecord, knows_recent: bool, values: pd.Series) -> bool | None:
    """Whether the incident opens an exchange (the target used no force against the initiator
    in the 30 days before): known when the record reaches the incident's day or the analyst gave
    the recent days; None otherwise."""
    if OPENING_FEATURE not in values.index:
        return None
    if placed.age_days <= 0 or knows_recent:
        return not bool(values[OPENING_FEATURE] > 0)
    return None


def _pick_headline(horizons: Iterable[int], wanted: int) -> int:
    horizons = list(horizons)
    return wanted if wanted in horizons else horizons[0]


def _served_blend(root: Path, version: str) -> ServedBlend | None:
    """The outside-view blend metrics/classes_data.json holds, when it was learnt on the
    champion being served (its name is in the champion's version text); else None."""
    from forecast.core import tables

    blend = ServedBlend.from_record(tables.read_record("classes_data", root))
    likelihood = next((part for part in version.split("; ") if "likelihood" in part), "")
    if blend is None or not likelihood.endswith(f"({blend.model})"):
        return None
    return blend
