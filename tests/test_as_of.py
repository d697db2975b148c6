"""Forecasts as of a later day: the renormalised forecast, the evidence since the trigger, the
as-of model and its backtest, on small hand-made tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.as_of.backtest import (
    AS_OF_LOGIT,
    RENORMALISED,
    TIMING_CURVE,
    as_of_rows,
    rolling_as_of_forecasts,
    run_as_of_backtest,
    served_models,
)
from forecast.as_of.evidence import AsOfEvidence, EventWindows, dated_events
from forecast.as_of.model import AsOfModel, fit_as_of_logit, read_as_of_model
from forecast.as_of.renormalise import CurveRows, answered_by, renormalised, timing_shape
from forecast.core.config import Params
from forecast.core.errors import DataFileError
from forecast.episodes import day_numbers, dyad_codes

HORIZONS = (7, 30, 90, 365)


# ---- renormalising ---------------------------------------------------------------------------


def test_timing_shape_counts_answers_by_day_and_ends_at_one() -> None:
    shape = timing_shape(np.array([1, 1, 3, np.nan, 400, 30]), 365)
    assert shape[0] == 0
    assert shape[1] == pytest.approx(0.5)
    assert shape[3] == pytest.approx(0.75)
    assert shape[365] == pytest.approx(1.0)
    assert np.all(np.diff(shape) >= 0)


def test_without_any_answer_the_shape_is_log_linear() -> None:
    shape = timing_shape(np.array([np.nan]), 30)
    assert shape[0] == 0 and shape[30] == pytest.approx(1.0)
    assert shape[7] == pytest.approx(np.log(8) / np.log(31))


def test_answered_by_passes_through_the_horizon_numbers() -> None:
    p = np.array([[0.2, 0.4, 0.5, 0.7]])
    shape = timing_shape(np.arange(1, 366, dtype=float), 365)
    for horizon, value in zip(HORIZONS, p[0], strict=True):
        assert answered_by(p, HORIZONS, shape, np.array([horizon]))[0] == pytest.approx(value)
    assert answered_by(p, HORIZONS, shape, np.array([0]))[0] == 0.0
    # Answers evenly spread over the year: day 3 holds 3/7 of the first week's chance.
    assert answered_by(p, HORIZONS, shape, np.array([3]))[0] == pytest.approx(0.2 * 3 / 7)
    assert answered_by(p, HORIZONS, shape, np.array([500]))[0] == pytest.approx(0.7)


def test_renormalised_is_the_conditional_chance_and_closes_passed_windows() -> None:
    p = np.array([[0.2, 0.4, 0.5, 0.7]])
    shape = timing_shape(np.arange(1, 366, dtype=float), 365)
    at_3 = renormalised(p, HORIZONS, shape, np.array([3]))[0]
    by_3 = 0.2 * 3 / 7
    assert at_3 == pytest.approx((p[0] - by_3) / (1 - by_3))
    assert np.all(at_3 < p[0])
    at_30 = renormalised(p, HORIZONS, shape, np.array([30]))[0]
    assert np.isnan(at_30[:2]).all()
    assert at_30[2] == pytest.approx((0.5 - 0.4) / 0.6)
    # On the trigger's day nothing has been learnt: the day-0 numbers stand.
    assert renormalised(p, HORIZONS, shape, np.array([0]))[0] == pytest.approx(p[0])


def test_a_row_with_its_own_curve_reads_the_days_passed_off_it() -> None:
    p = np.array([[0.2, 0.4, 0.5, 0.7]] * 2)
    shape = timing_shape(np.arange(1, 366, dtype=float), 365)
    grid = (1, 2, 3, 7, 30, 90, 365)
    quick = [0.1, 0.18, 0.19, 0.2, 0.4, 0.5, 0.7]  # most of the first week's chance by day 2
    curves = CurveRows(np.array([quick, [np.nan] * len(grid)]), grid)
    by_2 = answered_by(p, HORIZONS, shape, np.array([2, 2]), curves)
    assert by_2[0] == pytest.approx(0.2 * 0.18 / 0.2)
    assert by_2[1] == pytest.approx(0.2 * 2 / 7)  # no curve: the shared shape
    own = renormalised(p, HORIZONS, shape, np.array([2, 2]), curves)
    assert own[0, 0] < own[1, 0]


# ---- evidence since the trigger --------------------------------------------------------------


def _events(rows: list[tuple[int, int, str, str]], actor: str, victim: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[actor, victim, "date", "date_precision"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_windows_count_after_the_trigger_day_up_to_the_as_of_day() -> None:
    events = _events(
        [
            (2, 1, "2020-01-10", "day"),  # the trigger's own day: not after it
            (2, 1, "2020-01-11", "day"),
            (2, 1, "2020-01-13", "day"),  # the as-of day itself
            (2, 1, "2020-01-14", "day"),  # after the as-of day: never read
            (1, 2, "2020-01-11", "day"),  # the other direction
        ],
        "actor",
        "victim",
    )
    windows = EventWindows(*dated_events(events, "actor", "victim"))
    start = day_numbers(pd.Series(pd.to_datetime(["2020-01-10"])))
    count = windows.count(dyad_codes(np.array([2]), np.array([1])), start, start + 3)
    assert count.tolist() == [2]


def test_a_month_dated_event_counts_only_when_its_whole_month_lies_in_the_window() -> None:
    events = _events([(2, 1, "2020-02-01", "month")], "actor", "victim")
    windows = EventWindows(*dated_events(events, "actor", "victim"))
    dyad = dyad_codes(np.array([2, 2, 2]), np.array([1, 1, 1]))
    start = day_numbers(pd.Series(pd.to_datetime(["2020-01-20", "2020-01-20", "2020-02-05"])))
    end = day_numbers(pd.Series(pd.to_datetime(["2020-02-28", "2020-02-29", "2020-03-31"])))
    assert windows.count(dyad, start, end).tolist() == [0, 1, 0]


def test_evidence_reads_the_targets_threats_and_the_initiators_further_force() -> None:
    incidents = pd.DataFrame(
        {
            "initiator": [2, 1, 2],
            "target": [1, 2, 1],
            "date": pd.to_datetime(["2020-01-11", "2020-01-11", "2020-01-12"]),
            "date_precision": ["day", "day", "day"],
            "hostility": [2, 3, 4],
        }
    )
    force = _events([(1, 2, "2020-01-12", "day"), (1, 2, "2020-01-10", "day")], "actor", "victim")
    day = day_numbers(pd.Series(pd.to_datetime(["2020-01-10"])))
    counts = AsOfEvidence(incidents, force).of(np.array([1]), np.array([2]), day, day + 2)
    # Target 2's threat against 1 counts; 1's display against 2 and 2's use of force do not.
    assert counts.to_dict("records") == [{"target_signals": 1, "initiator_force": 1}]


# ---- the model -------------------------------------------------------------------------------


def _model(coefficients: dict[int, np.ndarray | None], served: dict[int, str]) -> AsOfModel:
    return AsOfModel(
        HORIZONS, timing_shape(np.arange(1, 366, dtype=float), 365), coefficients, served, "h"
    )


def test_the_served_logit_raises_the_chance_after_a_threat() -> None:
    model = _model(
        {h: np.array([1.0, 0.0]) for h in HORIZONS}, dict.fromkeys(HORIZONS, AS_OF_LOGIT)
    )
    p = np.array([[0.2, 0.4, 0.5, 0.7]] * 2)
    evidence = pd.DataFrame({"target_signals": [0, 1], "initiator_force": [0, 0]})
    numbers = model.forecast(p, np.array([2, 2]), evidence)
    assert numbers.served[0] == pytest.approx(numbers.renormalised[0])
    assert np.all(numbers.served[1] > numbers.renormalised[1])


def test_the_renormalised_forecast_is_served_where_the_logit_is_not() -> None:
    model = _model(
        {h: np.array([1.0, 0.0]) for h in HORIZONS}, dict.fromkeys(HORIZONS, RENORMALISED)
    )
    p = np.array([[0.2, 0.4, 0.5, 0.7]])
    evidence = pd.DataFrame({"target_signals": [3], "initiator_force": [0]})
    numbers = model.forecast(p, np.array([2]), evidence)
    assert numbers.served[0] == pytest.approx(numbers.renormalised[0])


def test_a_flag_seen_on_too_few_rows_keeps_a_zero_weight() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(400) < 0.3
    design = np.zeros((400, 2))
    design[:5, 0] = 1.0  # five flagged rows: too few to weigh
    design[:100, 1] = 1.0
    y[:100] = rng.random(100) < 0.8
    coefficients = fit_as_of_logit(design, np.zeros(400), y)
    assert coefficients is not None
    assert coefficients[0] == 0.0
    assert coefficients[1] > 0.5


def test_the_model_round_trips_and_a_damaged_file_is_named(tmp_path: Path) -> None:
    model = _model({7: np.array([0.5, -0.2]), 30: None, 90: None, 365: None}, {7: AS_OF_LOGIT})
    again = AsOfModel.from_dict(json.loads(json.dumps(model.to_dict())), "here")
    assert again.coefficients[7].tolist() == [0.5, -0.2]
    assert again.coefficients[30] is None and again.served == {7: AS_OF_LOGIT}
    where = tmp_path / "data" / "processed" / "as_of_model.json"
    where.parent.mkdir(parents=True)
    assert read_as_of_model(tmp_path) is None
    where.write_text(json.dumps({"horizons": [7], "shape": [0.0, 2.0, 1.0]}))
    with pytest.raises(DataFileError, match=r"as_of_model\.json"):
        read_as_of_model(tmp_path)


# ---- the backtest ----------------------------------------------------------------------------


def _world(seed: int = 1, n: int = 1200) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Episodes 1990-2004 on a few dyads, out-of-sample day-0 forecasts for 1995-2004, and
    threats by the target that make a later answer likelier."""
    rng = np.random.default_rng(seed)
    dates = pd.Series(
        pd.Timestamp("1990-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 5400, n)), "D")
    )
    initiator = rng.integers(1, 6, n)
    target = (initiator % 5) + 1
    threat = rng.random(n) < 0.15
    rate = np.where(threat, 0.02, 0.006)
    delay = np.ceil(rng.exponential(1 / rate)).astype(float)
    delay[rng.random(n) < 0.3] = np.nan
    episodes = pd.DataFrame(
        {
            "episode_id": [f"e{i}" for i in range(n)],
            "date": dates,
            "initiator": initiator,
            "target": target,
            "limited_force": rng.random(n) < 0.8,
            "days_to_retaliation": pd.array(
                [None if np.isnan(d) else int(d) for d in delay], "Int64"
            ),
            "event_observed": ~np.isnan(delay),
        }
    )
    end = pd.Timestamp("2005-06-30")
    for horizon in HORIZONS:
        label = pd.array(np.nan_to_num(delay, nan=1e9) <= horizon, "boolean")
        label[(dates + pd.Timedelta(days=horizon) >= end).to_numpy()] = pd.NA
        episodes[f"retaliated_{horizon}d"] = label
    signals = pd.DataFrame(
        {
            "initiator": target[threat],
            "target": initiator[threat],
            "date": dates[threat].to_numpy() + np.timedelta64(1, "D"),
            "date_precision": "day",
            "hostility": 2,
        }
    )
    base = {7: 0.05, 30: 0.15, 90: 0.3, 365: 0.5}
    tested = episodes[(dates.dt.year >= 1995).to_numpy()]
    predictions = pd.concat(
        [
            pd.DataFrame(
                {
                    "episode_id": tested["episode_id"],
                    "origin": tested["date"].dt.year,
                    "model": "champ",
                    "horizon": horizon,
                    "p": np.clip(base[horizon] + rng.normal(0, 0.02, len(tested)), 0.01, 0.99),
                    "y": tested[f"retaliated_{horizon}d"],
                }
            )
            for horizon in HORIZONS
        ],
        ignore_index=True,
    )
    return episodes, predictions, signals


def _params(**as_of: object) -> Params:
    return Params.model_validate(
        {
            "backtest": {"bootstrap_replicates": 30},
            "as_of": {"min_training_rows": 100, **as_of},
        }
    )


def _evidence(signals: pd.DataFrame) -> AsOfEvidence:
    return AsOfEvidence(signals, pd.DataFrame(columns=["actor", "victim", "date"]))


def test_rows_keep_only_triggers_unanswered_by_the_as_of_day() -> None:
    episodes, _, _ = _world()
    rows = as_of_rows(episodes, (2,), HORIZONS)
    delays = pd.to_numeric(episodes["days_to_retaliation"]).to_numpy(float)
    kept = episodes["episode_id"].isin(rows["episode_id"]).to_numpy()
    assert not np.any(delays[kept] <= 2)
    assert np.all(kept[~(delays <= 2)])
    answered_later = rows["y_30"].eq(1)
    merged = rows.merge(episodes[["episode_id", "days_to_retaliation"]], on="episode_id")
    assert merged.loc[answered_later.to_numpy(), "days_to_retaliation"].between(3, 30).all()


def test_the_backtest_scores_every_cell_and_the_threat_logit_helps_where_threats_matter() -> None:
    episodes, predictions, signals = _world()
    result = run_as_of_backtest(episodes, predictions, "champ", _evidence(signals), _params())
    cells = result.scores["all"]
    assert set(cells) == {"day0", RENORMALISED, TIMING_CURVE, AS_OF_LOGIT}
    # Without the timing model's curves every trigger has the shared shape.
    assert cells[TIMING_CURVE]["2"]["30"]["brier"] == cells[RENORMALISED]["2"]["30"]["brier"]
    assert set(cells[RENORMALISED]["1"]) == {"7", "30", "90", "365"}
    assert set(cells[RENORMALISED]["7"]) == {"30", "90", "365"}
    block = cells[AS_OF_LOGIT]["2"]["30"]
    assert block["n"] > 100 and len(block["brier_difference"]["ci90"]) == 2
    # Threats were made to matter in this world: the logit beats the renormalised forecast.
    assert block["brier"] < cells[RENORMALISED]["2"]["30"]["brier"]
    assert result.model.coefficients[30] is not None and result.model.coefficients[30][0] > 0
    rates = result.evidence_rates["target_signals"]["2"]["30"]
    assert rates["rate_with"] > rates["rate_without"]


def test_nothing_after_an_origin_reaches_its_as_of_forecasts() -> None:
    """Changing every outcome and threat from an origin on leaves that origin's forecasts."""
    episodes, predictions, signals = _world()
    params = _params()
    origin = 2001
    first = rolling_as_of_forecasts(episodes, predictions, "champ", _evidence(signals), params)
    changed = episodes.copy()
    later = (changed["date"] >= pd.Timestamp(f"{origin}-01-01")).to_numpy()
    # Every later trigger now answered on day 8: unanswered on every as-of day as before.
    changed.loc[later, "days_to_retaliation"] = 8
    for horizon in HORIZONS:
        label = changed[f"retaliated_{horizon}d"].astype("boolean")
        label[later] = horizon >= 8
        changed[f"retaliated_{horizon}d"] = label
    later_signals = signals[(signals["date"] < pd.Timestamp(f"{origin}-01-01")).to_numpy()]
    second = rolling_as_of_forecasts(
        changed, predictions, "champ", _evidence(later_signals), params
    )
    rows_a, rows_b = first.rows, second.rows
    at_a = (rows_a["origin"] == origin).to_numpy()
    at_b = (rows_b["origin"] == origin).to_numpy()
    # The as-of day's evidence of test triggers is their own (dated before the as-of day) and
    # is removed here too, so compare the rows with no threat in either run.
    quiet_a = at_a & (rows_a["target_signals"] == 0).to_numpy()
    key_a = rows_a.loc[quiet_a, ["episode_id", "k"]].reset_index(drop=True)
    merged = key_a.assign(row_a=np.flatnonzero(quiet_a)).merge(
        rows_b[["episode_id", "k"]].assign(row_b=np.arange(len(rows_b))), on=["episode_id", "k"]
    )
    assert len(merged) > 50
    for name in (RENORMALISED, AS_OF_LOGIT):
        np.testing.assert_allclose(
            np.nan_to_num(first.forecasts[name][merged["row_a"]]),
            np.nan_to_num(second.forecasts[name][merged["row_b"]]),
        )
    assert at_b.any()


def test_the_logit_is_served_only_where_its_interval_lies_below_zero() -> None:
    def cell(ci: list[float]) -> dict[str, object]:
        return {"brier_difference": {"difference": sum(ci) / 2, "ci90": ci}}

    scores = {
        "all": {
            AS_OF_LOGIT: {"2": {"7": cell([-0.01, -0.001]), "30": cell([-0.01, 0.002]), "90": {}}}
        }
    }
    served = served_models(scores, HORIZONS, 2)
    assert served == {7: AS_OF_LOGIT, 30: RENORMALISED, 90: RENORMALISED, 365: RENORMALISED}


def test_the_timing_curve_forecast_uses_each_triggers_own_out_of_sample_curve() -> None:
    episodes, predictions, signals = _world()
    tested = predictions[predictions["horizon"] == 7][["episode_id", "origin"]]
    grid = np.array([1, 2, 3, 5, 7, 30, 90, 365])
    fast = tested["episode_id"].str[1:].astype(int).to_numpy() % 2 == 0
    rates = np.where(fast, 0.3, 0.003)
    survival = pd.DataFrame(
        {
            "episode_id": np.repeat(tested["episode_id"].to_numpy(), len(grid)),
            "origin": np.repeat(tested["origin"].to_numpy(), len(grid)),
            "model": "timer",
            "day": np.tile(grid, len(tested)),
            "survival": np.exp(-np.outer(rates, grid)).ravel(),
        }
    )
    rolling = rolling_as_of_forecasts(
        episodes, predictions, "champ", _evidence(signals), _params(), survival, "timer"
    )
    rows, forecasts = rolling.rows, rolling.forecasts
    at_2 = (rows["k"] == 2).to_numpy()
    quick = at_2 & rows["episode_id"].isin(tested["episode_id"][fast]).to_numpy()
    slow = at_2 & ~quick
    # A quick timer has spent most of its first week by day 2, a slow one little of it.
    assert np.all(forecasts[TIMING_CURVE][quick, 0] < forecasts[RENORMALISED][quick, 0])
    ratio = forecasts[TIMING_CURVE][:, 0] / forecasts[RENORMALISED][:, 0]
    assert ratio[slow].mean() > 0.95 > 0.8 > ratio[quick].mean()
    # An unknown timing model leaves the shared shape.
    plain = rolling_as_of_forecasts(
        episodes, predictions, "champ", _evidence(signals), _params(), survival, "other"
    )
    np.testing.assert_allclose(plain.forecasts[TIMING_CURVE], plain.forecasts[RENORMALISED])
