"""The backtest by class: trailing class rates, the outside-view blend learnt inside each origin,
and metrics/classes.json, on small generated tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.classes.backtest import run_class_backtest
from forecast.classes.blend import (
    MIN_BLEND_ROWS,
    ClassWeight,
    ServedBlend,
    learn_inside_origins,
    learn_weight,
)
from forecast.classes.membership import CLASSES, OPENING_FEATURE, trigger_classes
from forecast.classes.references import outside_view, trailing_rates
from forecast.classes.scores import auc_interval
from forecast.core.config import validated_params
from forecast.record_age.bands import band_model_name

HORIZONS = (7, 30)


def test_a_trailing_rate_counts_only_labels_resolved_strictly_before_the_cutoff() -> None:
    resolved = np.array(["2000-01-10", "2000-02-01", "2000-03-01", "2000-04-01"], "datetime64[ns]")
    labels = np.array([1.0, 0.0, np.nan, 1.0])
    member = np.array([True, True, True, False])
    cutoffs = np.array(["2000-01-10", "2000-01-11", "2000-05-01"], "datetime64[ns]")
    rate, n = trailing_rates(resolved, labels, member, cutoffs)
    # On the resolution day itself the label is not yet known; the NaN label and the
    # non-member never count.
    assert n.tolist() == [0, 1, 2]
    assert np.isnan(rate[0]) and rate[1:].tolist() == [1.0, 0.5]


def test_the_weight_leans_on_the_outside_view_where_the_model_misses_the_class() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(200) < 0.5).astype(float)
    low_model = np.full(200, 0.2)  # says 20 % where half are answered
    reference = np.full(200, 0.5)
    assert learn_weight(low_model, reference, y, majority=False).weight == 0.0
    informed = np.where(y == 1, 0.9, 0.1)  # a model that knows the answers
    assert learn_weight(informed, reference, y, majority=False).weight == 1.0


def test_a_majority_class_is_served_the_model_and_a_rare_unlearnt_class_its_outside_view() -> None:
    p, reference, y = np.full(5, 0.1), np.full(5, 0.5), np.ones(5)
    assert learn_weight(p, reference, y, majority=True) == ClassWeight(1.0, 5, basis="majority")
    few = learn_weight(p, reference, y, majority=False)
    assert (few.weight, few.basis) == (0.0, "too_few") and few.n < MIN_BLEND_ROWS


def _world(n: int = 3000, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Triggers 1970-2004 with crisis labels (one in ten), openings and labels that depend
    on them: crises are answered far more often than the model will say."""
    rng = np.random.default_rng(seed)
    dates = pd.to_datetime("1970-01-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 35 * 365, n)), unit="D"
    )
    crisis = rng.random(n) < 0.1
    answered_before = (rng.random(n) < 0.4).astype(float)
    chance30 = np.where(crisis, 0.6, 0.2 + 0.3 * answered_before)
    y30 = rng.random(n) < chance30
    y7 = y30 & (rng.random(n) < 0.5)
    ids = [f"t{i:05d}" for i in range(n)]
    episodes = pd.DataFrame(
        {
            "episode_id": ids,
            "date": dates,
            "limited_force": rng.random(n) < 0.8,
            "crisis": pd.array(crisis, dtype="boolean"),
            "retaliated_7d": pd.array(y7, dtype="boolean"),
            "retaliated_30d": pd.array(y30, dtype="boolean"),
        }
    )
    features = pd.DataFrame({"episode_id": ids, OPENING_FEATURE: answered_before})
    return episodes, features


