"""GET /kb/…: the knowledge base as the loader gives it."""

from __future__ import annotations

from typing import Any

from immunobalance.knowledge import load_knowledge_base


def test_agents(api: Any) -> None:
    kb = load_knowledge_base()
    r = api.client.get("/api/v1/kb/agents", headers=api.auth("read"))
    assert r.status_code == 200
    assert [a["key"] for a in r.json()] == sorted(kb.agents)
    key = sorted(kb.agents)[0]
    detail = api.client.get(f"/api/v1/kb/agents/{key}", headers=api.auth("read")).json()
    assert detail == kb.agent(key).model_dump(mode="json", by_alias=True)


def test_agents_for_disease(api: Any) -> None:
    kb = load_knowledge_base()
    r = api.client.get("/api/v1/kb/agents?disease=rheumatoid_arthritis", headers=api.auth("read"))
    assert {a["key"] for a in r.json()} == {
        a.key for a in kb.agents_for_disease("rheumatoid_arthritis")
    }


def test_unknown_agent_suggests(api: Any) -> None:
    r = api.client.get("/api/v1/kb/agents/adalimumabb", headers=api.auth("read"))
    assert r.status_code == 404
    assert r.json()["suggestions"][0] == "adalimumab"
    assert "did you mean 'adalimumab'" in r.json()["detail"]


def test_diseases_and_populations(api: Any) -> None:
    kb = load_knowledge_base()
    diseases = api.client.get("/api/v1/kb/diseases", headers=api.auth("read")).json()
    assert [d["key"] for d in diseases] == sorted(kb.diseases)
    pops = api.client.get("/api/v1/kb/populations", headers=api.auth("read")).json()
    assert {(p["disease"], p["key"]) for p in pops} == set(kb.populations)
    r = api.client.get(
        "/api/v1/kb/populations?disease=rheumatoid_arthritiss", headers=api.auth("read")
    )
    assert r.status_code == 404 and r.json()["suggestions"] == ["rheumatoid_arthritis"]
