"""Notebook summaries: each table checked on a tiny hand-made example, plus invariants."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.core.config import Params
from forecast.core.errors import ForecastError
from forecast.core.rates import wilson_interval
from forecast.notebook import summaries
from forecast.predict import Incident
from forecast.predict.result import Analogue, HorizonForecast

IRAN, PAKISTAN, INDIA, USA = 630, 770, 750, 2


def _episodes(rows: list[tuple]) -> pd.DataFrame:
    """(date, initiator, target, retaliated_7d, retaliated_30d, days, observed, duration)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "date",
            "initiator",
            "target",
            "retaliated_7d",
            "retaliated_30d",
            "days_to_retaliation",
            "event_observed",
            "duration",
        ],
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["episode_id"] = [f"e{i}" for i in range(len(frame))]
    for column in ("retaliated_7d", "retaliated_30d"):
        frame[column] = frame[column].astype("boolean")
    frame["days_to_retaliation"] = frame["days_to_retaliation"].astype("Int64")
    frame["hostility"] = 4
    frame["limited_force"] = True
    return frame


def _three_triggers() -> pd.DataFrame:
    return _episodes(
        [
            ("1950-01-01", INDIA, PAKISTAN, True, True, 3, True, 3),
            ("1995-01-01", PAKISTAN, INDIA, False, True, 20, True, 20),
            ("2014-12-30", IRAN, PAKISTAN, None, None, None, False, 1),
        ]
    )


def test_sources_table_lists_each_source_with_its_coverage() -> None:
    sources = {
        "sources": {
            "mie": {
                "rows_read": 10,
                "rows_kept": 9,
                "rows_quarantined": 1,
                "coverage": {"start": "1816-01-01", "end": "2014-12-31"},
                "files": [{"path": "data/mie-1.0.csv", "md5": "x"}],
            }
        }
    }
    row = summaries.sources_table(sources).iloc[0]
    assert (row["source"], row["rows_quarantined"], row["coverage_end"]) == ("mie", 1, "2014-12-31")
    assert row["files"] == "mie-1.0.csv"


def test_region_follows_cow_code_blocks() -> None:
    regions = summaries.region_of([2, 200, 630, 750, 900]).tolist()
    assert regions == ["Americas", "Europe", "Middle East", "Asia", "Oceania"]


def test_era_splits_at_the_world_wars_and_the_cold_war() -> None:
    eras = summaries.era_of([1913, 1914, 1946, 1989, 1990]).tolist()
    assert eras == [
        "1816-1913",
        "1914-1945 (world wars)",
        "1946-1989 (Cold War)",
        "1946-1989 (Cold War)",
        "1990- (post-Cold War)",
    ]


def test_incidents_per_year_fills_empty_years_with_zero() -> None:
    incidents = pd.DataFrame(
        {
            "date": pd.to_datetime(["2000-05-01", "2002-01-01", "2002-02-01"]),
            "initiator": [IRAN, PAKISTAN, USA],
            "hostility": [4, 4, 4],
            "source": ["mie"] * 3,
        }
    )
    table = summaries.incidents_per_year_region(incidents)
    assert table.index.tolist() == [2000, 2001, 2002]
    assert table.loc[2001].sum() == 0
    assert table.loc[2002, "Asia"] == 1 and table.loc[2002, "Americas"] == 1


def test_incidents_per_year_counts_only_chosen_sources() -> None:
    incidents = pd.DataFrame(
        {
            "date": pd.to_datetime(["2000-05-01", "2000-05-01"]),
            "initiator": [IRAN, IRAN],
            "hostility": [4, 4],
            "source": ["mie", "cow_mid"],
        }
    )
    table = summaries.incidents_per_year_region(incidents, sources=["mie"])
    assert table.loc[2000, "Middle East"] == 1


def test_busiest_dyads_pool_both_directions_and_name_the_states() -> None:
    table = summaries.busiest_dyads(_three_triggers(), n=5)
    top = table.iloc[0]
    assert (top["state_a"], top["state_b"], top["triggers"]) == (INDIA, PAKISTAN, 2)
    assert (top["name_a"], top["name_b"]) == ("India", "Pakistan")
    assert (top["first_year"], top["last_year"]) == (1950, 1995)
    assert top["answered_30d"] == pytest.approx(1.0)


