"""``immunobalance learn``: JSON alone on stdout, exit 2 with every problem on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from immunobalance.learn import synthetic_cohort, write_cohort_csv


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "immunobalance", "learn", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_learn_gbm_json_summary_and_files(tmp_path: Path) -> None:
    cohort = write_cohort_csv(synthetic_cohort(240, 11, arm_effects={}).columns, tmp_path / "c.csv")
    out = tmp_path / "model"
    result = _run(
        str(cohort), "--target", "ACR20@24", "--model", "gbm", "--folds", "3",
        "--features", "CRP,TREG_PCT", "--features", "TNF", "--out", str(out), "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # JSON alone on stdout
    assert summary["model"]["family"] == "gbm"
    assert summary["auc"]["ci95"][0] > 0.55  # CRP and Treg % carry signal in the known process
    assert [i["feature"] for i in summary["importance"]][:2] in (
        ["CRP", "TREG_PCT"],
        ["TREG_PCT", "CRP"],
    )
    assert (out / "model_card.md").is_file()


def test_bad_input_exits_2_naming_every_problem(tmp_path: Path) -> None:
    columns = synthetic_cohort(30, 1, arm_effects={}).columns
    columns["CRP[mg/parsec]"] = columns.pop("CRP")
    cohort = write_cohort_csv(columns, tmp_path / "bad.csv")
    result = _run(str(cohort), "--target", "ACR20", "--treatment", "armm")
    assert result.returncode == 2
    assert "--target: no column 'ACR20'" in result.stderr
    assert "--treatment: no column 'armm'" in result.stderr
    assert result.stdout == ""
