"""Every MLflow call in the project: runs, metrics, figures, the model registry and champions.

Tracking lives in one module so the rest of the code never imports mlflow, and so the rules
(where runs go, what every run is tagged with, how a champion is chosen and loaded) are written
once. Models are loaded through the registry alias; the only other copy of a champion is the
bundle `forecast train` writes for fast forecasts (`forecast.tracking.bundle`), used only while it
matches the last training run and the data on disk.

Every pickle logged here is signed with the user's key (`forecast.tracking.signing`): a
registered version carries the signature of its model folder as a tag, a training run that of
its record-age models. Loading checks the signature on a private copy and unpickles that copy,
so nothing written into `mlruns/` by someone without the key is ever run.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.core.config import Params, TrackingParams, TrainParams, load_params
from forecast.core.errors import ForecastError
from forecast.core.provenance import DataProvenance
from forecast.tracking import signing

# No progress bars in logs, no telemetry, no network: tracking is a local notebook of record.
for _key, _value in {
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_TRACKING_INSECURE_TLS": "false",
}.items():
    os.environ.setdefault(_key, _value)

import mlflow  # noqa: E402  (the environment above must be set before mlflow reads it)
from mlflow import MlflowClient  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

REGISTERED_NAMES = {"likelihood": "retaliation-likelihood", "timing": "retaliation-timing"}
CHAMPION_ALIAS = "champion"
# Tags holding signatures (forecast.tracking.signing): of a registered version's model folder,
# and of the record-age models a training run logged.
SIGNATURE_TAG = "signature"
RECORD_MODELS_SIGNATURE_TAG = "record_models_signature"
LOWER_IS_BETTER = frozenset({"brier", "log_loss", "ece", "ibs"})


def configure(tracking: TrackingParams) -> str:
    """Point mlflow at params' store and experiment; return the experiment id."""
    mlflow.set_tracking_uri(tracking.uri)
    if tracking.uri.startswith("sqlite:///"):
        Path(tracking.uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    experiment = mlflow.get_experiment_by_name(tracking.experiment)
    if experiment is None:
        artifacts = Path(tracking.artifact_root).resolve()
        artifacts.mkdir(parents=True, exist_ok=True)
        experiment_id = mlflow.create_experiment(
            tracking.experiment, artifact_location=artifacts.as_uri()
        )
    else:
        experiment_id = experiment.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def git_commit() -> str:
    """The current commit, with '-dirty' when the tree has uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit


def run_tags(provenance: DataProvenance, stage: str) -> dict[str, str]:
    """Tags every run carries: where the code and the data came from."""
    tags = {
        "stage": stage,
        "git_commit": git_commit(),
        "data_kind": provenance.kind,
        "data_source": ",".join(provenance.sources),
        "data_hash": provenance.content_hash,
        "data_span": f"{provenance.data_start} to {provenance.data_end}",
        "synthetic": str(provenance.is_synthetic).lower(),
        "data_banner": provenance.banner(),
    }
    if os.environ.get("DVC_EXP_NAME"):
        tags["dvc_experiment"] = os.environ["DVC_EXP_NAME"]
    return tags


def _flat_params(params: Params) -> dict[str, str]:
    flat: dict[str, str] = {"seed": str(params.seed)}
    for section in ("episodes", "backtest", "models", "train"):
        for key, value in getattr(params, section).model_dump().items():
            flat[f"{section}.{key}"] = str(value)[:500]
    return flat


def _metric_name(*parts: object) -> str:
    return "_".join(str(p) for p in parts)


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and np.isfinite(value)


def settings_tag(settings: dict) -> dict[str, str]:
    """`synthetic_settings`: the lighter settings a run on the synthetic world used, if any."""
    if not settings:
        return {}
    flat = {
        f"{section}.{key}": value
        for section, keys in settings.items()
        for key, value in keys.items()
    }
    return {"synthetic_settings": json.dumps(flat, sort_keys=True)}


def log_backtest(result: Any, params: Params, files: list[Path]) -> str:
    """One parent run for the backtest, one child per model; returns the parent run id."""
    configure(params.tracking)
    tags = run_tags(result.provenance, "backtest") | settings_tag(result.settings)
    with mlflow.start_run(run_name="backtest", tags=tags) as parent:
        mlflow.log_params(_flat_params(params))
        mlflow.log_metric("seconds", result.seconds)
        if getattr(result, "comparisons", None):
            # The per-origin choices are in the backtest_data.json artifact logged below.
            mlflow.set_tag("champion_by_rule", result.comparisons["champion"])
        for path in files:
            if path.exists() and path.suffix in {".json", ".png", ".csv"}:
                mlflow.log_artifact(str(path), artifact_path=path.parent.name)
        client = mlflow.MlflowClient()
        for name in result.models:
            with mlflow.start_run(run_name=name, nested=True, tags={**tags, "model": name}) as run:
                mlflow.log_param("model", name)
                overall = {
                    _metric_name(subset, f"{horizon}d", metric): value
                    for subset, models in result.likelihood.items()
                    for horizon, block in models.get(name, {}).items()
                    for metric, value in block.items()
                    if _finite(value)
                }
                timing = result.timing.get(name, {})
                overall.update({f"timing_{k}": v for k, v in timing.items() if _finite(v)})
                mlflow.log_metrics(overall)
                rows = result.per_origin[result.per_origin["model"] == name]
                client.log_batch(run.info.run_id, metrics=_per_origin_metrics(rows))
        return parent.info.run_id


# The per-origin scores logged as metric histories, one step per origin year.
PER_ORIGIN_METRICS = ("brier", "bss", "roc_auc")


def _per_origin_metrics(rows: pd.DataFrame) -> list[Any]:
    """One model's per-origin scores as MLflow metrics stepped by origin year, finite only.

    Logged in one batch: one call per value was thousands of database transactions, most of
    the backtest stage's logging time.
    """
    from mlflow.entities import Metric

    long = rows.melt(id_vars=["subset", "horizon", "origin"], value_vars=list(PER_ORIGIN_METRICS))
    long = long[np.isfinite(long["value"].astype(float))]
    now = int(time.time() * 1000)
    return [
        Metric(_metric_name("origin", subset, f"{horizon}d", metric), float(value), now, int(year))
        for subset, horizon, year, metric, value in long.itertuples(index=False)
    ]


def _log_scored_stage(
    stage: str,
    provenance: DataProvenance,
    params: Params,
    files: list[Path],
    seconds: float,
    settings: dict,
    extra_params: dict[str, str],
    values: dict[str, float],
) -> str:
    """One run for a stage that scores forecasts: its params, files and finite metrics."""
    configure(params.tracking)
    tags = run_tags(provenance, stage) | settings_tag(settings)
    with mlflow.start_run(run_name=stage, tags=tags) as run:
        mlflow.log_params(_flat_params(params) | extra_params)
        mlflow.log_metric("seconds", seconds)
        for path in files:
            if path.exists():
                mlflow.log_artifact(str(path), artifact_path=path.parent.name)
        mlflow.log_metrics({name: value for name, value in values.items() if _finite(value)})
        return run.info.run_id


def _safe(name: str) -> str:
    return name.replace(":", "_").replace("+", "_")


SCORED_METRICS = frozenset({"roc_auc", "bss", "brier", "ece"})


def _cell_metrics(scores: dict, level: str) -> dict[str, float]:
    """Each cell of `{subset: {model: {level value: {horizon: block}}}}` as MLflow metrics,
    named `subset_model_<level><value>_<H>d_metric` (record ages, as-of days)."""
    return {
        _metric_name(subset, _safe(model), f"{level}{value}", f"{horizon}d", metric): number
        for subset, models in scores.items()
        for model, levels in models.items()
        for value, horizons in levels.items()
        for horizon, block in horizons.items()
        for metric, number in block.items()
        if metric in SCORED_METRICS
    }


def log_record_age(
    result: Any, provenance: DataProvenance, params: Params, files: list[Path]
) -> str:
    """One run for the backtest by record age: its files and a metric per model, age, subset."""
    values = _cell_metrics(result.scores, "age")
    extra = {"record_age.ages": str(list(result.ages))}
    return _log_scored_stage(
        "record_age", provenance, params, files, result.seconds, result.settings, extra, values
    )


def log_as_of(result: Any, provenance: DataProvenance, params: Params, files: list[Path]) -> str:
    """One run for the as-of backtest: its files, what is served, a metric per cell."""
    values = _cell_metrics(result.scores, "k")
    extra = {
        "as_of.days": str(list(params.as_of.days)),
        "as_of.served": json.dumps(result.model.to_dict()["served"], sort_keys=True),
    }
    return _log_scored_stage(
        "as_of", provenance, params, files, result.seconds, result.settings, extra, values
    )


def log_classes(result: Any, provenance: DataProvenance, params: Params, files: list[Path]) -> str:
    """One run for the backtest by class: its files, the blend weights a forecast made today
    uses, and a metric per subset, class, forecaster, age and horizon."""
    configure(params.tracking)
    with mlflow.start_run(run_name="classes", tags=run_tags(provenance, "classes")) as run:
        mlflow.log_params(_flat_params(params) | {"classes.served_champion": result.champion})
        mlflow.log_metric("seconds", result.seconds)
        for path in files:
            if path.exists():
                mlflow.log_artifact(str(path), artifact_path=path.parent.name)
        values = {
            _metric_name(subset, name, forecaster, f"age{age}", f"{horizon}d", metric): value
            for subset, classes in result.scores.items()
            for name, forecasters in classes.items()
            for forecaster, ages in forecasters.items()
            for age, horizons in ages.items()
            for horizon, block in horizons.items()
            for metric, value in block.items()
            if metric in {"roc_auc", "bss", "brier", "mean_forecast"} and _finite(value)
        }
        values |= {
            _metric_name("blend", name, f"{horizon}d", "weight"): weight["weight"]
            for name, horizons in result.weights.items()
            for horizon, weight in horizons.items()
        }
        mlflow.log_metrics(values)
        return run.info.run_id


class ForecastPyfunc(mlflow.pyfunc.PythonModel):
    """Wraps one of our fitted models so MLflow can store, serve and hand it back.

    `predict` gives one column per horizon (`p_7d`, ...); `forecast predict` unwraps the
    original object (`unwrap_python_model().model`) to use intervals, survival and drivers.
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        proba = self.model.predict_proba(model_input)
        return proba.rename(columns=lambda h: f"p_{h}d").reset_index(drop=True)


def _requirements() -> list[str]:
    from importlib.metadata import version

    return [
        f"{name}=={version(name)}"
        for name in ("numpy", "pandas", "scikit-learn", "statsmodels", "scipy")
    ]


def log_model(model: Any, kind: str, features: pd.DataFrame, key: bytes) -> Any:
    """Log a fitted model as a pyfunc with signature and input example, register it, and tag
    the registered version with its model folder's signature under `key`."""
    example = features[model.feature_names_].head(5).astype("float64").reset_index(drop=True)
    signature = infer_signature(example, ForecastPyfunc(model).predict(None, example))
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=ForecastPyfunc(model),
        signature=signature,
        input_example=example,
        pip_requirements=_requirements(),
        registered_model_name=REGISTERED_NAMES[kind],
    )
    version = str(info.registered_model_version)
    with tempfile.TemporaryDirectory() as folder:
        # Signed as a reader fetches it, so the same files are covered on both sides.
        local = _download_version(REGISTERED_NAMES[kind], version, Path(folder))
        tag_version(kind, version, {SIGNATURE_TAG: signing.sign_folder(local, key)})
    return info.registered_model_version


