"""The Spark engine (`engine: spark`): the heavy stages on Apache Spark, for feeds and histories
that outgrow one machine.

Every stage calls the single-machine functions on groups of rows (`applyInPandas`): episodes and
features per undirected dyad, with the quantities that cross dyads (a state's force against
anyone, its answering record, a confrontation's events, the overall answering rate) in their
own grouped steps, joined back; a feed per day. So the maths lives in one place
(`forecast.episodes`, `forecast.features.computation`, `forecast.sources.feed_reduce`) and the
two engines give the same tables (docs/spark.md). pyspark is an optional extra:
`pip install -e ".[spark]"`.
"""
