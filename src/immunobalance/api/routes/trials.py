"""``/trials``: queue an in-silico trial (202) and follow it; the :class:`~..jobs.TrialWorker`
runs it in the background, never in the request."""

from __future__ import annotations

import json
import tomllib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status

from immunobalance.api.deps import ClinicianToken, DatabaseDep, ReadToken, SessionDep, SettingsDep
from immunobalance.api.errors import error_responses
from immunobalance.api.jobs import TrialWorker, read_result
from immunobalance.api.schemas.trials import TrialStatus, TrialSubmitted
from immunobalance.cli._output import to_jsonable
from immunobalance.errors import InvalidSpecError, Problem
from immunobalance.store.crud import audit
from immunobalance.store.crud import trials as crud
from immunobalance.trials.spec import parse_trial_spec

router = APIRouter(prefix="/trials", tags=["trials"], responses=error_responses())

_TOML_TYPES = ("application/toml", "text/plain", "text/x-toml", "application/x-toml")


def _spec_document(body: bytes, content_type: str) -> tuple[dict[str, Any], str | None]:
    """The spec's dict from a TOML or JSON body (422 naming the syntax error)."""
    text = body.decode("utf-8", errors="replace")
    if content_type.split(";")[0].strip().lower() in _TOML_TYPES:
        try:
            return tomllib.loads(text), text
        except tomllib.TOMLDecodeError as exc:
            raise InvalidSpecError([Problem("body", f"not valid TOML: {exc}")]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidSpecError([Problem("body", f"not valid JSON: {exc}")]) from None
    if not isinstance(document, dict):
        raise InvalidSpecError([Problem("body", "expected a JSON object (the spec's tables)")])
    return document, None


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _worker(request: Request) -> TrialWorker:
    worker: TrialWorker | None = getattr(request.app.state, "trial_worker", None)
    if worker is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no trial worker is running")
    return worker


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TrialSubmitted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/toml": {"schema": {"type": "string"}},
            },
        }
    },
)
def submit_trial(
    request: Request,
    token: ClinicianToken,
    db: DatabaseDep,
    body: Annotated[bytes, Depends(_raw_body)],
    worker: Annotated[TrialWorker, Depends(_worker)],
) -> TrialSubmitted:
    """Validate a trial spec (TOML with ``Content-Type: application/toml``, else its JSON form)
    and queue it; 422 lists every problem of the spec.

    The stored spec is the submitted document; the worker validates it again when it runs, so a
    knowledge-base update between submission and run cannot slip an invalid spec through.
    """
    document, text = _spec_document(body, request.headers.get("content-type", ""))
    spec = parse_trial_spec(document, source_text=text)
    with db.write() as session:
        run = crud.submit_trial(
            session, to_jsonable(document), spec.trial.name, submitted_by=token.id
        )
        audit.record_event(session, token, "trial.create", target=run.id)
    worker.notify()
    return TrialSubmitted(id=run.id)


@router.get("/{trial_id}", response_model=TrialStatus, responses=error_responses(404))
def get_trial(
    trial_id: str, _: ReadToken, session: SessionDep, settings: SettingsDep
) -> TrialStatus:
    """Status, progress (0–1) and, once done, the result."""
    run = crud.get_trial(session, trial_id)
    status_ = TrialStatus.model_validate(run)
    if run.status == "done":
        status_.result = read_result(settings.data_dir, run.result_path)
    return status_
