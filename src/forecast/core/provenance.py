"""Which data a result came from, said loudly in every output.

A forecast resting on the synthetic world must never pass for one about real events, so every
table, metric file, MLflow run, prediction and report carries a `DataProvenance`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace

import pandas as pd

SYNTHETIC_SOURCE = "synthetic"


@dataclass(frozen=True)
class DataProvenance:
    """What a result rests on: real sources, the synthetic world, or both."""

    kind: str  # "real", "synthetic" or "mixed"
    sources: tuple[str, ...]
    data_start: str | None
    data_end: str | None
    content_hash: str

    @property
    def is_synthetic(self) -> bool:
        return self.kind != "real"

    def banner(self) -> str:
        """One loud line for terminals, logs and reports."""
        span = f"{self.data_start} to {self.data_end}" if self.data_end else "no events"
        sources = ", ".join(self.sources) or "none"
        if self.kind == "synthetic":
            return (
                f"DATA: SYNTHETIC (embedded default world, not real events; {span}; "
                f"hash {self.content_hash[:12]})"
            )
        label = "REAL" if self.kind == "real" else "MIXED REAL AND SYNTHETIC"
        return f"DATA: {label} ({sources}; {span}; hash {self.content_hash[:12]})"

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "sources": list(self.sources), "banner": self.banner()}


def content_hash(frame: pd.DataFrame) -> str:
    """Order-sensitive SHA-256 of a table's values and column names (stable across runs)."""
    digest = hashlib.sha256()
    digest.update("|".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def provenance_of(incidents: pd.DataFrame) -> DataProvenance:
    """Describe an incident table (canonical schema) by its sources, dates and content."""
    sources = tuple(sorted(incidents["source"].dropna().unique().tolist()))
    synthetic = SYNTHETIC_SOURCE in sources
    real = any(s != SYNTHETIC_SOURCE for s in sources)
    kind = "mixed" if synthetic and real else ("synthetic" if synthetic else "real")
    dates = incidents["date"].dropna()
    return DataProvenance(
        kind=kind,
        sources=sources,
        data_start=dates.min().date().isoformat() if len(dates) else None,
        data_end=dates.max().date().isoformat() if len(dates) else None,
        content_hash=content_hash(incidents),
    )


def data_provenance(episodes: pd.DataFrame, features: pd.DataFrame) -> DataProvenance:
    """Provenance of the modelling tables: their sources and dates, hashed together.

    The hash names the data a trained model learned from (MLflow tags, the champion bundle).
    """
    digest = hashlib.sha256((content_hash(episodes) + content_hash(features)).encode())
    return replace(provenance_of(episodes), content_hash=digest.hexdigest())
