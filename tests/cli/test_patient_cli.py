"""``immunobalance patient add|visit|timeline|list`` on a real store (SQLite in a temp data dir)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples" / "patients"


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "immunobalance", "patient", *args],
        capture_output=True,
        text=True,
        env={"IMMUNOBALANCE_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_add_visit_timeline_list(data_dir: Path, tmp_path: Path) -> None:
    added = _cli(data_dir, "add", str(EXAMPLES / "ra.json"), "--format", "json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["action"]["kind"] == "switch_class"
    visit = tmp_path / "visit.json"
    visit.write_text(
        json.dumps(
            {
                "date": "2026-11-02",
                "observations": [
                    {"code": "TJC28", "value": 1},
                    {"code": "SJC28", "value": 0},
                    {"code": "PTGA", "value": 10},
                    {"code": "PHGA", "value": 5},
                ],
            }
        )
    )
    done = _cli(data_dir, "visit", "pt-ra-001", str(visit), "--no-twin", "--format", "json")
    assert done.returncode == 0, done.stderr
    review = json.loads(done.stdout)["review"]
    assert review["assessment"]["indices"]["CDAI"]["value"] == 2.5  # 1 + 0 + 1.0 + 0.5
    assert review["assessment"]["previous_date"] == "2026-10-01"
    assert review["action"]["at_target"] is True
    plot = tmp_path / "timeline.png"
    shown = _cli(data_dir, "timeline", "pt-ra-001", "--format", "json", "--plot", str(plot))
    assert shown.returncode == 0, shown.stderr
    timeline = json.loads(shown.stdout)
    assert [a["date"] for a in timeline["actions"]] == ["2026-10-01", "2026-11-02"]
    assert plot.read_bytes().startswith(b"\x89PNG")
    listed = json.loads(_cli(data_dir, "list", "--format", "json").stdout)
    assert listed == [{"id": "pt-ra-001", "sex": "female", "visits": 4, "last_visit": "2026-11-02"}]


def test_bad_visit_exits_2_and_stores_nothing(data_dir: Path, tmp_path: Path) -> None:
    assert _cli(data_dir, "add", str(EXAMPLES / "ra.json")).returncode == 0
    visit = tmp_path / "bad.json"
    visit.write_text(
        json.dumps(
            {
                "date": "2026-11-02",
                "observations": [
                    {"code": "TJC28", "value": 31},
                    {"code": "CRP", "value": 5, "unit": "mg/dl/h"},
                ],
            }
        )
    )
    bad = _cli(data_dir, "visit", "pt-ra-001", str(visit), "--no-twin")
    assert bad.returncode == 2
    assert "observations[0]" in bad.stderr and "observations[1]" in bad.stderr
    timeline = json.loads(_cli(data_dir, "timeline", "pt-ra-001", "--format", "json").stdout)
    assert len(timeline["actions"]) == 1


def test_unknown_patient_is_an_error(data_dir: Path, tmp_path: Path) -> None:
    result = _cli(data_dir, "timeline", "nobody")
    assert result.returncode != 0 and "nobody" in result.stderr
