"""Generated hostile arguments and files through every command that reads user input: `predict`,
`data check-file`, `data ingest` on a tiny params file, `data show` and `data code-news`.

Whatever comes in, each answers with exit 0, exit 1 and one `error:` line, or exit 2 and click's
usage message; never a traceback, never a hang (each run is interrupted after RUN_SECONDS), and
never a partial output: no `.part` file is left, and a run that fails writes no output file.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forecast.core import tables
from forecast.predict import Forecaster
from tests.conftest import run_forecast
from tests.test_data_cli import project as data_cli_project
from tests.test_hostile_input_property import COUNTRY, DATE, NUMBER, ROWS, TEXT
from tests.test_predict import make_forecaster

# A run that takes longer than this is a hang: the largest input below is a few kilobytes.
RUN_SECONDS = 20
# Characters a hostile user reaches for: controls, escapes, markup, quotes, separators.
HOSTILE_CHARS = st.sampled_from(["\x1b[2J", "\x00", "\r", "\x9b", "[/x]", '"', ",", "\n", "é"])
HOSTILE_TEXT = st.lists(st.one_of(TEXT, HOSTILE_CHARS), max_size=6).map("".join)
ARGUMENT = st.one_of(
    COUNTRY, DATE, NUMBER, HOSTILE_TEXT, st.sampled_from(["-", "--", "-x", "9" * 5_000])
)
# Derandomised: the same examples on every run, so CI never fails on an input no one has seen;
# run with --hypothesis-seed=N (and derandomize off) to look further.
SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ARTICLE_WORDS = st.sampled_from(
    ["Iranian", "jets", "struck", "targets", "in", "Pakistan", "on", "Monday", "killing", "two",
     "soldiers", ".", "India", "shelled", "posts", "Gen.", "U.S.", "\u201c", "(", "yesterday"]
)  # fmt: skip
ARTICLE = st.lists(st.one_of(ARTICLE_WORDS, HOSTILE_TEXT), max_size=60).map(" ".join)
MAPPINGS = st.sampled_from(
    [
        "source: team\ncolumns: {date: date, initiator: initiator, target: target, action: "
        "action, hostility: hostility, fatalities_target: fatalities_target}\n"
        "notes_columns: [notes]\ncoverage: {start: 2000-01-01, end: 2024-12-31}\n",
        "source: team\ncolumns: {date: date, initiator: initiator, target: target}\n"
        "constants: {action: attack, hostility: 4}\ncoverage: {systematic: false}\n",
        "source: &s team\ncolumns: {date: *s}\n",
        "columns: " + "[" * 60 + "x" + "]" * 60,
        "source: team\ncolumns: {date: nowhere}\n",
        "source: t\xe9am\n",
        "",
    ]
)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the run after `seconds`: a hang fails the example instead of stalling CI."""

    def hang(signum: int, frame: object) -> None:
        raise AssertionError(f"no answer within {seconds} s (a hang)")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """`forecast ARGS` in process under the time limit, its answer checked for clarity."""
    with time_limit(RUN_SECONDS):
        code, out, err = run_forecast(args, capsys, monkeypatch)
    assert "Traceback" not in out + err, err
    assert code in (0, 1, 2), (code, out, err)
    event(f"exit {code}")  # --hypothesis-show-statistics shows how often each answer came
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 1:
        assert lines and lines[-1].startswith("error: "), err
        assert sum(line.startswith("error: ") for line in lines) == 1, err
    if code == 2:
        assert "Usage:" in err or "Error" in err, err
    return code, out, err


def assert_no_partial_output(folder: Path, output: Path, code: int) -> None:
    """No abandoned part file anywhere; a failed run leaves no output behind."""
    assert not [path for path in folder.rglob("*") if ".part" in path.name]
    if code != 0:
        assert not output.exists()


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))


# The plain incident; each example makes up to two options hostile, so that some runs forecast.
PLAIN = {
    "--initiator": "IRN",
    "--target": "PAK",
    "--date": "2024-01-16",
    "--action": "attack",
    "--hostility": "4",
    "--fatalities-target": "2",
    "--notes": "seen on the news",
    "--crisis": "yes",
    "--format": "json",
}


