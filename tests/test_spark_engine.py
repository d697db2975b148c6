"""The Spark engine gives the local engine's episodes and features (`local[2]`).

The tables are compared row by row after sorting by id: same rows, same values, floats
within 1e-9. The synthetic world is small here (twenty years); the real MIE record runs under
the `real_data` marker.
"""

from __future__ import annotations

import builtins
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.core.config import EpisodeParams, FeatureParams, SparkParams, SyntheticParams
from forecast.core.coverage import Coverage, actual_record_end
from forecast.core.errors import ForecastError
from forecast.episodes import build_episodes, day_numbers, force_events
from forecast.features.computation import TRIGGER_COLUMNS, build_features
from forecast.sources.synthetic.generate import generate_world

pytestmark = pytest.mark.spark
SEED = 11


def assert_same_table(local: pd.DataFrame, spark: pd.DataFrame, key: str) -> None:
    """Same rows (by `key`), same columns, same values; floats within 1e-9, dates to the day."""
    assert list(spark.columns) == list(local.columns)
    local = local.sort_values(key, ignore_index=True)
    spark = spark.sort_values(key, ignore_index=True)
    assert len(spark) == len(local)
    for column in local.columns:
        mine, theirs = local[column], spark[column]
        if pd.api.types.is_datetime64_any_dtype(mine):
            days = pd.to_datetime(theirs).to_numpy().astype("datetime64[D]")
            np.testing.assert_array_equal(days, mine.to_numpy().astype("datetime64[D]"), column)
        elif pd.api.types.is_float_dtype(mine) and not isinstance(mine.dtype, pd.Float64Dtype):
            np.testing.assert_allclose(
                theirs.to_numpy(float), mine.to_numpy(float), rtol=0, atol=1e-9, err_msg=column
            )
        else:
            as_list = [None if pd.isna(v) else v for v in mine.astype(object)]
            assert [None if pd.isna(v) else v for v in theirs.astype(object)] == as_list, column


def spans(
    coverage: dict[str, tuple[date, date]], selective: frozenset[str] = frozenset()
) -> dict[str, Coverage]:
    return {
        name: Coverage(windows=(span,), systematic=name not in selective)
        for name, span in coverage.items()
    }


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    return generate_world(SyntheticParams(start_year=1995, end_year=2014), SEED)


