"""The rule file is sound, every rule is sourced, bad rules are rejected with every problem, and
docs/safety-rules.md is the generated table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from immunobalance.errors import KnowledgeBaseError
from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.safety import default_rules_path, load_safety_rules, render_rules_markdown

KB = load_knowledge_base()
DOC = Path(__file__).resolve().parents[2] / "docs" / "safety-rules.md"


def test_bundled_rules_load_and_cite_sources() -> None:
    rules = load_safety_rules(kb=KB)
    assert len(rules.rules) >= 50
    for r in rules.rules:
        assert len(r.source) >= 10
        assert r.outcome == "contraindicated" or r.monitoring, r.id


def test_committed_doc_is_the_generated_table() -> None:
    assert DOC.read_text(encoding="utf-8") == render_rules_markdown(load_safety_rules(kb=KB)), (
        "regenerate: python -c 'from immunobalance.safety import write_rules_markdown as w; w()'"
    )


def test_bad_rules_are_reported_together(tmp_path: Path) -> None:
    raw = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    raw["rules"] = [
        raw["rules"][0],
        {
            "id": "bad-one",
            "title": "bad rule",
            "applies_to": {"agents": ["adalimumabb"], "classes": ["tnf_blocker"]},
            "trigger": {
                "all": [
                    {
                        "observation": {
                            "code": "NEUTROPHILS",
                            "op": "<",
                            "value": 1.0,
                            "unit": "mg/dL",
                        }
                    },
                    {"observation": {"code": "HEMOGLOBIN", "op": "<", "value": 8}},
                    {"observation": {"code": "TB_IGRA", "equals": "reactive"}},
                    {"condition": {"codes": ["150.2"]}},
                    {"fact": "no_such_fact"},
                ]
            },
            "outcome": "contraindicated",
            "message": "a rule with many problems",
            "source": "nowhere in particular",
        },
    ]
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        load_safety_rules(path, KB)
    text = str(err.value)
    for needle in (
        "unknown agent 'adalimumabb'",
        "no agent of class 'tnf_blocker'",
        "NEUTROPHILS threshold unit",
        "HEMOGLOBIN needs a unit",
        "'reactive' is not a category of TB_IGRA",
        "not ICD-10-CM codes or ranges: ['150.2']",
        "unknown fact 'no_such_fact'",
    ):
        assert needle in text, text


def test_shape_errors_name_the_field(tmp_path: Path) -> None:
    raw = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    del raw["rules"][0]["source"]
    raw["rules"][1]["outcome"] = "forbidden"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        load_safety_rules(path, KB)
    assert "rules.0.source" in str(err.value) and "rules.1.outcome" in str(err.value)
