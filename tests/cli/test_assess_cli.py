"""``immunobalance assess`` (``contracts/cli.md``) on patient files written in the contract format.

In-process runs use CliRunner on the real app and the real patient reader; exit code 2 for bad
input is checked through the entry point (``python -m immunobalance``), where ``main`` maps
errors to exit codes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from immunobalance.cli import app
from immunobalance.indices import cdai, das28_crp

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patients"

RA_RECORD: dict[str, Any] = {
    "id": "pt-001",
    "sex": "female",
    "birth_date": "1968-04-02",
    "conditions": [{"code": "M05.79", "system": "icd10", "onset": "2019-03-01"}],
    "observations": [
        {"code": "TJC28", "value": 14, "date": "2026-04-01"},
        {"code": "SJC28", "value": 7, "date": "2026-04-01"},
        {"code": "CRP", "value": 3.0, "unit": "mg/dL", "date": "2026-04-01"},
        {"code": "PTGA", "value": 70, "date": "2026-04-01"},
        {"code": "TJC28", "value": 8, "date": "2026-10-01"},
        {"code": "SJC28", "value": 6, "date": "2026-10-01"},
        {"code": "CRP", "value": 2.4, "unit": "mg/dL", "date": "2026-10-01"},
        {"code": "PTGA", "value": 50, "date": "2026-10-01"},
        {"code": "PHGA", "value": 40, "date": "2026-10-01"},
    ],
}


def _write(tmp_path: Path, record: dict[str, Any]) -> Path:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_assess_json_follows_the_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(_write(tmp_path, RA_RECORD)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:3] == ["patient", "indices", "response"]
    assert data["patient"] == "pt-001"
    # CRP 2.4 mg/dL is read as 24 mg/L; DAS28-CRP uses mg/L
    expected = round(float(das28_crp(8, 6, 24, 50)), 2)
    assert data["indices"]["DAS28CRP"] == {
        "value": expected, "category": "moderate", "date": "2026-10-01",
    }  # fmt: skip
    assert data["indices"]["CDAI"]["value"] == float(cdai(8, 6, 50, 40)) == 23.0
    assert data["indices"]["CDAI"]["category"] == "high"
    assert "DAS28ESR" not in data["indices"]  # no ESR recorded: index absent
    # DAS28-CRP 6.01 -> 5.09 (0.6 < Δ ≤ 1.2, current ≤ 5.1): EULAR moderate
    base, now = float(das28_crp(14, 7, 30, 70)), float(das28_crp(8, 6, 24, 50))
    assert 0.6 < base - now <= 1.2 and now <= 5.1
    assert data["response"]["EULAR"] == "moderate"


def test_assess_reads_stdin(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "-", "--format", "json"], input=json.dumps(RA_RECORD))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["patient"] == "pt-001"


def test_assess_text_prints_a_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(_write(tmp_path, RA_RECORD))])
    assert result.exit_code == 0, result.output
    assert "DAS28CRP" in result.stdout and "moderate" in result.stdout


def test_no_index_disease_exits_0_and_says_why(tmp_path: Path) -> None:
    record = {"id": "pt-hf", "conditions": [{"code": "I50.9", "system": "icd10"}]}
    result = runner.invoke(app, ["assess", str(_write(tmp_path, record)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["indices"] == {} and data["disease"] is None
    assert "no index disease" in data["notes"][0]


def test_bad_input_exits_2_listing_every_problem(tmp_path: Path) -> None:
    record = json.loads(json.dumps(RA_RECORD))
    record["observations"][0]["value"] = -3  # impossible joint count
    record["observations"][2]["unit"] = "mg/dl/h"  # not a unit of CRP
    proc = subprocess.run(
        [sys.executable, "-m", "immunobalance", "assess", str(_write(tmp_path, record))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "observations[0]" in proc.stderr and "observations[2]" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    "path", sorted(p for p in EXAMPLES.glob("**/*.json")), ids=lambda p: p.name
)
def test_assess_runs_on_every_example_patient(path: Path) -> None:
    result = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["disease"] is not None, data["notes"]
    assert data["indices"], data["notes"]  # every example carries its disease's inputs
