"""Honest evaluation: rolling-origin splits, proper scores and calibration, the backtest."""
