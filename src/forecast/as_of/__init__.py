"""Forecasts as of a later day: the chance of an answer from the as-of day on, given none yet.

`renormalise` turns a day-0 forecast into one given no answer by day k; `evidence` counts what
happened since the trigger (the target's threats and displays, the initiator's follow-up
strikes); `model` is the served as-of model; `backtest` scores them out of sample.
"""