def test_retaliation_rate_leaves_censored_labels_out() -> None:
    rates = summaries.retaliation_rates(_three_triggers(), [7, 30])
    by_horizon = rates.set_index("horizon")
    assert by_horizon.loc[7, "triggers"] == 2 and by_horizon.loc[7, "answered"] == 1
    assert by_horizon.loc[30, "rate"] == pytest.approx(1.0)


def test_retaliation_rate_by_era_groups_by_trigger_year() -> None:
    rates = summaries.retaliation_rates(_three_triggers(), [7], by="era")
    assert rates["era"].tolist() == ["1946-1989 (Cold War)", "1990- (post-Cold War)"]
    assert rates["rate"].tolist() == [1.0, 0.0]


def test_retaliation_rate_by_unknown_column_says_what_to_use() -> None:
    with pytest.raises(ForecastError, match="no column 'colour'"):
        summaries.retaliation_rates(_three_triggers(), [7], by="colour")


def test_wilson_interval_stays_inside_zero_and_one_at_the_edges() -> None:
    low, high = wilson_interval(np.array([0, 5]), np.array([5, 5]))
    assert low[0] == pytest.approx(0.0) and 0 < high[0] < 1
    assert 0 < low[1] < 1 and high[1] == pytest.approx(1.0)


def test_delays_describe_only_answers_within_the_horizon() -> None:
    delays = summaries.retaliation_delays(_three_triggers(), [7, 30]).set_index("horizon")
    assert delays.loc[7, "answered"] == 1 and delays.loc[7, "days_median"] == 3
    assert delays.loc[30, "answered"] == 2 and delays.loc[30, "days_median"] == pytest.approx(11.5)


def test_cumulative_retaliation_is_kaplan_meier() -> None:
    # Four triggers: answered on days 2 and 6, censored on day 4 and day 10.
    episodes = pd.DataFrame(
        {"duration": [2, 4, 6, 10], "event_observed": [True, False, True, False]}
    )
    curve = summaries.cumulative_retaliation(episodes, [1, 2, 5, 6, 10]).set_index("day")
    assert curve.loc[1, "answered"] == 0
    assert curve.loc[2, "answered"] == pytest.approx(1 / 4)
    assert curve.loc[5, "answered"] == pytest.approx(1 / 4)
    # After day 4 two triggers remain at risk; one is answered on day 6: S = 3/4 * 1/2.
    assert curve.loc[6, "answered"] == pytest.approx(1 - 3 / 8)
    assert curve.loc[10, "answered"] == pytest.approx(1 - 3 / 8)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 400), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_cumulative_retaliation_never_falls_and_stays_a_share(rows: list) -> None:
    episodes = pd.DataFrame(rows, columns=["duration", "event_observed"])
    curve = summaries.cumulative_retaliation(episodes, list(range(0, 401, 10)))["answered"]
    assert (np.diff(curve.to_numpy()) >= -1e-12).all()
    assert curve.between(0, 1).all()


def _predictions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "episode_id": ["a", "b", "c", "d"] * 2,
            "origin": 2000,
            "model": ["good"] * 4 + ["flat"] * 4,
            "horizon": 30,
            "p": [0.9, 0.8, 0.2, 0.1, 0.5, 0.5, 0.5, 0.5],
            "y": pd.array([True, True, False, None] * 2, dtype="boolean"),
        }
    )


def test_reliability_curves_skip_unknown_outcomes() -> None:
    curves = summaries.reliability_curves(_predictions(), bins=2)
    flat = curves[curves["model"] == "flat"]
    assert flat["n"].tolist() == [3]
    assert flat["observed"].iloc[0] == pytest.approx(2 / 3)


def test_roc_curve_of_a_perfect_ranking_reaches_the_top_left_corner() -> None:
    curves = summaries.roc_curves(_predictions())
    good = curves[curves["model"] == "good"]
    assert ((good["fpr"] == 0) & (good["tpr"] == 1)).any()


def test_pr_curve_carries_the_share_answered_as_its_floor() -> None:
    curves = summaries.pr_curves(_predictions())
    assert curves["base_rate"].unique().tolist() == [pytest.approx(2 / 3)]


