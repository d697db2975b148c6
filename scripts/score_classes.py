"""Score the champion's out-of-sample forecasts against the outside view, class by class.

Usage: python scripts/score_classes.py [PROJECT_DIR] [--model NAME]

Reads a finished pipeline's files under PROJECT_DIR (default: here): the backtest's forecasts
(data/processed/backtest_predictions.parquet, record age 0), the episodes (`limited_force`,
`crisis`, labels, dates) and the features (`is_response_30d`). For every origin year the
reference forecast is the class's answered share among triggers whose outcome at that horizon
was known before the origin (date + H days before 1 January of the origin year), so it uses
nothing the model could not have used. Prints, per subset, class and horizon: n, observed rate,
mean forecast, Brier score, ROC AUC and Brier skill of the served forecast against the class's
own reference. Figures only: nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from forecast.episodes import label_column
from forecast.predict.outside_view import CRISIS_COLUMN, OPENING_FEATURE

CLASSES = {
    "all": lambda t: np.ones(len(t), dtype=bool),
    "salient": lambda t: t[CRISIS_COLUMN].fillna(False).to_numpy(dtype=bool),
    "not_salient": lambda t: ~t[CRISIS_COLUMN].fillna(False).to_numpy(dtype=bool),
    "opening": lambda t: t[OPENING_FEATURE].to_numpy() == 0,
    "answer": lambda t: t[OPENING_FEATURE].to_numpy() > 0,
    "salient_opening": lambda t: (
        t[CRISIS_COLUMN].fillna(False).to_numpy(dtype=bool) & (t[OPENING_FEATURE].to_numpy() == 0)
    ),
}


def _triggers(root: Path) -> pd.DataFrame:
    episodes = pd.read_parquet(root / "data/processed/episodes.parquet")
    features = pd.read_parquet(
        root / "data/processed/features.parquet", columns=["episode_id", OPENING_FEATURE]
    )
    if CRISIS_COLUMN not in episodes:
        episodes[CRISIS_COLUMN] = pd.NA
    return episodes.merge(features, on="episode_id", how="left")


def _reference(triggers: pd.DataFrame, mask: np.ndarray, origin: int, horizon: int) -> float:
    """The class's answered share among outcomes known before the origin year."""
    label = pd.to_numeric(triggers[label_column(horizon)], errors="coerce")
    known = (
        mask
        & label.notna().to_numpy()
        & ((triggers["date"] + pd.Timedelta(days=horizon)) < pd.Timestamp(origin, 1, 1)).to_numpy()
    )
    return float(label[known].mean()) if known.any() else float("nan")


def score(root: Path, model: str) -> pd.DataFrame:
    triggers = _triggers(root)
    forecasts = pd.read_parquet(root / "data/processed/backtest_predictions.parquet")
    forecasts = forecasts[(forecasts["model"] == model) & forecasts["y"].notna()]
    rows = []
    for subset, in_subset in (
        ("limited_force", triggers["limited_force"].to_numpy(bool)),
        ("all", np.ones(len(triggers), bool)),
    ):
        for name, select in CLASSES.items():
            mask = in_subset & select(triggers)
            ids = set(triggers.loc[mask, "episode_id"])
            for horizon, block in forecasts[forecasts["episode_id"].isin(ids)].groupby("horizon"):
                y = block["y"].astype(bool).to_numpy(dtype=float)
                p = block["p"].to_numpy(dtype=float)
                # One reference per origin year, not per forecast: it depends on nothing else.
                per_origin = {
                    o: _reference(triggers, mask, o, int(horizon)) for o in block["origin"].unique()
                }
                ref = block["origin"].map(per_origin).to_numpy(dtype=float)
                brier, ref_brier = np.mean((p - y) ** 2), np.nanmean((ref - y) ** 2)
                rows.append(
                    {
                        "subset": subset,
                        "class": name,
                        "horizon": int(horizon),
                        "n": len(y),
                        "observed": y.mean(),
                        "mean_served": p.mean(),
                        "mean_reference": np.nanmean(ref),
                        "brier_served": brier,
                        "brier_reference": ref_brier,
                        "bss_vs_reference": 1 - brier / ref_brier if ref_brier > 0 else np.nan,
                        "auc_served": roc_auc_score(y, p) if 0 < y.sum() < len(y) else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=".", type=Path)
    parser.add_argument("--model", default="hazard_gb+recal")
    args = parser.parse_args()
    table = score(args.root, args.model)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table[table["horizon"].isin([7, 30])].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
