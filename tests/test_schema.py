"""Validation splits bad rows into quarantine with row, column and reason; none are lost."""

import pandas as pd

from forecast.core.schemas import split_valid, validate_incidents


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": ["t-1", "t-2", "t-3", "t-3"],
            "source": "test",
            "date": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", None]),
            "date_precision": "day",
            "initiator": pd.array([630, 770, 630, None], dtype="Int64"),
            "target": pd.array([770, 770, 770, 2], dtype="Int64"),
            "action": ["attack", "attack", "bombard", "attack"],
            "hostility": pd.array([4, 4, 9, 4], dtype="Int64"),
            "directed": True,
            "target_kind": "state",
        }
    )


def test_every_row_is_kept_or_quarantined() -> None:
    outcome = split_valid(_rows(), source="test", file="f.csv")
    assert len(outcome.valid) + outcome.n_quarantined_rows == 4
    assert outcome.valid["incident_id"].tolist() == ["t-1"]


def test_quarantine_names_row_column_and_reason() -> None:
    rows = pd.Series([10, 11, 12, 13])
    q = split_valid(_rows(), source="test", file="f.csv", row_numbers=rows).quarantine
    records = set(zip(q["row"], q["column"], q["reason"], strict=True))
    assert (11, "target", "initiator equals target") in records
    assert (12, "hostility", "hostility missing or outside 1-5") in records
    assert (12, "action", "unknown action") in records
    assert (13, "date", "missing or impossible date") in records
    assert set(q["file"]) == {"f.csv"}


def test_valid_rows_meet_the_contract() -> None:
    valid = split_valid(_rows(), source="test", file="f.csv").valid
    validate_incidents(valid)
    assert str(valid["initiator"].dtype) == "int64"
