"""Fit independent models side by side, each on one BLAS thread.

`forecast train` fits every final model and every record-age logit once on all labelled
triggers: a few dozen fits that share nothing, which one process used to run one after another
on a two-core machine. Each fit here runs on one BLAS/OpenMP thread whatever the worker count,
as the backtest's fits do, so a model's coefficients are the same bits with one worker or many.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

# (unfitted model, features, episodes): one fit.
FitJob = tuple[Any, pd.DataFrame, pd.DataFrame]
T = TypeVar("T")


def on_one_thread(task: Callable[..., T], *args: object) -> T:
    """`task(*args)` with one BLAS/OpenMP thread: sums come out in the same order, so the result
    is the same bits whichever worker, and however many, computes it."""
    with threadpool_limits(1):
        return task(*args)


def fit_models(jobs: Sequence[FitJob], n_jobs: int = 1, progress: str | None = None) -> list[Any]:
    """The fitted models, in the order of `jobs` (put the longest fits first); `progress`
    names a progress bar on stderr."""
    runner = Parallel(n_jobs=n_jobs, return_as="generator")
    fitted = runner(
        delayed(on_one_thread)(model.fit, features, episodes) for model, features, episodes in jobs
    )
    return list(tqdm(fitted, total=len(jobs), desc=progress, disable=progress is None))
