"""Source adapters: each turns one producer's files into the canonical incident table.

Every adapter exposes `read_<source>(path) -> SourceResult` (forecast.sources.base); `locate`
finds the files, and `forecast.stages.ingest` puts the results together.
"""
