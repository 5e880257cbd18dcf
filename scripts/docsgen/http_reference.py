"""HTTP API reference (from the FastAPI app's OpenAPI schema) and the CDS Hooks discovery."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from docsgen.guards import Requirement, skipped_admonition
from docsgen.md import cell, code, table

APP = Requirement("immunobalance.api.main", "create_app")
METHODS = ("get", "post", "put", "patch", "delete")


def openapi_schema() -> dict[str, Any]:
    """The OpenAPI document of the service as ``immunobalance serve`` builds it."""
    from immunobalance.api.main import create_app
    from immunobalance.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp)))
        return dict(app.openapi())


def _responses(op: dict[str, Any]) -> str:
    return ", ".join(sorted(op.get("responses", {})))


def render_http_reference(schema: dict[str, Any] | None) -> str:
    """The HTTP page: endpoint table, per-endpoint details, and the full schema."""
    head = (
        "# HTTP API\n\nGenerated from the service's OpenAPI schema "
        "(`immunobalance.api.main.create_app`) when the documentation is built. The contract "
        "it keeps — authentication, roles, status codes — is in "
        "[Data contracts → HTTP service](../contracts/api.md); a running server serves the same "
        "schema at `/openapi.json` (download this build's copy: [openapi.json](openapi.json)).\n\n"
        "Start a server with `immunobalance serve` and create a token with "
        "`immunobalance token create --role clinician`; send it as "
        "`Authorization: Bearer <token>`.\n"
    )
    if schema is None:
        return head + "\n" + skipped_admonition("page", [APP])
    rows, details = [], []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            summary = op.get("summary") or ""
            rows.append((f"`{method.upper()}`", code(path), summary, _responses(op)))
            body = op.get("requestBody", {}).get("content", {})
            params = [
                (
                    code(p["name"]),
                    p.get("in", ""),
                    "yes" if p.get("required") else "",
                    p.get("description") or p.get("schema", {}).get("title", ""),
                )
                for p in op.get("parameters", [])
            ]
            text = [f"### `{method.upper()} {path}`", cell(op.get("description") or summary)]
            if params:
                text.append(table(["parameter", "in", "required", "meaning"], params))
            if body:
                text.append("Request body: " + ", ".join(f"`{ct}`" for ct in body))
            text.append(
                "Responses: "
                + ", ".join(
                    f"`{status}` {cell(r.get('description', ''))}"
                    for status, r in sorted(op.get("responses", {}).items())
                )
            )
            details.append("\n\n".join(t for t in text if t))
    full = json.dumps(schema, indent=2, sort_keys=True)
    indented = "\n".join("    " + line for line in full.splitlines())
    return (
        head + f"\n**{schema.get('info', {}).get('title', '')}** version "
        f"{schema.get('info', {}).get('version', '')}, OpenAPI {schema.get('openapi', '')}.\n\n"
        "## Endpoints\n\n"
        + table(["method", "path", "summary", "responses"], rows)
        + "\n\n## Details\n\n"
        + "\n\n".join(details)
        + '\n\n## Schema\n\n??? note "The complete OpenAPI document"\n\n'
        + "    ```json\n"
        + indented
        + "\n    ```\n"
    )


def render_cds_services(schema: dict[str, Any] | None) -> str:
    """The CDS Hooks services this build exposes, read from its discovery endpoint."""
    if schema is None or "/cds-services" not in schema.get("paths", {}):
        return (
            '!!! warning "Not generated in this build"\n\n'
            "    The HTTP service of this version has no `/cds-services` routes yet. This table "
            "is generated from the service's discovery endpoint as soon as they land.\n"
        )
    from fastapi.testclient import TestClient

    from immunobalance.api.main import create_app
    from immunobalance.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp)))
        with TestClient(app) as client:
            response = client.get("/cds-services")
    if response.status_code != 200:
        raise RuntimeError(f"GET /cds-services answered {response.status_code}: {response.text}")
    services = response.json().get("services", [])
    rows = [
        (
            code(s.get("id")),
            code(s.get("hook")),
            s.get("title", ""),
            s.get("description", ""),
            ", ".join(code(k) for k in s.get("prefetch", {})),
        )
        for s in services
    ]
    return (
        "The services discovered from this build (`GET /cds-services`):\n\n"
        + table(["id", "hook", "title", "description", "prefetch"], rows)
        + "\n"
    )