def _download_version(name: str, version: str, folder: Path) -> Path:
    """A copy of a registered version's model folder in `folder` (which the caller owns)."""
    return Path(
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{name}/{version}", dst_path=str(folder)
        )
    )


def choose_champion(
    scores: Mapping[str, float], metric: str, candidates: list[str] | None = None
) -> str:
    """The best model by `metric` (ties: alphabetical), among `candidates` when given."""
    usable = {
        name: value
        for name, value in scores.items()
        if _finite(value) and (candidates is None or name in candidates)
    }
    if not usable:
        raise ForecastError(
            f"no model has a finite backtest '{metric}' to choose a champion; run "
            "`forecast backtest` first"
        )
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0
    return min(sorted(usable), key=lambda name: sign * usable[name])


def likelihood_scores(likelihood: Mapping, rule: TrainParams) -> dict[str, float]:
    """Each model's backtest score under the champion rule (metric, horizon, subset)."""
    models = likelihood.get(rule.champion_subset, {})
    return {
        name: block.get(str(rule.champion_horizon), {}).get(rule.champion_metric, float("nan"))
        for name, block in models.items()
    }


def timing_scores(timing: Mapping) -> dict[str, float]:
    """Each timing model's Uno's C on all triggers (the timing champion rule)."""
    return {name: block.get("c_index", float("nan")) for name, block in timing.items()}


