"""The DVC stages' runners: each reads its inputs through `forecast.core.tables`, runs the
library and writes its outputs, so `forecast.commands` only parses arguments and prints.

Each stage has its own module, importing only what the stage runs, so the project modules a
runner imports are exactly the code dependencies dvc.yaml lists for its stage
(tests/test_dvc_dependencies.py checks this).
"""
