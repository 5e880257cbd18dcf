"""``immunobalance trial validate --format json`` follows ``contracts/cli.md`` exactly."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from immunobalance.cli import app

runner = CliRunner()

ROW_KEYS = {
    "trial",
    "arm",
    "endpoint",
    "week",
    "published",
    "predicted",
    "error_pp",
    "published_diff",
    "predicted_diff",
}
SUMMARY_KEYS = {"mae_pp", "mae_diff_pp", "signs_correct", "signs_total", "by_endpoint"}


def test_validate_json_contract_on_one_trial():
    result = runner.invoke(
        app, ["trial", "validate", "--format", "json", "--n", "40", "--trial", "GEMINI 1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"rows", "summary"}
    assert set(data["summary"]) == SUMMARY_KEYS
    rows = data["rows"]
    assert [(r["arm"], r["endpoint"], r["week"]) for r in rows] == [
        ("placebo", "MAYO_RESPONSE", 6),
        ("VDZ 300", "MAYO_RESPONSE", 6),
    ]
    for r in rows:
        assert set(r) == ROW_KEYS
        assert 0.0 <= r["predicted"] <= 1.0
        assert abs(r["error_pp"] - 100 * (r["predicted"] - r["published"])) < 0.02
    active = rows[1]
    assert abs(active["published_diff"] - (0.471 - 0.255)) < 1e-9
    assert abs(active["predicted_diff"] - (rows[1]["predicted"] - rows[0]["predicted"])) < 1e-3
    assert data["summary"]["signs_total"] == 1
    assert data["summary"]["by_endpoint"]["MAYO_RESPONSE"]["n"] == 2