def set_champion(kind: str, version: str | int) -> None:
    """Point the `champion` alias of the kind's registered model at `version`."""
    MlflowClient().set_registered_model_alias(REGISTERED_NAMES[kind], CHAMPION_ALIAS, str(version))


def start_training_run(provenance: DataProvenance, params: Params) -> Any:
    """The parent run of `forecast train` (use as a context manager)."""
    configure(params.tracking)
    run = mlflow.start_run(run_name="train", tags=run_tags(provenance, "train"))
    mlflow.log_params(_flat_params(params))
    return run


def start_model_run(name: str, kind: str) -> Any:
    """A child run for one final model."""
    return mlflow.start_run(run_name=f"{kind}:{name}", nested=True, tags={"model": name})


def log_metrics(values: Mapping[str, float]) -> None:
    """Log the finite values of a metric mapping to the active run."""
    mlflow.log_metrics({k: float(v) for k, v in values.items() if _finite(v)})


def load_champion(kind: str, params: Params | None = None, key: bytes | None = None) -> Any:
    """Our model object behind `models:/retaliation-<kind>@champion`, once its model folder
    has matched the signature under `key` (default: the user's signing key).

    The folder is copied to a private temporary folder, checked there and loaded from there,
    so what is checked is what is unpickled.
    """
    if kind not in REGISTERED_NAMES:
        raise ForecastError(f"unknown model kind '{kind}' (use likelihood or timing)")
    params = params or load_params()
    key = signing.signing_key() if key is None else key
    configure(params.tracking)
    name = REGISTERED_NAMES[kind]
    uri = f"models:/{name}@{CHAMPION_ALIAS}"
    with tempfile.TemporaryDirectory() as folder:
        try:
            version = MlflowClient().get_model_version_by_alias(name, CHAMPION_ALIAS)
            local = _download_version(name, version.version, Path(folder))
        except mlflow.exceptions.MlflowException as exc:
            raise ForecastError(
                f"no {kind} champion in the model registry at {params.tracking.uri} ({uri}); "
                "run `forecast backtest` and `forecast train` first"
            ) from exc
        signing.check(
            signing.sign_folder(local, key),
            version.tags.get(SIGNATURE_TAG),
            f"the registered model {name} v{version.version} ({uri})",
        )
        try:
            wrapper = mlflow.pyfunc.load_model(str(local)).unwrap_python_model()
        except (ImportError, AttributeError) as exc:
            raise ForecastError(_older_code(kind, uri)) from exc
    return wrapper.model


