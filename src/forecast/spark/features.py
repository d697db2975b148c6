"""Features on Spark: `indexed_features` applied to groups of rows, the groups joined back.

Most features are read inside one undirected dyad (both directions of its force, its
answering record, its covariates), so they come from one grouped step per dyad. The rest cross
dyads and come from their own grouped steps, each running the same feature code on the rows
that decide it:

- per state (its own force and the force against it): a state's force against anyone (for
  triggers it initiates or is the target of) and its answering record against anyone;
- per confrontation (`dispute_id`): the incidents of the confrontation so far;
- per dyad, from the covariate table: the dyad-year covariates;
- over everything: the overall answering rate every answering rate is shrunk toward, a small
  per-day table of known and answered past triggers, collected once and handed to every group.

No feature is computed twice over different code: each step calls `indexed_features` and keeps
the columns it decides. Every step reads the same force events, made once per dyad by the local
`force_events` (`spark_force_events`): a confrontation's or a state's group then holds whole
dyad-days, each with the dispute id of its first row, as on the local engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.core.config import EpisodeParams, FeatureParams
from forecast.core.coverage import Coverage, actual_record_end, selective_sources
from forecast.episodes import GroupedDays, Queries, day_numbers
from forecast.features.computation import TRIGGER_COLUMNS, build_features, indexed_features
from forecast.features.index import AnsweringRecords, HistoryIndex
from forecast.features.registry import ACTIVITY_DAYS, COVARIATES, feature_specs
from forecast.spark.episodes import (
    example_episodes,
    example_force_events,
    spark_force_events,
)
from forecast.spark.frames import GROUP, dyad_group, for_spark, group_count, hashed, without_group

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

TRIGGER_INPUT = [*TRIGGER_COLUMNS, "target_kind"]
ROLE = "_role"
OVERALL_COLUMNS = ["day", "horizon", "known", "answered"]
# A group's force events are put in this order: Spark's shuffles keep none.
EVENT_ORDER = ["date", "source", "actor", "victim", "incident_id"]


@dataclass(frozen=True)
class FeatureJob:
    """What every grouped step needs besides its rows: params and the declared coverage."""

    params: FeatureParams
    horizons: tuple[int, ...]
    min_hostility: int
    include_same_day: bool
    # {source: coverage end}: censors past triggers' windows in the answering records.
    coverage: Mapping[str, date | None]
    # The history sources' declared coverage: each trigger's record end.
    covered: Mapping[str, Coverage]

    @property
    def selective(self) -> set[str]:
        """Sources whose silence means "no answer" only up to the day a row states."""
        return selective_sources(self.covered)

    def events(self, rows: pd.DataFrame) -> pd.DataFrame:
        """A group's rows of `spark_force_events` with the local engine's dtypes, in a fixed
        order."""
        dtypes = example_force_events(self.min_hostility).dtypes.to_dict()
        events = without_group(rows)[list(dtypes)].astype(dtypes)
        return events.sort_values(EVENT_ORDER, kind="stable", ignore_index=True)


class OverallRecord:
    """The overall answering record: per day, past triggers known and answered per horizon.

    Built from the small table every dyad contributes to, it answers the `overall` requests
    of `AnsweringRecords.counts_before` with the same prefix sums over days.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._indexes: dict[int, tuple[GroupedDays, list[np.ndarray]]] = {}

    def counts_before(self, horizon: int, queries: Queries) -> list[np.ndarray]:
        if horizon not in self._indexes:
            rows = self.table[self.table["horizon"] == horizon]
            index = GroupedDays.build(np.zeros(len(rows), np.int64), rows["day"].to_numpy())
            prefixes = [index.prefix_sums(rows[c].to_numpy()) for c in ("known", "answered")]
            self._indexes[horizon] = (index, prefixes)
        index, prefixes = self._indexes[horizon]
        return index.sums_from_prefix(prefixes, queries, -horizon)


class GroupAnsweringRecords(AnsweringRecords):
    """A group's answering records, with the overall record taken from every group's."""

    def __init__(self, events: pd.DataFrame, overall: OverallRecord, **options: object) -> None:
        super().__init__(events, **options)  # type: ignore[arg-type]
        self.overall = overall

    def counts_before(
        self, horizon: int, queries: Mapping[str, Queries]
    ) -> dict[str, list[np.ndarray]]:
        own = {name: request for name, request in queries.items() if name != "overall"}
        counts = super().counts_before(horizon, own)
        if "overall" in queries:
            counts["overall"] = self.overall.counts_before(horizon, queries["overall"])
        return counts


class UnusedAnswers:
    """Answering records for a step that keeps no answering feature: not built, all zero."""

    def counts_before(
        self, horizon: int, queries: Mapping[str, Queries]
    ) -> dict[str, list[np.ndarray]]:
        return {name: [np.zeros(len(q)), np.zeros(len(q))] for name, q in queries.items()}


