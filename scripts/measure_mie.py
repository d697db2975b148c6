"""Measure the synthetic world's calibration figures on the real MIE file.

Usage: python scripts/measure_mie.py PATH/TO/mie_events_v1.0.csv [--write]

Prints the figures as YAML; with --write it replaces src/forecast/sources/synthetic_calibration.yaml
(figures only, never rows of the data). Fatalities are MIE's minimum counts (fatalmin1/2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from forecast.core.contracts import ACTIONS_BY_MID_CODE, UNDIRECTED_ACTIONS
from forecast.sources.synthetic.calibration import CALIBRATION_FILE, measure_calibration

START_YEAR, END_YEAR = 1946, 2014
HEADER = "# Figures measured on MIE 1.0 by scripts/measure_mie.py (see docs/synthetic.md).\n"


def mie_as_incidents(path: Path) -> pd.DataFrame:
    """The few canonical columns the measurement needs, straight from MIE's own codes."""
    raw = pd.read_csv(path)
    day_known = raw["stday"] > 0
    dates = pd.to_datetime(
        pd.DataFrame(
            {"year": raw["styear"], "month": raw["stmon"], "day": raw["stday"].where(day_known, 1)}
        )
    )
    action = raw["action"].map(ACTIONS_BY_MID_CODE)
    return pd.DataFrame(
        {
            "date": dates,
            "date_precision": np.where(day_known, "day", "month"),
            "initiator": raw["ccode1"],
            "target": raw["ccode2"],
            "action": action,
            "hostility": raw["hostlev"],
            "directed": ~action.isin(UNDIRECTED_ACTIONS),
            "fatalities_initiator": raw["fatalmin1"].astype(float),
            "fatalities_target": raw["fatalmin2"].astype(float),
        }
    )


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    figures = measure_calibration(mie_as_incidents(Path(argv[0])), START_YEAR, END_YEAR)
    figures = {"measured_on": "MIE 1.0 (mie_events_v1.0.csv, md5 0e1b048b...)", **figures}
    text = yaml.safe_dump(figures, sort_keys=False)
    print(text)
    if "--write" in argv:
        target = Path(__file__).resolve().parents[1] / "src/forecast/sources" / CALIBRATION_FILE
        target.write_text(HEADER + text)
        print(f"wrote {target.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
