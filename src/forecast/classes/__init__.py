"""The backtest by class and the outside-view blend: the strikes people ask about, scored apart.

`membership` says which classes a trigger belongs to, `references` counts a class's trailing
rate as of any day, `served` lines up what a user would have been served at each origin and
record age, `blend` learns how far that number leans on the outside view, and `scores` and
`outputs` write metrics/classes.json and its plot.
"""
