"""Retaliation models: baselines, likelihood (statsmodels, scikit-learn) and timing."""
