"""Fit the final models on all labelled data, register them and choose the champions by rule.

The champion rule (docs/adr/0001-champion-rule.md): the likelihood champion is the simplest
model that no more complex one beats on params.train's score (default: 30-day Brier skill on
limited uses of force) by a paired dyad-bootstrap interval excluding zero, as the backtest found
it (metrics/likelihood.json `comparisons`); the timing champion has the best Uno's C.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.core import tables
from forecast.core.config import Params
from forecast.core.coverage import read_source_coverage
from forecast.core.provenance import DataProvenance, data_provenance
from forecast.episodes import history_incidents
from forecast.models import registry
from forecast.models.ensemble import ENSEMBLE_NAME
from forecast.models.final import fit_final_models
from forecast.models.recalibration import RecalibratedModel
from forecast.record_age.bands import RecordAgeModels, fit_record_models
from forecast.record_age.choice import served_kinds
from forecast.tracking import runs, signing
from forecast.tracking.bundle import (
    Champions,
    check_forecast_inputs,
    inputs_hash,
    registry_stamp,
    version_text,
    write_bundle,
)


@dataclass(frozen=True)
class TrainResult:
    """The champions by kind, every registered version, the run and the data trained on."""

    champions: dict[str, str]
    versions: dict[str, dict[str, str]]
    run_id: str
    provenance: DataProvenance

    def headline(self) -> str:
        """One line: each kind's champion and its registered version."""
        likelihood, timing = self.champions["likelihood"], self.champions["timing"]
        return (
            f"train: champions likelihood={likelihood} "
            f"(v{self.versions['likelihood'][likelihood]}), "
            f"timing={timing} (v{self.versions['timing'][timing]})"
        )


def record_models(params: Params, episodes: pd.DataFrame, n_jobs: int = 1) -> RecordAgeModels:
    """The record-age models, fitted on the same triggers as the champions; band or pooled per
    age as the backtest by record age found better (metrics/record_age.json)."""
    scores = tables.read_optional("record_age")
    choice = (
        served_kinds(
            scores,
            params.record_age.ages,
            params.train.champion_subset,
            params.train.champion_horizon,
        )
        if scores
        else None
    )
    return fit_record_models(
        history_incidents(tables.read("incidents"), params.data),
        episodes,
        tables.read_optional("covariates"),
        read_source_coverage(),
        params,
        choice,
        n_jobs=n_jobs,
    )


def choose_champions(likelihood: dict, timing: dict, params: Params) -> dict[str, str]:
    """{kind: champion}: the backtest's rule for likelihood, the best Uno's C for timing."""
    scores = runs.likelihood_scores(likelihood, params.train)
    rule = likelihood.get("comparisons", {})
    return {
        "likelihood": rule.get("champion")
        or runs.choose_champion(scores, params.train.champion_metric),
        "timing": runs.choose_champion(runs.timing_scores(timing), "c_index"),
    }


def run_training(params: Params, n_jobs: int = 1) -> TrainResult:
    """Fit, log and register every model; alias the rule's winners as `champion`; write
    metrics/train.json and the scoring bundle data/processed/champions.pkl; `n_jobs` fits side
    by side (the numbers do not depend on it: forecast.models.parallel_fit). Every pickle is
    signed with the user's key, created here when there is none (forecast.tracking.signing)."""
    # First, so a key that cannot be made or read stops training before any fitting.
    key = signing.signing_key(create=True)
    likelihood = tables.read("likelihood")
    timing = tables.read("timing")
    episodes, features = tables.read("episodes"), tables.read("features")
    provenance = data_provenance(episodes, features)
    scores = runs.likelihood_scores(likelihood, params.train)
    timing_scores = runs.timing_scores(timing)
    rule = likelihood.get("comparisons", {})
    champions = choose_champions(likelihood, timing, params)
    choices = tables.read("backtest_data").get("choices", {})
    limits = choices.get("final", {}).get("correlation_limit", {})
    fitted = fit_final_models(
        episodes,
        features,
        params,
        tables.read("backtest_predictions"),
        correlation_limits=limits,
        n_jobs=n_jobs,
    )
    age_models = record_models(params, episodes, n_jobs=n_jobs)
    # The registry's champions are about to change: until the new bundle is written, forecasts
    # must read the registry, even if this run stops half-way.
    tables.path("champions").unlink(missing_ok=True)
    versions: dict[str, dict[str, str]] = {"likelihood": {}, "timing": {}}
    with runs.start_training_run(provenance, params) as run:
        for name, model in fitted.items():
            kinds = ["likelihood"] + (["timing"] if registry.is_timing(name) else [])
            for kind in kinds:
                with runs.start_model_run(name, kind):
                    runs.log_metrics(
                        {"backtest_score": scores.get(name, float("nan"))}
                        | ({"backtest_c_index": timing_scores[name]} if kind == "timing" else {})
                    )
                    version = runs.log_model(model, kind, features, key)
                    runs.tag_version(
                        kind, version, {"model": name, "data_hash": provenance.content_hash}
                    )
                    versions[kind][name] = str(version)
        for kind, name in champions.items():
            runs.set_champion(kind, versions[kind][name])
        runs.log_record_models(age_models, key)
        run_id = run.info.run_id

    record = {
        "champions": {
            kind: {"model": name, "version": versions[kind][name]}
            for kind, name in champions.items()
        },
        "rule": params.train.model_dump(),
        "champion_rule": {k: v for k, v in rule.items() if k != "versus"},
        "correlation_limits": limits,
        "recalibration": {
            name: model.map_table()
            for name, model in fitted.items()
            if isinstance(model, RecalibratedModel)
        },
        "versions": versions,
        "data": provenance.as_dict(),
        "run_id": run_id,
    } | (
        {"ensemble_weights": fitted[ENSEMBLE_NAME].weight_table()}
        if ENSEMBLE_NAME in fitted
        else {}
    )
    tables.write("train", record)
    check_forecast_inputs()
    signature = write_bundle(
        Champions(
            likelihood=fitted[champions["likelihood"]],
            timing=fitted[champions["timing"]],
            version=version_text(
                runs.version_label(kind, versions[kind][name], name)
                for kind, name in champions.items()
            ),
            run_id=run_id,
            data_hash=provenance.content_hash,
            # Taken after the training run has closed: its last write to the registry.
            registry_stamp=registry_stamp(params.tracking.uri),
            record_models=age_models,
        ),
        key,
    )
    # Checked before the bundle is ever unpickled (forecast.tracking.bundle).
    # With the hash of the checked tables the bundle holds, so a forecast knows them unread.
    recorded = {"bundle_signature": signature, "inputs_hash": inputs_hash()}
    tables.write("train", tables.read("train") | recorded)
    return TrainResult(champions, versions, run_id, provenance)
