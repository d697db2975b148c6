"""The DVC stages' runners: each reads its inputs through `forecast.core.tables`, runs the
library and writes its outputs, so `forecast.commands` only parses arguments and prints.

Each stage has its own module, named after the stage, whose first docstring line is the stage's
`desc:` in dvc.yaml; it imports only what the stage runs, so the project modules a runner imports
are exactly the code dependencies dvc.yaml lists for its stage (tests/test_dvc_dependencies.py
checks both). `engine` is shared: which engine a stage runs on, and what it reports.
"""
