"""``immunobalance recommend`` end to end: contract JSON, HTML report, bad input → exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from immunobalance.cli import app
from immunobalance.config import get_settings

pytestmark = pytest.mark.xdist_group("recommend")

RA = "examples/patients/ra.json"


@pytest.fixture
def runner(twin_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("IMMUNOBALANCE_DATA_DIR", str(twin_data_dir))
    get_settings.cache_clear()
    yield CliRunner()  # type: ignore[misc]
    get_settings.cache_clear()


def test_json_follows_the_contract_and_report_is_self_contained(
    runner: CliRunner, tmp_path: Path
) -> None:
    report = tmp_path / "ra.html"
    result = runner.invoke(
        app, ["recommend", RA, "--format", "json", "--n", "60", "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["patient"] == "pt-ra-001" and data["disease"] == "rheumatoid_arthritis"
    first = data["options"][0]
    assert first["rank"] == 1 and first["status"] in ("recommended", "caution")
    assert set(first["predicted"]) >= {"endpoint", "probability", "ci95"}
    lo, hi = first["predicted"]["ci95"]
    assert lo <= first["predicted"]["probability"] <= hi
    assert {"agent", "dose", "route"} <= set(first["regimen"][0])
    for key in ("reasons", "warnings", "evidence"):
        assert isinstance(first[key], list)
    html = report.read_text()
    assert "Ranked options" in html and "Excluded options" in html and "DAS28" in html
    assert "data:image/png;base64," in html
    assert not re.search(r"(src|href)=\"https?://", html)  # no CDN, nothing fetched


def test_bad_input_exits_2_with_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    from immunobalance.cli import main  # the exit-code mapping lives in main()

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "id": "x",
                "conditions": [{"code": "M05.79"}],
                "observations": [
                    {"code": "CRP", "value": 5, "unit": "mg/dl/h", "date": "2026-10-01"}
                ],
            }
        )
    )
    import sys

    for argv in (["recommend", str(bad)], ["recommend", RA, "--n", "0"], ["recommend"]):
        monkey_argv = ["immunobalance", *argv]
        old = sys.argv
        sys.argv = monkey_argv
        try:
            with pytest.raises(SystemExit) as exc:
                main()
        finally:
            sys.argv = old
        assert exc.value.code == 2, argv
