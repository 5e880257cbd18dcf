"""Every /api/v1 route needs a bearer token (401) and a high enough role (403).

The matrix is built from the app's own route table, so a route added later without its role
dependency fails here.
"""

from __future__ import annotations

import re
from typing import Any

ROLES = ("read", "clinician", "admin")


def _required_role(method: str, path: str) -> str:
    if path.startswith("/api/v1/tokens"):
        return "admin"
    return "read" if method == "GET" else "clinician"


def _operations(api: Any) -> list[tuple[str, str, str]]:
    """(method, concrete path, required role) of every /api/v1 operation in the OpenAPI schema."""
    ops = []
    for template, item in api.client.get("/openapi.json").json()["paths"].items():
        if template.startswith("/api/v1"):
            # ids that exist nowhere: the matrix must not revoke its own tokens
            path = re.sub(r"\{[^}]+\}", "999999", template)
            ops += [(m.upper(), path, _required_role(m.upper(), template)) for m in item]
    return ops


def test_routes_are_mounted(api: Any) -> None:
    paths = {(m, p) for m, p, _ in _operations(api)}
    for expected in [
        ("GET", "/api/v1/kb/agents"),
        ("POST", "/api/v1/patients"),
        ("GET", "/api/v1/patients/999999"),
        ("POST", "/api/v1/patients/999999/visits"),
        ("GET", "/api/v1/patients/999999/assessment"),
        ("GET", "/api/v1/patients/999999/timeline"),
        ("GET", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/999999"),
        ("POST", "/api/v1/trials"),
        ("GET", "/api/v1/trials/999999"),
    ]:
        assert expected in paths


def test_no_or_wrong_token_is_401(api: Any) -> None:
    for method, path, _ in _operations(api):
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
            r = api.client.request(method, path, json={}, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
            assert r.headers["WWW-Authenticate"] == "Bearer"


def test_role_matrix(api: Any) -> None:
    for method, path, required in _operations(api):
        for role in ROLES:
            r = api.client.request(method, path, json={}, headers=api.auth(role))
            if ROLES.index(role) < ROLES.index(required):
                assert r.status_code == 403, (method, path, role, r.text)
                assert required in r.json()["detail"]
            else:
                assert r.status_code not in (401, 403), (method, path, role, r.text)


def test_revoked_token_is_401(api: Any) -> None:
    listed = api.client.get("/api/v1/tokens", headers=api.auth("admin")).json()
    reader = next(t for t in listed if t["role"] == "read")
    assert api.client.get("/api/v1/kb/diseases", headers=api.auth("read")).status_code == 200
    r = api.client.delete(f"/api/v1/tokens/{reader['id']}", headers=api.auth("admin"))
    assert r.status_code == 204
    assert api.client.get("/api/v1/kb/diseases", headers=api.auth("read")).status_code == 401