def local_features(
    incidents: pd.DataFrame,
    episodes: pd.DataFrame,
    covariates: pd.DataFrame | None,
    coverage: dict[str, tuple[date, date]],
    selective: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """What `forecast features build` computes on the local engine."""
    triggers = episodes[[*TRIGGER_COLUMNS, "target_kind"]]
    return build_features(
        triggers,
        force_events(incidents),
        covariates,
        FeatureParams(),
        EpisodeParams().horizons,
        coverage={name: end for name, (_, end) in coverage.items()},
        selective_sources=selective,
        record_end=actual_record_end(day_numbers(triggers["date"]), spans(coverage, selective)),
    )


def spark_tables(spark, incidents, covariates, coverage, selective=frozenset()):  # type: ignore[no-untyped-def]
    from forecast.spark.episodes import spark_episodes
    from forecast.spark.features import FeatureJob, spark_features

    ends = {name: end for name, (_, end) in coverage.items()}
    frame = spark.createDataFrame(incidents)
    episodes = spark_episodes(frame, EpisodeParams(), ends, selective)
    job = FeatureJob(
        FeatureParams(),
        tuple(EpisodeParams().horizons),
        4,
        False,
        ends,
        spans(coverage, selective),
    )
    cov = spark.createDataFrame(covariates) if covariates is not None else None
    features = spark_features(episodes, frame, cov, job)
    return episodes.toPandas(), features.toPandas()


def test_spark_episodes_and_features_equal_the_local_engine(spark, world) -> None:  # type: ignore[no-untyped-def]
    incidents = world.incidents
    span = {"synthetic": (world.coverage.start, world.coverage.end)}
    episodes = build_episodes(incidents, EpisodeParams(), {"synthetic": world.coverage.end})
    features = local_features(incidents, episodes, world.covariates, span)
    spark_episodes, spark_features = spark_tables(spark, incidents, world.covariates, span)
    assert len(episodes) > 1000
    assert_same_table(episodes, spark_episodes, "episode_id")
    assert_same_table(features, spark_features, "episode_id")
    # The features that cross dyads are not all zero: the steps that decide them ran.
    for column in (
        "initiator_force_any_365d",
        "target_answer_rate_any_30d",
        "dispute_prior_events",
    ):
        assert spark_features[column].std() > 0
    # Rows come in date order, then episode id.
    order = spark_episodes[["date", "episode_id"]]
    assert order.equals(order.sort_values(["date", "episode_id"], ignore_index=True))


def test_record_gap_and_missing_covariates_match(spark, world) -> None:  # type: ignore[no-untyped-def]
    """A coverage gap (record ends before some triggers) and no covariate table."""
    incidents = world.incidents
    coverage = {"synthetic": (date(1995, 1, 1), date(2009, 6, 30))}
    episodes = build_episodes(incidents, EpisodeParams(), {"synthetic": date(2009, 6, 30)})
    features = local_features(incidents, episodes, None, coverage)
    _, spark_features = spark_tables(spark, incidents, None, coverage)
    assert (features["record_age_years"] > 0).any()
    assert_same_table(features, spark_features, "episode_id")


def with_dyad_day_cases(incidents: pd.DataFrame) -> pd.DataFrame:
    """The world plus rows the dyad-day rules decide (docs/adr/0008), placed after the rows
    they join, so the row read first is not the one with the smallest id:

    - a second row on 400 directed dyad-days of force, with its own dispute, hostility 5 and
      fatalities (the dyad-day keeps the first row's ids and dispute, the highest hostility);
    - 300 month-dated answers (labels NA where the month may hold the first answer);
    - 300 uses of force of a selective source, half with `outcome_checked_until`;
    - 200 force rows that lasted three days (fatalities unknown on the first day).
    """
    day_force = incidents[incidents["hostility"].ge(4) & incidents["date_precision"].eq("day")]
    picked = [day_force.sample(n, random_state=SEED + i) for i, n in enumerate((400, 300, 300))]
    second = picked[0].assign(
        incident_id="0-" + picked[0]["incident_id"],
        dispute_id="0-" + picked[0]["incident_id"],
        hostility=5,
        action="attack",
        fatalities_initiator=3.0,
    )
    monthly = picked[1].assign(
        incident_id="m-" + picked[1]["incident_id"],
        initiator=picked[1]["target"],
        target=picked[1]["initiator"],
        date=picked[1]["date"] + pd.Timedelta(days=20),
        date_end=pd.NaT,
        date_precision="month",
        directed=True,
        action="attack",
    )
    checked = picked[2]["date"] + pd.Timedelta(days=60)
    selective = picked[2].assign(
        incident_id="h-" + picked[2]["incident_id"],
        source="handcoded",
        outcome_checked_until=checked.where(np.arange(len(checked)) % 2 == 0),
    )
    table = pd.concat([incidents, second, monthly, selective], ignore_index=True)
    lasting = table.index[table["date_precision"].eq("day")][::25][:200]
    table.loc[lasting, "date_end"] = table.loc[lasting, "date"] + pd.Timedelta(days=2)
    return table.astype(incidents.dtypes.to_dict())


def test_dyad_days_month_answers_and_selective_sources_match(spark, world) -> None:  # type: ignore[no-untyped-def]
    incidents = with_dyad_day_cases(world.incidents)
    coverage = {
        "synthetic": (world.coverage.start, world.coverage.end),
        "handcoded": (date(1995, 1, 1), date(2014, 12, 31)),
    }
    selective = frozenset({"handcoded"})
    ends = {name: end for name, (_, end) in coverage.items()}
    episodes = build_episodes(incidents, EpisodeParams(), ends, selective)
    features = local_features(incidents, episodes, None, coverage, selective)
    spark_episodes, spark_features = spark_tables(spark, incidents, None, coverage, selective)
    # The cases are there: collapsed dyad-days, NA labels of both kinds, unknown fatalities.
    assert (episodes["n_events"] > 1).sum() >= 300
    assert episodes["dispute_id"].str.startswith("0-").sum() == 0
    handcoded = episodes[episodes["source"] == "handcoded"]
    assert handcoded["retaliated_30d"].isna().any() and handcoded["retaliated_30d"].notna().any()
    systematic = episodes[episodes["source"] == "synthetic"]
    assert systematic["retaliated_7d"].isna().sum() > 0
    assert episodes["fatalities_initiator"].isna().any()
    assert_same_table(episodes, spark_episodes, "episode_id")
    assert_same_table(features, spark_features, "episode_id")


@pytest.mark.real_data
def test_spark_engine_equals_local_on_mie(spark, real_data_dir) -> None:  # type: ignore[no-untyped-def]
    from forecast.sources.mie import read_mie

    incidents = read_mie(real_data_dir / "mie_events_v1.0.csv").incidents
    coverage = {"mie": (date(1816, 1, 1), date(2014, 12, 31))}
    episodes = build_episodes(incidents, EpisodeParams(), {"mie": date(2014, 12, 31)})
    features = local_features(incidents, episodes, None, coverage)
    spark_episodes, spark_features = spark_tables(spark, incidents, None, coverage)
    assert len(episodes) > 10_000
    assert_same_table(episodes, spark_episodes, "episode_id")
    assert_same_table(features, spark_features, "episode_id")


def test_without_pyspark_the_engine_says_how_to_install_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from forecast.spark import session

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "pyspark" or name.startswith("pyspark."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(ForecastError, match=r'pip install -e "\.\[spark\]"'):
        session.spark_session(SparkParams(master="local[1]"))


def test_local_workers_run_the_drivers_interpreter(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A venv that is not activated still gives its workers pandas; a cluster or an explicit
    choice keeps its own interpreter."""
    import sys

    from forecast.spark.session import worker_python

    monkeypatch.delenv("PYSPARK_PYTHON", raising=False)
    assert worker_python(SparkParams(master="local[2]")) == {"spark.pyspark.python": sys.executable}
    assert worker_python(SparkParams(master="spark://host:7077")) == {}
    chosen = SparkParams(master="local[*]", conf={"spark.pyspark.python": "/opt/py/bin/python"})
    assert worker_python(chosen) == {}
    monkeypatch.setenv("PYSPARK_PYTHON", "/opt/py/bin/python")
    assert worker_python(SparkParams(master="local[2]")) == {}


def test_cli_engine_switch_writes_the_same_tables(
    spark, tmp_path, monkeypatch, no_real_data
) -> None:  # type: ignore[no-untyped-def]
    """`--engine spark` on the commands writes what the local engine writes, at the same paths:
    ingest with a GDELT feed as history, episodes and features."""
    from typer.testing import CliRunner

    from forecast.cli import app

    made = Path(__file__).parent / "fixtures" / "feeds" / "made_gdelt.export.CSV"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text(
        "data:\n  mode: synthetic\n  synthetic: {start_year: 2008, end_year: 2014}\n"
        f"  feeds:\n    - {{name: made, format: gdelt, file: {made}, history: true}}\n"
    )
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("data", "ingest", "--engine", "spark")
    spark_ingest = {
        "incidents": pd.read_parquet("data/interim/incidents.parquet"),
        "quarantine": pd.read_csv("data/interim/quarantine.csv"),
    }
    run("data", "ingest")
    incidents = pd.read_parquet("data/interim/incidents.parquet")
    assert (incidents["source"] == "made").sum() > 0
    assert_same_table(incidents, spark_ingest["incidents"], "incident_id")
    quarantine = pd.read_csv("data/interim/quarantine.csv")
    assert (quarantine["source"] == "made").sum() > 0
    key = ["source", "file", "row", "column"]
    assert_same_table(
        quarantine.sort_values(key, ignore_index=True).assign(k=lambda q: q.index),
        spark_ingest["quarantine"].sort_values(key, ignore_index=True).assign(k=lambda q: q.index),
        "k",
    )
    run("episodes", "build")
    run("features", "build")
    local = {
        name: pd.read_parquet(f"data/processed/{name}.parquet") for name in ("episodes", "features")
    }
    assert "on Spark" in run("episodes", "build", "--engine", "spark")
    assert "on Spark" in run("features", "build", "--engine", "spark")
    for name, table in local.items():
        written = pd.read_parquet(f"data/processed/{name}.parquet")
        assert written.dtypes.to_dict() == table.dtypes.to_dict(), name
        assert_same_table(table, written, "episode_id")


def _gdelt_on_spark(spark, path):  # type: ignore[no-untyped-def]
    from forecast.core.config import DataParams, FeedParams
    from forecast.sources.feed_tables import load_actor_tables
    from forecast.sources.feeds import feed_rules
    from forecast.spark.feeds import spark_gdelt

    feed = FeedParams(name="made", format="gdelt", file=str(path))
    return spark_gdelt(
        spark, [path], feed_rules(feed, DataParams()), load_actor_tables(None), source="made"
    )


def test_gdelt_reduction_on_spark_equals_the_local_engine(spark, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forecast.core.config import DataParams, FeedParams
    from forecast.sources.feeds import read_feed

    made = Path(__file__).parent / "fixtures" / "feeds" / "made_gdelt.export.CSV"
    # Two days' worth: the made file and a copy one day later, as one file (rows renumbered).
    text = made.read_text()
    path = tmp_path / "two.export.CSV"
    path.write_text(text + text.replace("\t2018", "\t2019"))
    local = read_feed(FeedParams(name="made", format="gdelt", file=str(path)), DataParams())
    # Small splits: the file is read in several pieces, which rows are numbered across.
    spark.conf.set("spark.sql.files.maxPartitionBytes", path.stat().st_size // 3)
    try:
        result = _gdelt_on_spark(spark, path)
        assert result.incidents.rdd.getNumPartitions() >= 1
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert (result.rows_read, result.rows_kept) == (local.rows_read, local.rows_kept)
    assert local.rows_kept > 0 and local.rows_quarantined > 0
    assert tuple(result.windows) == local.coverage.windows
    assert result.states_seen == local.states_seen
    assert result.countries_seen == local.countries_seen
    assert_same_table(local.incidents, result.incidents.toPandas(), "incident_id")
    quarantine = result.quarantine.toPandas()
    assert quarantine["row"].between(1, local.rows_read).all()
    local_q = local.quarantine.assign(key=lambda q: q["file"] + ":" + q["row"].astype(str))
    spark_q = quarantine.assign(key=lambda q: q["file"] + ":" + q["row"].astype(str))
    assert_same_table(local_q, spark_q, "key")


def test_gdelt_row_of_the_wrong_width_names_file_and_row(spark, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = Path(__file__).parent / "fixtures" / "feeds" / "made_gdelt.export.CSV"
    lines = made.read_text().splitlines()
    lines[3] = "\t".join(lines[3].split("\t")[:40])
    path = tmp_path / "cut.export.CSV"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ForecastError, match=r"cut\.export\.CSV.*row 4: 40 tab-separated"):
        _gdelt_on_spark(spark, path)
