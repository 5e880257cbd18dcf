"""``immunobalance serve`` — the HTTP service (``contracts/api.md``) on uvicorn.

Binds 127.0.0.1 unless told otherwise: the service holds patient records, so exposing it is a
deliberate choice (put it behind TLS). Access logs name routes, not patients: patient ids and
query strings are masked.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import typer

__all__ = ["PatientIdMaskingFilter", "register"]

_PATIENT_PATH = re.compile(r"(/patients/)[^/?\s]+")


class PatientIdMaskingFilter(logging.Filter):
    """Rewrite uvicorn access-log lines so they carry no patient id and no query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = _PATIENT_PATH.sub(r"\1{id}", args[2].split("?", 1)[0])
            record.args = (*args[:2], path, *args[3:])
        return True


def serve(
    host: str = typer.Option(None, "--host", help="interface to bind (default 127.0.0.1)"),
    port: int = typer.Option(None, "--port", help="TCP port (default 8000)"),
) -> None:
    """Run the REST API (``/api/v1``, OpenAPI at ``/openapi.json``)."""
    import uvicorn

    from immunobalance.api import create_app
    from immunobalance.config import get_settings

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if host not in {"127.0.0.1", "localhost", "::1"}:
        typer.echo(f"warning: binding {host}: the API is reachable from other machines", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config())


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the patient-id mask on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_patient_ids"] = {"()": PatientIdMaskingFilter}
    config["loggers"]["uvicorn.access"]["filters"] = ["mask_patient_ids"]
    return config


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
