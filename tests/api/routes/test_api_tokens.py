"""/tokens (admin): create, list, revoke; secrets shown once."""

from __future__ import annotations

from typing import Any

from immunobalance.store.crud import audit


def test_create_list_revoke(api: Any) -> None:
    r = api.client.post(
        "/api/v1/tokens", json={"role": "clinician", "name": "ward"}, headers=api.auth("admin")
    )
    assert r.status_code == 201, r.text
    created = r.json()
    secret = created.pop("token")
    assert created["role"] == "clinician"
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.client.get("/api/v1/patients", headers=headers).status_code == 200
    listed = api.client.get("/api/v1/tokens", headers=api.auth("admin")).json()
    assert created in listed and all("token" not in t for t in listed)
    assert (
        api.client.delete(f"/api/v1/tokens/{created['id']}", headers=api.auth("admin")).status_code
        == 204
    )
    assert api.client.get("/api/v1/patients", headers=headers).status_code == 401
    assert (
        api.client.delete(f"/api/v1/tokens/{created['id']}", headers=api.auth("admin")).status_code
        == 404
    )
    with api.db.read() as session:
        actions = [e.action for e in audit.list_events(session)]
    assert actions.count("token.create") == 1 and actions.count("token.revoke") == 1


def test_bad_token_request_lists_every_problem(api: Any) -> None:
    r = api.client.post(
        "/api/v1/tokens", json={"role": "root", "name": "", "x": 1}, headers=api.auth("admin")
    )
    assert r.status_code == 422
    assert sorted(p["path"] for p in r.json()["problems"]) == ["name", "role", "x"]
