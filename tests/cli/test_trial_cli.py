"""``immunobalance trial run`` (``contracts/cli.md``): JSON alone on stdout, outputs, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from immunobalance.cli import app
from immunobalance.trials import load_trial_spec, run_trial

SPEC = """
[trial]
name = "CLI trial"
disease = "multiple_sclerosis"
population = "relapsing"
n_per_arm = 24
weeks = 24
seed = 11

[[arms]]
name = "placebo"
regimen = []

[[arms]]
name = "natalizumab"
regimen = [{ agent = "natalizumab", dose = "300 mg", route = "iv", every = "4 weeks" }]

[endpoints]
codes = ["ARR", "RELAPSE_ANY", "SERIOUS_INFECTION"]
at_weeks = [24]
"""


def test_trial_run_json_is_the_api_result_and_out_dir_is_written(tmp_path: Path) -> None:
    spec_path = tmp_path / "ms.toml"
    spec_path.write_text(SPEC)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["trial", "run", str(spec_path), "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    printed = json.loads(result.stdout)
    expected = run_trial(load_trial_spec(spec_path)).to_json()
    assert printed == expected
    assert set(printed) >= {
        "trial",
        "disease",
        "population",
        "seed",
        "software_version",
        "spec_sha256",
        "arms",
    }
    arr = printed["arms"][0]["endpoints"]["ARR@24"]
    assert arr["kind"] == "rate" and len(arr["ci95"]) == 2
    assert json.loads((out / "result.json").read_text()) == expected


def test_bad_input_exits_2_naming_the_problem(tmp_path: Path) -> None:
    spec_path = tmp_path / "ms.toml"
    spec_path.write_text(SPEC.replace('"RELAPSE_ANY"', '"ACR20"'))
    bad = subprocess.run(
        [sys.executable, "-m", "immunobalance", "trial", "run", str(spec_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "endpoints.codes[1]: ACR20 does not apply to multiple_sclerosis" in bad.stderr
    spec_path.write_text(SPEC)
    ray = subprocess.run(
        [sys.executable, "-m", "immunobalance", "trial", "run", str(spec_path), "--backend", "ray"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ray.returncode == 2 and "Dask" in ray.stderr
