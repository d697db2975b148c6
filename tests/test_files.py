"""Pipeline files are written whole or not at all, and spreadsheet-safe CSV cells read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.core import atomic
from forecast.core.errors import DataFileError


def test_an_interrupted_write_leaves_the_old_file_and_no_part(tmp_path: Path) -> None:
    target = tmp_path / "t.parquet"
    atomic.write_parquet(pd.DataFrame({"a": [1, 2]}), target)
    with pytest.raises(KeyboardInterrupt), atomic.atomic_path(target) as partial:
        partial.write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt
    assert pd.read_parquet(target)["a"].tolist() == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_a_cut_table_is_one_line_naming_the_command_that_makes_it(tmp_path: Path) -> None:
    cut = tmp_path / "episodes.parquet"
    cut.write_bytes(b"PAR1\x00\x00 cut short")
    with pytest.raises(DataFileError) as error:
        atomic.read_parquet(cut, "forecast episodes build")
    message = str(error.value)
    assert str(cut) in message and "`forecast episodes build`" in message and "\n" not in message


def test_formula_cells_are_neutralised_only_in_the_csv(tmp_path: Path) -> None:
    written = ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "+1", "-5", "@SUM(A1)", "Iran"]
    table = pd.DataFrame({"value": written, "row": range(len(written))})
    atomic.write_csv(table, tmp_path / "q.csv", for_spreadsheets=True)
    raw = pd.read_csv(tmp_path / "q.csv", dtype=str)["value"].tolist()
    assert raw == ["'" + v for v in written[:-1]] + ["Iran"]
    assert table["value"].tolist() == written  # the frame itself is unchanged


@given(st.lists(st.text(max_size=8), max_size=20))
def test_the_spreadsheet_escape_is_undone_exactly(values: list[str]) -> None:
    series = pd.Series(values, dtype="string")
    back = atomic.spreadsheet_unsafe(atomic.spreadsheet_safe(series))
    assert back.tolist() == series.tolist()


def test_a_folder_where_the_file_belongs_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "out.json").mkdir()
    with pytest.raises(DataFileError, match=r"out\.json: is a folder \(give the name of a file"):
        atomic.write_text(tmp_path / "out.json", "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_file_where_a_folder_belongs_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    target = tmp_path / "notes.txt" / "deeper" / "out.json"
    with pytest.raises(DataFileError) as error:
        atomic.write_text(target, "{}")
    assert str(error.value) == (
        f"{target}: cannot be written: {tmp_path / 'notes.txt'} is a file, not a folder"
    )


_HOLD_A_WRITE_OPEN = """
import sys, time
from forecast.core.atomic import atomic_path
with atomic_path(sys.argv[1]) as partial:
    partial.write_bytes(b"PAR1 half a file")
    print(partial, flush=True)
    time.sleep(600)
"""


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)


def test_the_next_write_removes_the_part_a_killed_writer_left(tmp_path: Path) -> None:
    target = tmp_path / "incidents.parquet"
    atomic.write_parquet(pd.DataFrame({"a": [1]}), target)
    writer = _python(_HOLD_A_WRITE_OPEN, str(target))
    left = Path(writer.stdout.readline().strip())  # type: ignore[union-attr]
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert left.exists()
    # The next command, a process of its own, writes the same file.
    next_write = f"from forecast.core import atomic; atomic.write_text({str(target)!r}, 'x')"
    assert _python(next_write).wait() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incidents.parquet"]


def test_a_part_being_written_by_a_live_process_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "incidents.parquet"
    writer = _python(_HOLD_A_WRITE_OPEN, str(target))
    try:
        live = Path(writer.stdout.readline().strip())  # type: ignore[union-attr]
        os.utime(live, (0, 0))  # however old it looks
        atomic.write_text(target, "x")
        assert live.exists()
    finally:
        writer.kill()
        writer.wait()
