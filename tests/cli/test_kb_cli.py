"""``immunobalance kb …`` against the real bundled knowledge base (``contracts/cli.md``).

In-process runs use Typer's CliRunner on the real app; the exit-code contract (2 for an unknown
key, with the suggestion on stderr) is checked through the installed entry point in a subprocess,
because the mapping of errors to exit codes lives in ``immunobalance.cli.main``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from immunobalance.cli import app
from immunobalance.knowledge.loader import load_knowledge_base

runner = CliRunner()


def _json(args: list[str]) -> Any:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)  # JSON alone on stdout: must parse as a whole


def _entry_point(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "immunobalance", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    load_knowledge_base.cache_clear()
    return load_knowledge_base()


def test_show_json_is_the_full_agent_record(kb) -> None:  # type: ignore[no-untyped-def]
    shown = _json(["kb", "show", "tocilizumab", "--format", "json"])
    record = kb.agent("tocilizumab")
    assert shown == record.model_dump(mode="json", by_alias=True)
    assert shown["class"] == record.drug_class  # aliases as in the YAML
    assert shown["pk"]["half_life"]["source"]
    assert shown["actions"] and shown["approvals"] and shown["sources"]


def test_show_text_names_class_target_pk_and_sources(kb) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["kb", "show", "tocilizumab"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    agent = kb.agent("tocilizumab")
    for text in (agent.name, agent.drug_class, agent.targets[0], "half-life", "Sources"):
        assert text in result.stdout


def test_show_unknown_agent_exits_2_and_suggests() -> None:
    result = _entry_point("kb", "show", "tocilizumab_x")
    assert result.returncode == 2, result.stderr
    assert "tocilizumab_x" in result.stderr
    assert "did you mean 'tocilizumab'" in result.stderr
    assert result.stdout == ""


def test_unknown_disease_exits_2_and_suggests() -> None:
    result = _entry_point("kb", "populations", "--disease", "rheumatoid_arthritus")
    assert result.returncode == 2, result.stderr
    assert "did you mean 'rheumatoid_arthritis'" in result.stderr


@pytest.mark.parametrize("listing", ["diseases", "agents", "populations", "biomarkers"])
def test_list_json_parses_and_is_not_empty(listing: str) -> None:
    records = _json(["kb", listing, "--format", "json"])
    assert isinstance(records, list) and records
    assert all("key" in r for r in records)


@pytest.mark.parametrize("listing", ["diseases", "agents", "populations", "biomarkers"])
def test_list_text_is_a_table_for_people(listing: str) -> None:
    result = runner.invoke(app, ["kb", listing], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() and not result.stdout.lstrip().startswith("[")


def test_populations_for_one_disease_match_the_trial_spec() -> None:
    records = _json(["kb", "populations", "--disease", "rheumatoid_arthritis", "--format", "json"])
    assert sorted(r["key"] for r in records) == ["dmard_ir", "mtx_ir", "mtx_naive", "tnf_ir"]
    assert {r["disease"] for r in records} == {"rheumatoid_arthritis"}


def test_diseases_json_round_trips_the_records(kb) -> None:  # type: ignore[no-untyped-def]
    records = _json(["kb", "diseases", "--format", "json"])
    assert {r["key"]: r for r in records} == {
        k: d.model_dump(mode="json", by_alias=True) for k, d in kb.diseases.items()
    }


@pytest.mark.parametrize(
    "disease", ["rheumatoid_arthritis", "multiple_sclerosis", "crohns_disease"]
)
def test_agents_for_disease_are_exactly_those_with_an_approval_record(kb, disease: str) -> None:  # type: ignore[no-untyped-def]
    records = _json(["kb", "agents", "--disease", disease, "--format", "json"])
    expected = sorted(a.key for a in kb.agents.values() if a.approval_for(disease) is not None)
    assert [r["key"] for r in records] == expected
    assert expected, f"no agent has an approval record for {disease}"


def test_agents_for_disease_text_shows_status(kb) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        app, ["kb", "agents", "--disease", "multiple_sclerosis"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    statuses = {
        a.approval_for("multiple_sclerosis").status  # type: ignore[union-attr]
        for a in kb.agents.values()
        if a.approval_for("multiple_sclerosis") is not None
    }
    for status in statuses:
        assert status in result.stdout