def _older_code(what: str, where: str) -> str:
    """The one line a user reads when a pickled model names classes this code no longer has."""
    return (
        f"the {what} model at {where} was saved by an older version of forecast whose classes "
        "have moved; run `forecast train` (or `dvc repro`) to retrain with this version"
    )


RECORD_MODELS_ARTIFACT = "record_models.pkl"


def log_record_models(models: Any, key: bytes) -> None:
    """The record-age band models, pickled as an artifact of the open training run, which is
    tagged with the pickle's signature under `key`."""
    content = pickle.dumps(models, protocol=pickle.HIGHEST_PROTOCOL)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / RECORD_MODELS_ARTIFACT
        path.write_bytes(content)
        mlflow.log_artifact(str(path))
    mlflow.set_tag(RECORD_MODELS_SIGNATURE_TAG, signing.sign(content, key))


def load_record_models(run_id: str, params: Params | None = None, key: bytes | None = None) -> Any:
    """The band models a training run logged, once their bytes have matched the run's
    signature under `key` (default: the user's signing key); None when it logged none."""
    key = signing.signing_key() if key is None else key
    configure((params or Params()).tracking)
    try:
        with tempfile.TemporaryDirectory() as folder:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=RECORD_MODELS_ARTIFACT, dst_path=folder
            )
            content = Path(local).read_bytes()
        recorded = MlflowClient().get_run(run_id).data.tags.get(RECORD_MODELS_SIGNATURE_TAG)
    except Exception:  # an older run without band models, or an unreachable store
        return None
    signing.check(
        signing.sign(content, key),
        recorded,
        f"the record-age models' file {RECORD_MODELS_ARTIFACT} of training run {run_id}",
    )
    try:
        return pickle.loads(content)
    except (ImportError, AttributeError) as exc:
        raise ForecastError(_older_code("record-age", f"run {run_id}")) from exc


