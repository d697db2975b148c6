"""docs/architecture.md, "Where a number comes from", followed through the code.

Each trace is the numbered list under its heading; each step's first bold code span names a
function. The test checks that every name resolves, that every step is called (by name, in its
source) by a step before it, and that a forecast made here runs the steps from
`Forecaster.predict_many` on in the order the list gives. Renaming, moving or rerouting any of
them fails here until the doc says so too.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType

import pytest

from tests.aged_world import aged_world_forecaster

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
INSIDE = "### A forecast inside the record"
ACROSS = "### A forecast across a gap"
STEP = re.compile(r"^\d+\.\s+\*\*`([\w.]+)`\*\*", re.M)
RUNTIME_FROM = "forecast.predict.forecaster.Forecaster.predict_many"


def trace(heading: str) -> list[str]:
    """The dotted names of the steps listed under `heading`, in order."""
    text = ARCHITECTURE.read_text()
    start = text.index(heading)
    following = text.find("\n#", start + len(heading))
    return STEP.findall(text[start : following if following > 0 else None])


def resolve(dotted: str) -> Callable:
    """The function a dotted name gives: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            target = getattr(target, name)
        return inspect.unwrap(getattr(target, "__func__", target))  # type: ignore[arg-type]
    raise AssertionError(f"{dotted} names no module")


@cache
def called_names(dotted: str) -> frozenset[str]:
    """The names a function calls, as its source spells them (f(...) or x.f(...))."""
    source = textwrap.dedent(inspect.getsource(resolve(dotted)))
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return frozenset(names)


@pytest.mark.parametrize("heading", [INSIDE, ACROSS])
def test_every_step_resolves_and_is_called_by_an_earlier_step(heading: str) -> None:
    steps = trace(heading)
    assert len(steps) >= 8 and RUNTIME_FROM in steps, steps
    for step in steps:
        assert callable(resolve(step)), step
    for position, step in enumerate(steps[1:], start=1):
        callee = step.rsplit(".", 1)[1]
        callers = [s for s in steps[:position] if callee in called_names(s)]
        assert callers, f"no step before {step} calls {callee}"


def _first_calls(run: Callable[[], object], wanted: dict[CodeType, str]) -> list[str]:
    """The wanted functions in the order of their first call while `run` runs."""
    seen: list[str] = []

    def profile(frame, event, _arg) -> None:
        if event == "call" and frame.f_code in wanted and wanted[frame.f_code] not in seen:
            seen.append(wanted[frame.f_code])

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return seen


def _runtime_steps(heading: str) -> tuple[list[str], dict[CodeType, str]]:
    steps = trace(heading)
    later = steps[steps.index(RUNTIME_FROM) :]
    return later, {resolve(step).__code__: step for step in later}


@pytest.fixture(scope="module")
def forecaster():
    """The aged world's forecaster with today's kind of champion: a boosted hazard behind a
    Platt map (a mild one, so the map is not the identity)."""
    from forecast.models.recalibration import PlattMap, RecalibratedModel
    from forecast.models.timing import BoostedHazard

    def champion(features, episodes, horizons):
        booster = BoostedHazard(horizons, max_iter=20).fit(features, episodes)
        maps = {h: PlattMap(intercept=0.1, slope=0.9, n=100) for h in horizons}
        return RecalibratedModel(booster, maps, horizons)

    return aged_world_forecaster(champion)


def _incident(day: str):
    from forecast.predict import parse_incident

    return parse_incident(
        {"initiator": 630, "target": 770, "date": day, "action": "attack", "hostility": 4}
    )


@pytest.mark.parametrize(("heading", "day"), [(INSIDE, "2000-06-01"), (ACROSS, "2010-06-01")])
def test_a_forecast_runs_the_steps_in_the_order_the_doc_gives(
    forecaster, heading: str, day: str
) -> None:
    steps, wanted = _runtime_steps(heading)
    forecasts: list = []
    order = _first_calls(
        lambda: forecasts.extend(forecaster.predict_many([_incident(day)])), wanted
    )
    assert order == steps
    age = forecasts[0].record["age_days"]
    assert (age == 0) if heading == INSIDE else (age > 365)