def test_timing_by_horizon_sets_mean_forecast_against_observed_share() -> None:
    table = summaries.timing_by_horizon(_predictions()).set_index("model")
    assert table.loc["flat", "forecast"] == pytest.approx(0.5)
    assert table.loc["good", "forecast"] == pytest.approx((0.9 + 0.8 + 0.2) / 3)
    assert table.loc["good", "observed"] == pytest.approx(2 / 3)


def test_likelihood_table_flattens_the_metrics_file(tmp_path) -> None:
    payload = {"all": {"logit": {"7": {"brier": 0.1, "n": 5}, "30": {"brier": 0.2, "n": 5}}}}
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "likelihood.json").write_text(json.dumps(payload))
    table = summaries.read_likelihood_metrics(tmp_path)
    assert table[["subset", "model", "horizon", "brier"]].values.tolist() == [
        ["all", "logit", 7, 0.1],
        ["all", "logit", 30, 0.2],
    ]


def test_missing_metrics_file_names_the_command(tmp_path) -> None:
    with pytest.raises(ForecastError, match="forecast backtest"):
        summaries.read_likelihood_metrics(tmp_path)


def test_limited_force_only_keeps_limited_triggers() -> None:
    episodes = pd.DataFrame({"episode_id": ["a", "b"], "limited_force": [True, False]})
    predictions = pd.DataFrame({"episode_id": ["a", "b", "a"], "p": [0.1, 0.2, 0.3]})
    assert summaries.limited_force_only(predictions, episodes)["p"].tolist() == [0.1, 0.3]


def test_with_changes_sets_dotted_keys_like_dvc_exp() -> None:
    params = summaries.with_changes(Params(), {"episodes.horizons": [7, 30], "seed": 1})
    assert params.episodes.horizons == [7, 30] and params.seed == 1
    assert Params().episodes.horizons == [7, 30, 90, 365]


def test_with_changes_refuses_an_unknown_key() -> None:
    with pytest.raises(ForecastError, match=r"unknown parameter 'episodes\.horizon'"):
        summaries.with_changes(Params(), {"episodes.horizon": [7]})


def test_compare_scores_gives_after_minus_before() -> None:
    before = pd.DataFrame(
        {"subset": ["all"], "model": ["logit"], "horizon": [7], "brier": [0.2], "bss": [0.1]}
    )
    after = before.assign(brier=0.15, bss=0.3)
    table = summaries.compare_scores(before, after, scores=("brier", "bss"))
    assert table["brier_change"].iloc[0] == pytest.approx(-0.05)
    assert table["bss_change"].iloc[0] == pytest.approx(0.2)


def test_dyad_history_takes_both_directions_only() -> None:
    incidents = pd.DataFrame(
        {
            "incident_id": ["x", "y", "z"],
            "date": pd.to_datetime(["2024-01-18", "2024-01-16", "2024-01-17"]),
            "initiator": [PAKISTAN, IRAN, INDIA],
            "target": [IRAN, PAKISTAN, PAKISTAN],
            "hostility": [4, 4, 4],
        }
    )
    history = summaries.dyad_history(incidents, IRAN, PAKISTAN)
    assert history["incident_id"].tolist() == ["y", "x"]
    assert history["initiator_name"].tolist() == ["Iran", "Pakistan"]


class _FakeForecaster:
    """Scores p = 0.2 plus 0.01 per target fatality, 0.3 more when the strike hit the state."""

    def predict(self, incident: Incident) -> SimpleNamespace:
        state = 0.3 if incident.target_kind == "state" else 0.0
        p = 0.2 + 0.01 * (incident.fatalities_target or 0) + state
        return SimpleNamespace(horizons={30: HorizonForecast(p, p - 0.1, p + 0.1)})


def _strike() -> Incident:
    return Incident(
        IRAN, PAKISTAN, pd.Timestamp("2024-01-16"), "attack", 4, 0.0, 2.0, target_kind="non_state"
    )


