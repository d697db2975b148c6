"""Typed view of params.yaml, the single source of truth for every setting.

Validation happens once, at load time, so a typo in params.yaml fails with the key's name instead
of surfacing as a strange number three stages later.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forecast.core.errors import ForecastError

DEFAULT_PARAMS_PATH = Path("params.yaml")
# A news report is a few kilobytes; a file of megabytes is most likely not one (a data dump, a
# book) and would take over a minute to code at about 15 s per MB, so the news coder refuses it
# unless the caller raises the limit (`--max-bytes`). Here, not in the coder, so that the CLI
# can show it as a default without loading the coder.
MAX_ARTICLE_BYTES = 5_000_000


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SyntheticParams(_Section):
    start_year: int = 1946
    end_year: int = 2014
    scale: float = Field(1.0, gt=0)


class CsvImport(_Section):
    path: str
    mapping: str


class FeedTime(_Section):
    """How a knowledge-graph slice writes time: value `origin_value` is day `origin`, and
    `per_day` values make one day (24 for hourly stamps). Declared, never guessed."""

    origin: date
    origin_value: int = 0
    per_day: int = Field(1, ge=1)


class FeedSpan(_Section):
    start: date | None = None
    end: date | None = None


class FeedParams(_Section):
    """One event feed (ICEWS, GDELT, POLECAT) read as a source (docs/data-sources.md)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    format: Literal["icews", "icews_tkg", "gdelt", "polecat"]
    # A file or folder name, looked for like other sources (data.paths.<name>, data/external/,
    # $FORECAST_DATA_DIR), e.g. event_feeds/icews18_tkg.zip.
    file: str
    time: FeedTime | None = None
    coverage: FeedSpan = FeedSpan()
    # More than this many days in a row without any record is an outage: unknown, not quiet.
    gap_days: int | None = Field(None, ge=0)
    codes: str | None = None  # another event-code table (default: the package's)
    consented: str | None = None  # another consented-operations list (default: the package's)
    actors: str | None = None  # another actor table (default: the package's)
    # The CAMEO code list (e.g. event_feeds/cameo_codes.csv) for slices that name relations by
    # label; without it, the labels of the code table are used.
    labels: str | None = None
    # Extend the history that features and forecasts read (with the feed's coverage windows).
    history: bool = True
    # Let the feed's own events be triggers and labels for training (ADR 0007): off by default.
    triggers: bool = False

    @model_validator(mode="after")
    def _slices_declare_time(self) -> FeedParams:
        if self.format == "icews_tkg" and self.time is None:
            raise ValueError(
                f"feed {self.name}: icews_tkg needs `time: {{origin, origin_value, per_day}}`"
            )
        return self


# Sources ingested only to label triggers, never read as triggers, answers or history: ICB's
# violent crisis triggers give each trigger its `crisis` flag (forecast.sources.icb).
LABEL_SOURCES = ("icb",)


class DataParams(_Section):
    mode: Literal["auto", "real", "synthetic"] = "auto"
    sources: list[str] = ["mie", "cow_mid", "icb", "handcoded"]
    model_sources: list[str] = ["mie", "synthetic", "handcoded"]
    paths: dict[str, str] = {}
    external_dir: str = "data/external"
    download: bool = False
    csv_imports: list[CsvImport] = []
    # Event feeds, opt-in per feed (none by default).
    feeds: list[FeedParams] = []
    synthetic: SyntheticParams = SyntheticParams()

    @model_validator(mode="after")
    def _feed_names_are_unique(self) -> DataParams:
        names = [feed.name for feed in self.feeds]
        taken = sorted({n for n in names if names.count(n) > 1} | (set(names) & {*self.sources}))
        if taken:
            raise ValueError(f"data.feeds: name(s) {', '.join(taken)} used twice")
        return self

    @property
    def trigger_sources(self) -> list[str]:
        """Sources whose events are triggers and answers in training: the model sources and
        the feeds switched to `triggers: true` (ADR 0007)."""
        return [*self.model_sources, *(f.name for f in self.feeds if f.triggers)]

    @property
    def history_sources(self) -> list[str]:
        """Sources whose events make the history features read: the trigger sources and the
        feeds with `history: true`, each within its declared coverage (forecast.core.coverage)."""
        extra = [f.name for f in self.feeds if f.history and f.name not in self.trigger_sources]
        return [*self.trigger_sources, *extra]


class EpisodeParams(_Section):
    horizons: list[int] = [7, 30, 90, 365]
    include_same_day: bool = False
    min_hostility: int = Field(4, ge=1, le=5)


