"""forecast: will the target of a cross-border strike strike back, and how soon?"""

__version__ = "0.1.0"