def _forecasts(episodes: pd.DataFrame, features: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-sample forecasts of a model blind to crises: backtest (age 0, origins 1990-2004)
    and record-age (ages 0 and 5) tables in the pipeline's shapes."""
    answered = features[OPENING_FEATURE].to_numpy()
    test = episodes["date"].dt.year >= 1990
    rows = []
    for horizon, base in ((7, 0.1), (30, 0.2)):
        p = base + 0.15 * answered
        rows.append(
            pd.DataFrame(
                {
                    "episode_id": episodes["episode_id"],
                    "origin": episodes["date"].dt.year,
                    "model": "champion",
                    "horizon": horizon,
                    "p": p,
                    "y": episodes[f"retaliated_{horizon}d"],
                }
            )[test.to_numpy()]
        )
    backtest = pd.concat(rows, ignore_index=True)
    older = backtest.assign(model=band_model_name(False), record_age=5)
    record_age = pd.concat([backtest.assign(record_age=0), older], ignore_index=True)
    record_age = record_age[["episode_id", "origin", "model", "record_age", "horizon", "p", "y"]]
    return backtest, record_age


@pytest.fixture(scope="module")
def world():
    episodes, features = _world()
    backtest, record_age = _forecasts(episodes, features)
    params = validated_params(
        {"episodes": {"horizons": list(HORIZONS)}, "backtest": {"first_origin": 1990}}, "t"
    )
    result = run_class_backtest(episodes, features, backtest, record_age, "champion", params)
    return episodes, features, backtest, record_age, params, result


def test_the_served_record_model_is_the_one_the_record_age_backtest_writes() -> None:
    from forecast.classes.served import SERVED_RECORD_MODEL

    assert band_model_name(False) == SERVED_RECORD_MODEL


def test_metrics_have_the_documented_shape_and_every_class(world) -> None:
    *_, result = world
    block = result.scores["limited_force"]["salient"]["served"]["5"]["30"]
    assert set(block) == {
        "roc_auc", "roc_auc_low", "roc_auc_high", "brier", "bss", "ece",
        "mean_forecast", "observed_rate", "n",
    }  # fmt: skip
    for subset in ("all", "limited_force"):
        assert set(result.scores[subset]) == set(CLASSES)
        assert set(result.scores[subset]["salient"]) == {
            "served", "served_crisis_unknown", "reference",
        }  # fmt: skip
        assert set(result.scores[subset]["salient"]["served"]) == {"0", "5"}


def test_crises_the_model_underrates_are_served_close_to_their_rate(world) -> None:
    *_, result = world
    for age in ("0", "5"):
        served = result.scores["limited_force"]["salient"]["served"][age]["30"]
        blind = result.scores["limited_force"]["salient"]["served_crisis_unknown"][age]["30"]
        served_gap = abs(served["mean_forecast"] - served["observed_rate"])
        blind_gap = abs(blind["mean_forecast"] - blind["observed_rate"])
        assert blind_gap > 0.25 and served_gap < min(0.12, blind_gap / 3)
        assert served["bss"] > blind["bss"] and served["bss"] >= -0.01
    weight = result.weights["crisis"]["30"]
    assert weight["basis"] == "learnt" and weight["weight"] <= 0.2
    assert result.weights["not_crisis"]["30"]["basis"] == "majority"


def test_the_crisis_unknown_reading_is_the_model_unchanged(world) -> None:
    *_, result = world
    unknown = result.served["crisis"].isna()
    assert not unknown.any()  # every trigger of this world carries the label
    not_crisis = result.served["crisis"] == 0.0
    served = result.served.loc[not_crisis]
    assert np.allclose(served["p_served"], served["p"])


def test_flipping_a_label_resolved_after_an_origin_changes_no_weight_chosen_there(world) -> None:
    episodes, features, *_ = world
    from forecast.classes.backtest import served_forecasts
    from forecast.core.config import BacktestParams

    def chosen(frame: pd.DataFrame) -> pd.DataFrame:
        triggers = trigger_classes(frame, features, HORIZONS)
        served = served_forecasts(*_forecasts(frame, features)[:1], None, "champion", triggers,
                                  BacktestParams(first_origin=1990))  # fmt: skip
        served["reference"] = np.nan
        for horizon, positions in served.groupby("horizon").indices.items():
            rate, _ = outside_view(served.iloc[positions], triggers, int(horizon), True)
            served.loc[served.index[positions], "reference"] = rate
        weights, records = learn_inside_origins(served, triggers)
        return pd.DataFrame(records), served.assign(weight=weights)

    before, served_before = chosen(episodes)
    # Every crisis from 1999 on has its 30-day outcome flipped: resolved after the 1999
    # origin's cutoff, so nothing chosen at origins up to 1999 may move.
    flipped = episodes.copy()
    late = (flipped["date"] >= "1999-01-01") & flipped["crisis"].fillna(False)
    flipped.loc[late, "retaliated_30d"] = ~flipped.loc[late, "retaliated_30d"]
    after, served_after = chosen(flipped)
    early = before["origin"] <= 1999
    pd.testing.assert_frame_equal(before[early], after[early])
    rows = served_before["origin"] <= 1999
    assert np.array_equal(served_before.loc[rows, "weight"], served_after.loc[rows, "weight"])
    assert np.allclose(
        served_before.loc[rows, "reference"], served_after.loc[rows, "reference"], equal_nan=True
    )
    assert not before[~early].equals(after[~early])  # the flip did reach later origins


def test_the_outside_view_splits_openings_only_where_both_parts_are_credible(monkeypatch) -> None:
    episodes, features = _world(400)
    triggers = trigger_classes(episodes, features, HORIZONS)
    rows = triggers.assign(cutoff=pd.Timestamp("2010-01-01"), opening_known=True).iloc[:50]
    coarse, _ = outside_view(rows.assign(opening_known=False), triggers, 30, crisis_known=True)
    monkeypatch.setattr("forecast.classes.references.MIN_CLASS_TRIGGERS", 10_000)
    unsplit, _ = outside_view(rows, triggers, 30, crisis_known=True)
    monkeypatch.setattr("forecast.classes.references.MIN_CLASS_TRIGGERS", 1)
    split, _ = outside_view(rows, triggers, 30, crisis_known=True)
    assert np.allclose(unsplit, coarse) and not np.allclose(split, coarse)


def test_auc_interval_brackets_the_auc_and_narrows_with_more_cases() -> None:
    low, high = auc_interval(0.7, 20, 20)
    wide = high - low
    low2, high2 = auc_interval(0.7, 2000, 2000)
    assert low < 0.7 < high and low2 < 0.7 < high2 and high2 - low2 < wide / 5
    assert all(np.isnan(auc_interval(float("nan"), 5, 5)))


def test_the_served_blend_reads_back_from_its_record(world) -> None:
    *_, result = world
    blend = ServedBlend.from_record({"blend": {"model": "champion", "weights": result.weights}})
    assert (
        blend is not None
        and blend.weight(True, 30).weight == result.weights["crisis"]["30"]["weight"]
    )
    assert ServedBlend.from_record({}) is None
    assert ServedBlend.from_record({"blend": {"model": "m", "weights": {}}}) is None


def test_without_crisis_labels_nothing_is_blended(world) -> None:
    episodes, features, backtest, record_age, params, _ = world
    unlabelled = episodes.assign(crisis=pd.array([pd.NA] * len(episodes), dtype="boolean"))
    result = run_class_backtest(unlabelled, features, backtest, record_age, "champion", params)
    assert result.weights == {} and "salient" not in result.scores["all"]
    assert np.allclose(result.served["p_served"], result.served["p"])