def plain_or(plain: str, hostile: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The plain value or a hostile one."""
    return st.one_of(st.just(plain), hostile)


@SETTINGS
@given(hostile=st.dictionaries(st.sampled_from([*PLAIN, "--answers"]), ARGUMENT, max_size=2))
def test_predict_answers_any_arguments(
    hostile: dict[str, str], stand_in: None, tmp_path: Path, capsys, monkeypatch
) -> None:
    output = tmp_path / "out" / "forecasts.json"
    output.unlink(missing_ok=True)
    args = ["predict", "--output", str(output)]
    for option, value in {**PLAIN, **hostile}.items():
        args += [f"{option}={value}"]
    code, _, _ = run(args, capsys, monkeypatch)
    assert_no_partial_output(tmp_path, output, code)


@SETTINGS
@given(
    article=ARTICLE,
    published=plain_or("2024-01-18", st.one_of(DATE, HOSTILE_TEXT)),
    form=plain_or("table", st.one_of(st.sampled_from(["csv", "json"]), ARGUMENT)),
)
def test_code_news_answers_any_article(
    article: str, published: str, form: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8", errors="surrogatepass")
    output = tmp_path / "proposed.csv"
    output.unlink(missing_ok=True)
    args = ["data", "code-news", str(path), f"--published={published}", "--output", str(output)]
    code, _, _ = run([*args, f"--format={form}"], capsys, monkeypatch)
    assert_no_partial_output(tmp_path, output, code)


# A project of the made-up MIE and MID fixtures, its covariates stubbed: ingest is quick.
tiny_project = data_cli_project


@settings(SETTINGS, max_examples=10)
@given(rows=ROWS, mapping=MAPPINGS)
def test_ingest_answers_any_import_and_accounts_for_its_rows(
    rows: list[dict[str, str]], mapping: str, tiny_project: Path, capsys, monkeypatch
) -> None:
    pd.DataFrame(rows).to_csv(tiny_project / "team.csv", index=False)
    (tiny_project / "team.yaml").write_bytes(mapping.encode("utf-8", "surrogateescape"))
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    params["data"]["csv_imports"] = [{"path": "team.csv", "mapping": "team.yaml"}]
    (tiny_project / "import.yaml").write_text(yaml.safe_dump(params))
    code, _, err = run(["data", "ingest", "--params", "import.yaml"], capsys, monkeypatch)
    assert_no_partial_output(tiny_project, tiny_project / "unused", 0)
    if code == 1:  # the project itself ingests cleanly: only the import can be at fault
        assert "team.csv" in err or "team.yaml" in err, err
    if code == 0:
        incidents = tables.read("incidents")
        record = json.loads((tiny_project / "data/interim/sources.json").read_text())
        assert len(incidents) > 0
        for counts in record["sources"].values():
            assert counts["rows_read"] == counts["rows_kept"] + counts["rows_quarantined"]
        # A bare carriage return in a value ends a CSV line, so a row may be read as two.
        assert record["sources"]["team"]["rows_read"] >= len(rows)


@settings(SETTINGS, max_examples=15)
@given(
    first=plain_or("IRN", st.one_of(st.sampled_from(["Iran", "630", "USA"]), ARGUMENT)),
    second=plain_or("PAK", st.one_of(st.sampled_from(["Pakistan", "770", "IRQ"]), ARGUMENT)),
    source=st.one_of(st.just(None), st.sampled_from(["mie", "handcoded"]), ARGUMENT),
)
def test_data_show_answers_any_pair(
    first: str, second: str, source: str | None, tiny_project: Path, capsys, monkeypatch
) -> None:
    if not (tiny_project / "data" / "interim" / "incidents.parquet").exists():
        code, _, err = run(["data", "ingest"], capsys, monkeypatch)
        assert code == 0, err
    args = ["data", "show", "--", first, second]
    if source is not None:
        args = ["data", "show", f"--source={source}", "--", first, second]
    run(args, capsys, monkeypatch)
