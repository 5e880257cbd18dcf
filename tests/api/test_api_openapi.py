"""The OpenAPI schema describes what the service does (so schemathesis and clients can trust it)."""

from __future__ import annotations

from typing import Any


def test_schema_declares_auth_and_response_models(api: Any) -> None:
    r = api.client.get("/openapi.json")  # the schema itself is public
    assert r.status_code == 200
    schema = r.json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if path.startswith("/api/v1")
    ]
    assert operations
    for path, method, op in operations:
        assert {"HTTPBearer": []} in op.get("security", []), (method, path)
        for code in ("401", "403", "422", "429"):
            assert code in op["responses"], (method, path, code)
        ok = [c for c in op["responses"] if c.startswith("2")]
        assert len(ok) == 1, (method, path)
        if ok[0] != "204":
            content = op["responses"][ok[0]]["content"]["application/json"]["schema"]
            assert content, (method, path)


def test_visit_body_is_documented(api: Any) -> None:
    op = api.client.get("/openapi.json").json()["paths"]["/api/v1/patients/{patient_id}/visits"]
    body = op["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "date" in body["required"] and set(body["properties"]) == {
        "date",
        "observations",
        "medications",
    }