def test_scenarios_change_only_the_named_fields() -> None:
    forecasts = summaries.scenario_forecasts(
        _FakeForecaster(),
        _strike(),
        {"40 killed": {"fatalities_target": 40.0}, "state forces hit": {"target_kind": "state"}},
    )
    table = summaries.forecast_table(forecasts).set_index("scenario")
    assert table.loc["as given", "p"] == pytest.approx(0.22)
    assert table.loc["40 killed", "p"] == pytest.approx(0.6)
    assert table.loc["state forces hit", "p"] == pytest.approx(0.52)


def test_scenario_naming_an_unknown_field_says_which_fields_to_use() -> None:
    with pytest.raises(ForecastError, match=r"scenario 'x'.*fatalities_target"):
        summaries.scenario_forecasts(_FakeForecaster(), _strike(), {"x": {"casualties": 3}})


def test_analogues_table_keeps_what_happened() -> None:
    forecast = SimpleNamespace(
        analogues=[
            Analogue(
                episode_id="e1",
                initiator=IRAN,
                target=PAKISTAN,
                dyad="Iran → Pakistan",
                date="2009-10-18",
                date_text="18 October 2009",
                action="attack",
                outcome="answered",
                days_to_retaliation=4,
                what_happened="Pakistan used force against Iran after 4 days.",
                distance=0.5,
            )
        ]
    )
    table = summaries.analogues_table(forecast)
    assert table["what_happened"].iloc[0].startswith("Pakistan used force")
    assert "episode_id" not in table.columns


def test_backtest_runs_reads_the_latest_backtests_model_runs(tmp_path, monkeypatch) -> None:
    import mlflow

    from forecast.core.config import TrackingParams
    from forecast.tracking import runs

    monkeypatch.chdir(tmp_path)
    params = Params(
        tracking=TrackingParams(uri=f"sqlite:///{tmp_path}/mlflow.db", artifact_root="artifacts")
    )
    runs.configure(params.tracking)
    for bss in (0.1, 0.2):
        tags = {"stage": "backtest", "data_banner": f"DATA: SYNTHETIC {bss}"}
        with mlflow.start_run(run_name="backtest", tags=tags):
            for model in ("logit", "base_rate"):
                with mlflow.start_run(run_name=model, nested=True, tags={**tags, "model": model}):
                    mlflow.log_metric("all_30d_bss", bss)
    found_runs = runs.backtest_runs(params)
    assert found_runs["model"].tolist() == ["base_rate", "logit"]
    assert found_runs["all_30d_bss"].tolist() == [0.2, 0.2]
    assert found_runs["data_banner"].unique().tolist() == ["DATA: SYNTHETIC 0.2"]


def test_reliability_curves_leave_out_thin_bins() -> None:
    curves = summaries.reliability_curves(_predictions(), bins=2, min_count=2)
    good = curves[curves["model"] == "good"]
    # Bin [0, 0.5) holds one known trigger (p 0.2), bin [0.5, 1] two (p 0.9, 0.8).
    assert good["n"].tolist() == [2]


def test_separated_odds_ratios_are_flagged_unstable() -> None:
    table = pd.DataFrame(
        {
            "odds_ratio": [2.0, 3e7, 0.5, np.inf],
            "low": [1.5, 5e6, 1e-5, 1.0],
            "high": [2.5, 2e8, 0.9, np.inf],
        }
    )
    assert summaries.unstable_odds(table).tolist() == [False, True, True, True]


def test_changes_that_break_the_params_name_the_key() -> None:
    with pytest.raises(ForecastError, match=r"changed params: models.*ensemble lists"):
        summaries.with_changes(Params(), {"models.likelihood": ["logit"]})


def test_small_backtest_scores_only_the_chosen_models_and_horizons() -> None:
    from tests.fixtures_models import make_world

    episodes, features = make_world(n_triggers=600, seed=1)
    changes = {
        "episodes.horizons": [7, 30],
        "models.likelihood": ["logit"],
        "models.timing": [],
        "models.ensemble": [],
        "backtest.first_origin": 2012,
        "backtest.last_origin": 2013,
        "backtest.bootstrap_replicates": 0,
    }
    scores = summaries.small_backtest(episodes, features, Params(), changes)
    assert set(scores["horizon"]) == {7, 30}
    # The chosen model is also scored recalibrated (models.recalibrate).
    assert set(scores["model"]) == {"base_rate", "dyad_persistence", "logit", "logit+recal"}
    assert scores["brier"].between(0, 1).all()
