"""Every command, misused: a usage line and exit code 2, or one clear line and exit 1; never a
traceback. The README's own examples parse as written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from forecast import cli

from .conftest import REPO_ROOT, run_forecast

NUMBERS = (int, float)
PATHS = (Path, Path | None)
# Values for required arguments, so that the option under test is the only thing wrong.
PLACEHOLDERS = {
    "first": ["IRN"],
    "second": ["PAK"],
    "path": ["incidents.csv"],
    "feed": ["icews14"],
    "files": ["article.txt"],
    "published": ["--published", "2024-01-16"],
}


def _leaves(
    command: object, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    children = getattr(command, "commands", None)
    if children:
        for name, child in children.items():
            yield from _leaves(child, (*path, name))
    else:
        yield path, command


COMMANDS = dict(_leaves(typer.main.get_command(cli.app)))


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch) -> tuple[int, str]:
    """`forecast ARGS`: (exit code, stdout + stderr)."""
    code, out, err = run_forecast(args, capsys, monkeypatch)
    return code, out + err


def _annotation(param: object) -> object:
    return param.type_descriptor.annotation  # type: ignore[attr-defined]


def _wrong_typed(params: list) -> tuple[list[str], int]:
    """One option given a value of the wrong type, and the exit code that must follow."""
    for param in params:
        if param.param_type_name == "option" and _annotation(param) in NUMBERS:
            return [param.opts[0], "four"], 2
    for param in params:
        if param.param_type_name == "option" and _annotation(param) is bool:
            return [f"{param.opts[0]}=maybe"], 2
    # Only path options: a folder where a file belongs is bad input, one line and exit 1.
    path_option = next(
        p for p in params if p.param_type_name == "option" and _annotation(p) in PATHS
    )
    return [path_option.opts[0], str(REPO_ROOT / "src")], 1


def _missing(params: list) -> list[str]:
    """No arguments when some are required, else an option without its value."""
    if any(p.required for p in params):
        return []
    option = next(p for p in params if p.param_type_name == "option" and not p.is_flag)
    return [option.opts[0]]


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_takes_help_and_refuses_misuse_without_a_traceback(
    path: tuple[str, ...], capsys, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    params = COMMANDS[path].params  # type: ignore[attr-defined]
    code, out = run([*path, "--help"], capsys, monkeypatch)
    assert code == 0 and "Usage" in out and "Traceback" not in out

    code, out = run([*path, *_missing(params)], capsys, monkeypatch)
    assert code == 2, out
    assert "Error:" in out and "Traceback" not in out

    wrong, expected = _wrong_typed(params)
    required = [token for p in params if p.required for token in PLACEHOLDERS[p.name]]
    code, out = run([*path, *required, *wrong], capsys, monkeypatch)
    assert code == expected, out
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if "rror" in line]
    assert len(errors) == 1, out


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "--hostility", "four"],
        ["data", "show"],
        ["data", "check-file"],
        ["no-such-command"],
        ["data", "show", "IRN", "PAK", "--no-such-option"],
    ],
)
def test_usage_errors_print_clicks_message_and_exit_2(args, capsys, monkeypatch) -> None:
    code, out = run(args, capsys, monkeypatch)
    assert code == 2 and out.rstrip().splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in out


def _readme_commands() -> list[list[str]]:
    """`forecast ...` commands written in README.md (inline and in code blocks)."""
    text = (REPO_ROOT / "README.md").read_text()
    found = re.findall(r"`(forecast [^`]+)`", text) + re.findall(r"^\$ (forecast .+)$", text, re.M)
    commands = []
    for command in found:
        # Skip elided examples and prose fragments that end on an option awaiting its value.
        if "..." in command or " / " in command or command.split()[-1].startswith("--"):
            continue
        commands.append(command.split()[1:])
    return commands


def _parse_only(args: list[str]) -> None:
    """Parse a command line as `forecast` would, without running the command."""
    command = typer.main.get_command(cli.app)
    context = command.make_context("forecast", list(args))
    while getattr(context.command, "commands", None):
        rest = [*context._protected_args, *context.args]
        name, sub, rest = context.command.resolve_command(context, rest)
        context = sub.make_context(name, rest, parent=context)


@pytest.mark.parametrize("args", _readme_commands(), ids=" ".join)
def test_readme_examples_parse_as_written(args: list[str]) -> None:
    _parse_only(args)


def test_readme_has_examples_to_check() -> None:
    commands = [" ".join(c) for c in _readme_commands()]
    assert "data check-file your.csv -m your-mapping.yaml" in commands
    assert any(c.startswith("predict --input") for c in commands)
