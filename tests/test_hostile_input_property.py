"""Arbitrary rows through `forecast data check-file` and `forecast predict --input`: any text,
any number (non-finite, huge), any date string. Whatever comes in, the CLI answers with exit 0,
or exit 1 and one clear line; never a traceback. Imports account for every row read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.predict import Forecaster
from tests.conftest import run_forecast
from tests.test_predict import make_forecaster

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
COUNTRY = st.one_of(
    st.sampled_from(["IRN", "PAK", "Iran", "630", "Pakistani Taliban", "", "[/x]", "=cmd|x"]),
    TEXT,
)
DATE = st.one_of(
    st.sampled_from(
        ["2024-01-16", "2024-01", "1024-01-16", "0001-01-01", "9999-12-31", "01.02.2024", "now"]
    ),
    st.dates().map(str),
    TEXT,
)
NUMBER = st.one_of(
    st.sampled_from(["4", "inf", "-inf", "nan", "1e400", "1e308", "-5", ""]),
    st.floats().map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    TEXT,
)
ACTION = st.one_of(st.sampled_from(["attack", "clash", "strike", "16", "[bold]x", ""]), TEXT)
ROW = st.fixed_dictionaries(
    {
        "date": DATE,
        "initiator": COUNTRY,
        "target": COUNTRY,
        "action": ACTION,
        "hostility": NUMBER,
        "fatalities_target": NUMBER,
        "notes": TEXT,
    }
)
ROWS = st.lists(ROW, min_size=1, max_size=6)
MAPPING = """\
source: team
columns: {date: date, initiator: initiator, target: target, action: action,
          hostility: hostility, fatalities_target: fatalities_target}
notes_columns: [notes]
"""
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clear(code: int, out: str, err: str) -> None:
    """Exit 0, or exit 1 with one `error:` line last on stderr (under the table of bad rows
    when `predict --input` could forecast none of several)."""
    assert "Traceback" not in out + err
    assert code in (0, 1), out + err
    if code == 1:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines[-1].startswith("error: "), err
        assert sum(line.startswith("error: ") for line in lines) == 1, err


@SETTINGS
@given(rows=ROWS)
def test_check_file_answers_any_rows_and_accounts_for_each(
    rows: list[dict[str, str]], tmp_path: Path, capsys, monkeypatch
) -> None:
    (tmp_path / "m.yaml").write_text(MAPPING)
    pd.DataFrame(rows).to_csv(tmp_path / "f.csv", index=False)
    code, out, err = run_forecast(
        ["data", "check-file", str(tmp_path / "f.csv"), "-m", str(tmp_path / "m.yaml")],
        capsys,
        monkeypatch,
    )
    assert_clear(code, out, err)
    if code == 0:
        counts = re.search(r"([\d,]+) rows read, ([\d,]+) kept, ([\d,]+) quarantined", out)
        assert counts, out
        read, kept, quarantined = (int(n.replace(",", "")) for n in counts.groups())
        assert kept + quarantined == read


@SETTINGS
@given(rows=ROWS, as_json=st.booleans())
def test_predict_answers_any_rows(
    rows: list[dict[str, str]], as_json: bool, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(Forecaster, "load", classmethod(lambda cls, *a, **k: make_forecaster()))
    table = pd.DataFrame(rows)
    path = tmp_path / ("incidents.json" if as_json else "incidents.csv")
    if as_json:
        table.to_json(path, orient="records", force_ascii=False)
    else:
        table.to_csv(path, index=False)
    code, out, err = run_forecast(
        ["predict", "--input", str(path), "--format", "json"], capsys, monkeypatch
    )
    assert_clear(code, out, err)
    if code == 0:
        forecasts = json.loads(out, parse_constant=_refuse)  # strict JSON, no NaN or Infinity
        left_out = re.search(r"warning: (\d+) of the (\d+) incidents", err)
        not_forecast = int(left_out.group(1)) if left_out else 0
        assert len(forecasts) + not_forecast == len(rows), err


def _refuse(constant: str) -> None:
    raise ValueError(f"not strict JSON: {constant}")