class FeatureParams(_Section):
    windows: list[int] = [7, 30, 90, 365, 1825]
    response_windows: list[int] = [7, 30]
    shrinkage_strength: float = Field(5.0, ge=0)
    escalation_short_days: int = 90
    escalation_long_days: int = 1825


Engine = Literal["local", "spark"]


class SparkParams(_Section):
    """Where the Spark engine runs (`engine: spark`): a master URL and Spark settings passed
    through as they are (docs/spark.md)."""

    master: str = "local[*]"
    conf: dict[str, str | int | float | bool] = {}


class BacktestParams(_Section):
    first_origin: int = 1990
    last_origin: int | None = None
    embargo_days: int = Field(0, ge=0)
    bootstrap_replicates: int = Field(200, ge=0)
    calibration_bins: int = Field(10, ge=2)


class RecordAgeParams(_Section):
    """Forecasting across a gap: the record ages (whole years) models are trained and scored
    at, and the horizons the backtest by record age scores."""

    ages: list[int] = [0, 1, 2, 5, 10]
    horizons: list[int] = [7, 30]

    @model_validator(mode="after")
    def _today_is_a_band(self) -> RecordAgeParams:
        if 0 not in self.ages or any(age < 0 for age in self.ages):
            raise ValueError("record_age.ages must include 0 and hold no negative age")
        return self


class AsOfParams(_Section):
    """Forecasts made some days after the trigger with no answer yet (docs/as-of.md): the days
    the as-of backtest scores, the day its rule for serving the as-of model is read at, and how
    many labelled rows the as-of logit needs before it is fitted at all."""

    days: list[int] = [1, 2, 3, 7]
    decision_day: int = Field(2, ge=1)
    min_training_rows: int = Field(200, ge=10)

    @model_validator(mode="after")
    def _decision_day_is_scored(self) -> AsOfParams:
        if not self.days or any(day < 1 for day in self.days):
            raise ValueError("as_of.days must hold whole days of 1 or more")
        if self.decision_day not in self.days:
            raise ValueError("as_of.decision_day must be one of as_of.days")
        return self


class HistGBParams(_Section):
    max_iter: int = 200
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    calibration: Literal["isotonic", "sigmoid"] = "isotonic"


class SplineLogitParams(_Section):
    n_knots: int = 5
    C: float = 1.0


# The models the backtest and train fit when params.yaml names none (every known model is in
# forecast.models.registry).
DEFAULT_LIKELIHOOD_MODELS = (
    "base_rate",
    "dyad_persistence",
    "severity_logit",
    "logit",
    "spline_logit",
    "hist_gb",
)
DEFAULT_TIMING_MODELS = ("hazard_glm", "cox", "hazard_gb")
# Simplest first: the champion rule's default order (docs/adr/0001-champion-rule.md).
COMPLEXITY_ORDER = (
    *DEFAULT_LIKELIHOOD_MODELS,
    "hazard_glm",
    "cox",
    "hazard_glm_tv",
    "hazard_gb",
    "hazard_gb_cure",
    "ensemble",
)


class ModelParams(_Section):
    likelihood: list[str] = list(DEFAULT_LIKELIHOOD_MODELS)
    timing: list[str] = list(DEFAULT_TIMING_MODELS)
    # Members of the ensemble (a weighted mix learnt out of sample); [] turns it off.
    ensemble: list[str] = ["logit", "hist_gb", "hazard_glm", "hazard_gb"]
    base_rate_years: int = 10
    # The timing models' collinearity limit is chosen inside each backtest origin from this
    # grid (docs/models.md); the default serves until enough earlier forecasts have resolved.
    correlation_limits: list[float] = [0.9, 0.95, 0.99]
    correlation_limit_default: float = Field(0.95, gt=0, le=1)
    # Models that also get a recalibrated version (`<name>+recal`, Platt on logit p).
    # Every model but the two references by default.
    recalibrate: list[str] = [
        m for m in COMPLEXITY_ORDER[2:] if m not in {"hazard_glm_tv", "hazard_gb_cure"}
    ]
    hist_gb: HistGBParams = HistGBParams()
    spline_logit: SplineLogitParams = SplineLogitParams()

    @model_validator(mode="after")
    def _ensemble_members_are_run(self) -> ModelParams:
        """The ensemble mixes forecasts the backtest makes, so each member must be one of them."""
        absent = [m for m in self.ensemble if m not in {*self.likelihood, *self.timing}]
        if absent:
            raise ValueError(
                f"models.ensemble lists {', '.join(absent)}, not in models.likelihood or "
                "models.timing (add it there, or drop it from the ensemble)"
            )
        return self