class GroupHistory(HistoryIndex):
    """One group's history; the answering records see the overall record of all groups, or
    are skipped (`answers=False`) where the step keeps no answering feature."""

    def __init__(
        self, events: pd.DataFrame, overall: OverallRecord, job: FeatureJob, answers: bool
    ) -> None:
        super().__init__(
            events,
            include_same_day=job.include_same_day,
            coverage=job.coverage,
            selective_sources=job.selective,
        )
        self.overall = overall
        self.answers = answers

    def answering(self) -> AnsweringRecords:
        if not self.answers:
            return UnusedAnswers()  # type: ignore[return-value]
        return GroupAnsweringRecords(
            self.events,
            self.overall,
            include_same_day=self.include_same_day,
            coverage=self.coverage,
            selective_sources=self.selective_sources,
        )


def trigger_dtypes() -> dict[str, object]:
    """The dtypes the episodes table gives the trigger columns (restored after Spark)."""
    return example_episodes(EpisodeParams())[TRIGGER_INPUT].dtypes.to_dict()


def example_features(job: FeatureJob) -> pd.DataFrame:
    """`build_features` of the example: the columns and dtypes of the features table."""
    triggers = example_episodes(EpisodeParams(horizons=list(job.horizons)))[TRIGGER_INPUT]
    events = example_force_events(job.min_hostility)
    return build_features(triggers, events, None, job.params, job.horizons)


def group_features(
    triggers: pd.DataFrame,
    events: pd.DataFrame,
    covariates: pd.DataFrame | None,
    overall: OverallRecord,
    job: FeatureJob,
    *,
    answers: bool = True,
) -> pd.DataFrame:
    """`indexed_features` for one group's triggers against one group's force events."""
    triggers = triggers[TRIGGER_INPUT].astype(trigger_dtypes()).reset_index(drop=True)
    record_end = actual_record_end(day_numbers(triggers["date"]), job.covered)
    return indexed_features(
        triggers,
        GroupHistory(events, overall, job, answers),
        covariates,
        job.params,
        job.horizons,
        record_end=record_end,
    )


def column_groups(job: FeatureJob) -> dict[str, list[str]]:
    """Which step decides which feature columns."""
    specs = feature_specs(job.params, job.horizons)
    covariate = [s.name for s in specs if s.family == COVARIATES]
    initiator = [f"initiator_force_any_{ACTIVITY_DAYS}d"]
    target = [f"target_force_any_{ACTIVITY_DAYS}d"] + [
        f"target_answer_rate_any_{h}d" for h in job.horizons
    ]
    dispute = ["dispute_prior_events"]
    crossing = {*covariate, *initiator, *target, *dispute}
    return {
        "dyad": [s.name for s in specs if s.name not in crossing],
        "initiator": initiator,
        "target": target,
        "dispute": dispute,
        "covariates": covariate,
        "all": [s.name for s in specs],
    }


def _schema(columns: Sequence[str], extra: Sequence[str] = ()) -> StructType:
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    return StructType(
        [StructField("episode_id", StringType())]
        + [StructField(name, StringType()) for name in extra]
        + [StructField(name, DoubleType()) for name in columns]
    )