def version_label(kind: str, version: str | int, model: str) -> str:
    """e.g. 'retaliation-likelihood v3 (logit)': how forecasts and reports name a model."""
    return f"{REGISTERED_NAMES[kind]} v{version} ({model})"


def champion_version(kind: str, params: Params | None = None) -> str:
    """The champion's `version_label`, read from the registry."""
    params = params or load_params()
    configure(params.tracking)
    version = MlflowClient().get_model_version_by_alias(REGISTERED_NAMES[kind], CHAMPION_ALIAS)
    return version_label(kind, version.version, version.tags.get("model", "?"))


def tag_version(kind: str, version: str | int, tags: Mapping[str, str]) -> None:
    """Attach tags (model name, data hash, backtest score) to a registered version."""
    client = MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(REGISTERED_NAMES[kind], str(version), key, str(value))


def backtest_runs(params: Params | None = None) -> pd.DataFrame:
    """The latest backtest's per-model runs as a table, for notebooks reading MLflow back.

    One row per model: `model`, `run_id`, `parent_run_id`, `start_time`, `data_banner`, and one
    column per logged metric (e.g. `all_30d_bss`). Empty when no backtest has been tracked.
    """
    params = params or load_params()
    experiment_id = configure(params.tracking)
    parents = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string="tags.stage = 'backtest' AND attributes.run_name = 'backtest'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if parents.empty:
        return pd.DataFrame(columns=["model", "run_id", "parent_run_id", "start_time"])
    parent = str(parents["run_id"].iloc[0])
    children = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent}'",
    )
    metrics = {c: c.removeprefix("metrics.") for c in children.columns if c.startswith("metrics.")}
    table = children.rename(columns=metrics).assign(
        model=children["tags.model"],
        parent_run_id=parent,
        data_banner=children["tags.data_banner"],
    )
    columns = ["model", "run_id", "parent_run_id", "start_time", "data_banner", *metrics.values()]
    return table[columns].sort_values("model", kind="stable", ignore_index=True)