class TrainParams(_Section):
    champion_metric: str = "bss"
    champion_horizon: int = 30
    champion_subset: str = "limited_force"
    # Simplest first. A more complex model becomes champion only when it beats the current
    # one by a paired dyad-bootstrap interval that excludes zero (ADR 1); `<name>+recal`
    # ranks just above `<name>`.
    complexity: list[str] = list(COMPLEXITY_ORDER)
    interval_level: float = Field(0.9, gt=0, lt=1)


class TrackingParams(_Section):
    uri: str = "sqlite:///mlruns/mlflow.db"
    artifact_root: str = "mlruns/artifacts"
    experiment: str = "retaliation"


class ReportParams(_Section):
    incidents: str = "data/incidents"
    output_dir: str = "reports"


class Params(_Section):
    seed: int = 20240116
    # Which engine runs the heavy stages (feed reduction, episodes, features): the single-machine
    # default, or Apache Spark for feeds and histories that outgrow one machine.
    engine: Engine = "local"
    spark: SparkParams = SparkParams()
    data: DataParams = DataParams()
    episodes: EpisodeParams = EpisodeParams()
    features: FeatureParams = FeatureParams()
    backtest: BacktestParams = BacktestParams()
    record_age: RecordAgeParams = RecordAgeParams()
    as_of: AsOfParams = AsOfParams()
    models: ModelParams = ModelParams()
    train: TrainParams = TrainParams()
    tracking: TrackingParams = TrackingParams()
    report: ReportParams = ReportParams()
    # Section -> settings laid over that section when the data include the embedded synthetic
    # world (`for_data`); real data never see them.
    synthetic_settings: dict[str, dict[str, Any]] = {}

    @model_validator(mode="after")
    def _synthetic_settings_name_sections(self) -> Params:
        unknown = sorted(set(self.synthetic_settings) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"synthetic_settings: {', '.join(unknown)} are not sections")
        if "synthetic_settings" in self.synthetic_settings:
            raise ValueError("synthetic_settings cannot set itself")
        if self.synthetic_settings:
            # A misspelt key fails when params.yaml is read, not when the data first resolve
            # to synthetic.
            self._laid_over()
        return self

    def _laid_over(self) -> Params:
        merged = self.model_dump()
        for section, settings in self.synthetic_settings.items():
            merged[section] = {**merged[section], **settings}
        # Applied once: the result carries no settings to lay over again.
        merged["synthetic_settings"] = {}
        try:
            return Params.model_validate(merged)
        except ValidationError as exc:
            problems = "; ".join(_problem(err) for err in exc.errors())
            raise ValueError(f"synthetic_settings: {problems}") from None

    def for_data(self, kind: str) -> Params:
        """These params, with `synthetic_settings` laid over them when `kind` (a
        `DataProvenance.kind`) is "synthetic" or "mixed" (the synthetic world beside hand-coded
        rows, as offline); unchanged for real data, which never include the synthetic world.

        The offline world exists to show the pipeline working from a fresh clone in minutes;
        lighter settings there (fewer bootstrap replicates, fewer origins) change no
        conclusion drawn from it, and a result says when they were used (`applied_settings`).
        """
        if kind == "real" or not self.synthetic_settings:
            return self
        return self._laid_over()

    def applied_settings(self, kind: str) -> dict[str, dict[str, Any]]:
        """What `for_data(kind)` changed: {section: {key: value}}, empty for real data."""
        return dict(self.synthetic_settings) if kind != "real" else {}


def load_params(path: str | Path = DEFAULT_PARAMS_PATH) -> Params:
    """Read params.yaml; a missing file gives the defaults, a bad key a clear error."""
    path = Path(path)
    if not path.exists():
        return Params()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ForecastError(f"{path}: not valid YAML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ForecastError(f"{path}: cannot be read as a UTF-8 YAML file ({exc})") from exc
    if not isinstance(raw, dict):
        raise ForecastError(f"{path}: expected a mapping of sections (data:, episodes:, ...)")
    return validated_params(raw, str(path))


def validated_params(raw: dict, where: str) -> Params:
    """Params from a plain mapping; a bad value is a ForecastError naming `where` and the key."""
    try:
        return Params.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        raise ForecastError(f"{where}: {problems}") from exc


def _problem(error: Any) -> str:
    """One pydantic error as `key.path: message` (a whole-file check has no key)."""
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {message}" if where else message
