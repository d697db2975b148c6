"""On the real MIE data, one origin: the clustered logit ranks limited uses of force far better
than dyad persistence and the base rate (skipped without FORECAST_DATA_DIR)."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.core.config import EpisodeParams, FeatureParams, Params
from forecast.evaluation import metrics
from forecast.evaluation.splits import censor_at
from forecast.models import registry
from forecast.models.common import align

ORIGIN = pd.Timestamp("2000-01-01")


@pytest.fixture
def mie_tables(real_data_dir):
    from forecast.episodes import build_episodes, force_events
    from forecast.features.computation import build_features
    from forecast.sources.mie import read_mie

    mie = read_mie(real_data_dir / "mie_events_v1.0.csv")
    params = EpisodeParams()
    episodes = build_episodes(mie.incidents, params, {"mie": mie.coverage.end})
    features = build_features(
        episodes, force_events(mie.incidents), None, FeatureParams(), params.horizons
    )
    features, episodes = align(features, episodes)
    return episodes, features


@pytest.mark.real_data
def test_logit_beats_persistence_on_limited_force_after_2000(mie_tables):
    episodes, features = mie_tables
    train = censor_at(episodes, ORIGIN, Params().episodes.horizons)
    test = (episodes["date"] >= ORIGIN).to_numpy() & episodes["limited_force"].to_numpy(bool)
    test &= episodes["retaliated_30d"].notna().to_numpy()
    y = episodes.loc[test, "retaliated_30d"].astype(bool).to_numpy().astype(float)
    scores = {}
    for name in ("dyad_persistence", "logit"):
        model = registry.build(name, Params()).fit(features.iloc[train.index], train)
        scores[name] = metrics.roc_auc(model.predict_proba(features[test])[30].to_numpy(), y)
    assert scores["logit"] > scores["dyad_persistence"] > 0.55
    assert scores["logit"] > 0.75