def overall_record(events: DataFrame, job: FeatureJob, groups: int) -> OverallRecord:
    """Known and answered past triggers per day and horizon, summed over every dyad."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, LongType, StructField, StructType

    schema = StructType(
        [
            StructField("day", LongType()),
            StructField("horizon", LongType()),
            StructField("known", DoubleType()),
            StructField("answered", DoubleType()),
        ]
    )

    def per_day(rows: pd.DataFrame) -> pd.DataFrame:
        records = AnsweringRecords(
            job.events(without_group(rows)),
            include_same_day=job.include_same_day,
            coverage=job.coverage,
            selective_sources=job.selective,
        )
        parts = []
        for horizon in job.horizons:
            known, answered = records._known_and_answered(horizon)
            part = pd.DataFrame({"day": records.day, "known": known, "answered": answered})
            part = part.groupby("day", sort=True, as_index=False).sum()
            parts.append(part.assign(horizon=horizon))
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype="int64") for c in OVERALL_COLUMNS})
        return pd.concat(parts, ignore_index=True)[OVERALL_COLUMNS]

    table = (
        events.select("*", dyad_group("actor", "victim", groups))
        .groupBy(GROUP)
        .applyInPandas(per_day, schema)
        .groupBy("day", "horizon")
        .agg(F.sum("known").alias("known"), F.sum("answered").alias("answered"))
        .toPandas()
    )
    return OverallRecord(table.sort_values(["horizon", "day"], ignore_index=True))


def spark_features(
    triggers: DataFrame,
    incidents: DataFrame,
    covariates: DataFrame | None,
    job: FeatureJob,
) -> DataFrame:
    """`build_features` on Spark: `episode_id` plus the registry's columns, ordered by the
    trigger's date and episode id. `triggers` are episode rows, `incidents` the history's
    canonical incidents in the order the local engine reads them (their force events are made
    once, per dyad, and every step reads those)."""
    from pyspark.sql import functions as F

    groups = group_count(incidents)
    events = spark_force_events(incidents, job.min_hostility, groups)
    overall = overall_record(events, job, groups)
    columns = column_groups(job)
    # Without a covariate table the dyad step gives the covariates' neutral, flagged values.
    dyad_columns = columns["dyad"] + (columns["covariates"] if covariates is None else [])

    def dyad_step(keys: tuple, trigger_rows: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        features = group_features(trigger_rows, job.events(rows), None, overall, job)
        return for_spark(features[["episode_id", *dyad_columns]])

    def state_step(keys: tuple, trigger_rows: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        features = group_features(trigger_rows, job.events(rows), None, overall, job)
        role = trigger_rows[ROLE].to_numpy()
        out = pd.DataFrame({"episode_id": features["episode_id"], ROLE: role})
        for name in (*columns["initiator"], *columns["target"]):
            out[name] = features[name].to_numpy()
        return for_spark(out)

    def dispute_step(keys: tuple, trigger_rows: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        events = job.events(rows)
        features = group_features(trigger_rows, events, None, overall, job, answers=False)
        return for_spark(features[["episode_id", *columns["dispute"]]])

    def covariate_step(keys: tuple, trigger_rows: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        no_events = example_force_events(job.min_hostility).iloc[:0]
        features = group_features(
            trigger_rows, no_events, without_group(rows), overall, job, answers=False
        )
        return for_spark(features[["episode_id", *columns["covariates"]]])

    def by_dyad(frame: DataFrame, first: str = "initiator", second: str = "target") -> object:
        return frame.select("*", dyad_group(first, second, groups)).groupBy(GROUP)

    dyads = (
        by_dyad(triggers)
        .cogroup(by_dyad(events, "actor", "victim"))
        .applyInPandas(dyad_step, _schema(dyad_columns))
    )
    states = (
        _by_state(triggers, groups, roles=True)
        .cogroup(_by_state(events, groups, roles=False, states=("actor", "victim")))
        .applyInPandas(state_step, _schema([*columns["initiator"], *columns["target"]], [ROLE]))
    )
    initiators, targets = (
        states.where(F.col(ROLE) == role).select("episode_id", *columns[role])
        for role in ("initiator", "target")
    )
    with_dispute = F.col("dispute_id").isNotNull()
    disputes = (
        triggers.where(with_dispute)
        .select("*", hashed([F.col("dispute_id")], groups))
        .groupBy(GROUP)
        .cogroup(
            events.where(with_dispute)
            .select("*", hashed([F.col("dispute_id")], groups))
            .groupBy(GROUP)
        )
        .applyInPandas(dispute_step, _schema(columns["dispute"]))
    )
    table = (
        dyads.join(initiators, "episode_id")
        .join(targets, "episode_id")
        .join(disputes, "episode_id", "left")
        .fillna(0.0, subset=columns["dispute"])
    )
    if covariates is not None:
        covariate_table = (
            by_dyad(triggers)
            .cogroup(by_dyad(covariates, "ccode1", "ccode2"))
            .applyInPandas(covariate_step, _schema(columns["covariates"]))
        )
        table = table.join(covariate_table, "episode_id")
    order = triggers.select("episode_id", F.col("date").alias("_date"))
    return (
        table.join(order, "episode_id")
        .orderBy("_date", "episode_id")
        .select("episode_id", *columns["all"])
    )


def _by_state(
    frame: DataFrame,
    groups: int,
    *,
    roles: bool,
    states: tuple[str, str] = ("initiator", "target"),
) -> object:
    """Rows grouped by the group of each state they name (the two `states` columns).

    Triggers come once per role (a trigger whose two states share a group comes twice, once
    per role); force events once per group, so no group counts an event twice.
    """
    from pyspark.sql import functions as F

    first = frame.select("*", hashed([F.col(states[0])], groups))
    second = frame.select("*", hashed([F.col(states[1])], groups))
    if roles:
        first = first.withColumn(ROLE, F.lit("initiator"))
        second = second.withColumn(ROLE, F.lit("target"))
    else:
        second = second.where(F.col(GROUP) != F.pmod(F.xxhash64(F.col(states[0])), F.lit(groups)))
    return first.unionByName(second).groupBy(GROUP)
