"""`forecast train`: final models on all labelled data, registered, champions chosen by rule.

The champion rule (docs/adr/0001-champion-rule.md): the likelihood champion is the simplest
model that no more complex one beats on params.train's score (default: 30-day Brier skill on
limited uses of force) by a paired dyad-bootstrap interval excluding zero, as the backtest found
it (metrics/likelihood.json `comparisons`); the timing champion has the best Uno's C.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console

from forecast.config import Params, load_params
from forecast.errors import DataFileError
from forecast.paths import (
    BACKTEST_PREDICTIONS_FILE,
    CHAMPIONS_FILE,
    COVARIATES_FILE,
    INCIDENTS_FILE,
    METRICS_DIR,
    RECORD_AGE_FILE,
    SOURCES_FILE,
    TRAIN_FILE,
)

if TYPE_CHECKING:
    from forecast.models.record_bands import RecordAgeModels

app = typer.Typer(help="Fit final models, register them in MLflow and set the champions.")
console = Console()
PARAMS = Path("params.yaml")


def _read_json(path: Path) -> dict:
    if not path.exists():
        raise DataFileError(path, "not found", "run `forecast backtest` first")
    return json.loads(path.read_text())


def _backtest_predictions() -> pd.DataFrame:
    """The backtest's out-of-sample forecasts, from which the ensemble's weights are learnt."""
    from forecast.files import read_parquet

    return read_parquet(BACKTEST_PREDICTIONS_FILE, "forecast backtest")


def _record_models(params: Params, episodes: pd.DataFrame) -> RecordAgeModels:
    """The record-age models, fitted on the same triggers as the champions; band or pooled per
    age as the backtest by record age found better (metrics/record_age.json)."""
    from forecast.commands.episodes import read_table
    from forecast.episodes import select_model_sources
    from forecast.files import read_parquet
    from forecast.models.record_bands import fit_record_models
    from forecast.record import read_source_coverage

    incidents = select_model_sources(
        read_table(INCIDENTS_FILE, "forecast data ingest"), params.data.history_sources
    )
    covariates = (
        read_parquet(COVARIATES_FILE, "forecast data ingest") if COVARIATES_FILE.exists() else None
    )
    scores = _read_json(RECORD_AGE_FILE) if RECORD_AGE_FILE.exists() else None
    return fit_record_models(
        incidents, episodes, covariates, read_source_coverage(SOURCES_FILE), params, scores
    )


@app.callback(invoke_without_command=True)
def train(
    params_file: Annotated[Path, typer.Option("--params", help="params file")] = PARAMS,
) -> None:
    """Fit, log and register every model; alias the rule's winners as `champion`."""
    from forecast import tracking
    from forecast.champions import Champions, registry_stamp, version_text, write_bundle
    from forecast.commands.backtest import read_modelling_tables
    from forecast.evaluation.backtest import write_json
    from forecast.models import registry
    from forecast.models.ensemble import ENSEMBLE_NAME
    from forecast.models.final import fit_final_models
    from forecast.models.recalibration import RecalibratedModel
    from forecast.provenance import data_provenance

    params = load_params(params_file)
    likelihood = _read_json(METRICS_DIR / "likelihood.json")
    timing = _read_json(METRICS_DIR / "timing.json")
    episodes, features = read_modelling_tables()
    provenance = data_provenance(episodes, features)
    console.print(provenance.banner(), style="bold yellow", highlight=False, markup=False)

    scores = tracking.likelihood_scores(likelihood, params.train)
    timing_scores = tracking.timing_scores(timing)
    rule = likelihood.get("comparisons", {})
    champions = {
        "likelihood": rule.get("champion")
        or tracking.choose_champion(scores, params.train.champion_metric),
        "timing": tracking.choose_champion(timing_scores, "c_index"),
    }
    choices = _read_json(METRICS_DIR / "backtest_data.json").get("choices", {})
    limits = choices.get("final", {}).get("correlation_limit", {})
    fitted = fit_final_models(
        episodes, features, params, _backtest_predictions(), correlation_limits=limits
    )
    record_models = _record_models(params, episodes)
    # The registry's champions are about to change: until the new bundle is written, forecasts
    # must read the registry, even if this run stops half-way.
    CHAMPIONS_FILE.unlink(missing_ok=True)
    versions: dict[str, dict[str, str]] = {"likelihood": {}, "timing": {}}
    with tracking.start_training_run(provenance, params) as run:
        for name, model in fitted.items():
            kinds = ["likelihood"] + (["timing"] if registry.is_timing(name) else [])
            for kind in kinds:
                with tracking.start_model_run(name, kind):
                    tracking.log_metrics(
                        {"backtest_score": scores.get(name, float("nan"))}
                        | ({"backtest_c_index": timing_scores[name]} if kind == "timing" else {})
                    )
                    version = tracking.log_model(model, kind, features)
                    tracking.tag_version(
                        kind, version, {"model": name, "data_hash": provenance.content_hash}
                    )
                    versions[kind][name] = str(version)
        for kind, name in champions.items():
            tracking.set_champion(kind, versions[kind][name])
        tracking.log_record_models(record_models)
        run_id = run.info.run_id

    write_json(
        {
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
        }
        | (
            {"ensemble_weights": fitted[ENSEMBLE_NAME].weight_table()}
            if ENSEMBLE_NAME in fitted
            else {}
        ),
        TRAIN_FILE,
    )
    bundle_sha256 = write_bundle(
        Champions(
            likelihood=fitted[champions["likelihood"]],
            timing=fitted[champions["timing"]],
            version=version_text(
                tracking.version_label(kind, versions[kind][name], name)
                for kind, name in champions.items()
            ),
            run_id=run_id,
            data_hash=provenance.content_hash,
            # Taken after the training run has closed: its last write to the registry.
            registry_stamp=registry_stamp(params.tracking.uri),
            record_models=record_models,
        ),
        CHAMPIONS_FILE,
    )
    # Checked before the bundle is ever unpickled (forecast.champions).
    write_json(json.loads(TRAIN_FILE.read_text()) | {"bundle_sha256": bundle_sha256}, TRAIN_FILE)
    console.print(
        f"train: champions likelihood={champions['likelihood']} "
        f"(v{versions['likelihood'][champions['likelihood']]}), "
        f"timing={champions['timing']} (v{versions['timing'][champions['timing']]})",
        highlight=False,
    )
