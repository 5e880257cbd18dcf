"""Map domain errors to HTTP answers, all in the :class:`~.schemas.common.ErrorOut` shape.

* :class:`~immunobalance.errors.InvalidInputError` (records, specs) and request validation → 422
  with *every* problem as ``{"path", "message"}``;
* unknown knowledge-base key → 404 with did-you-mean suggestions; unknown record → 404;
* duplicate record → 409.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from immunobalance.errors import InvalidInputError, UnknownKeyError
from immunobalance.store.errors import DuplicateRecordError, RecordNotFoundError

__all__ = ["ERROR_RESPONSES", "install_error_handlers"]


def _loc_path(loc: tuple[int | str, ...]) -> str:
    """``("body", "observations", 2, "unit")`` → ``observations[2].unit`` (query → ``query.x``)."""
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error(status: int, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse({"detail": detail, "problems": [], "suggestions": [], **extra}, status)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(InvalidInputError)
    async def _invalid_input(_: Request, exc: InvalidInputError) -> JSONResponse:
        n = len(exc.problems)
        return _error(
            422,
            f"{exc.what} is invalid ({n} problem{'s' if n != 1 else ''})",
            problems=exc.as_dicts(),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"path": _loc_path(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        n = len(problems)
        return _error(
            422, f"request is invalid ({n} problem{'s' if n != 1 else ''})", problems=problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = _error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(UnknownKeyError)
    async def _unknown_key(_: Request, exc: UnknownKeyError) -> JSONResponse:
        return _error(404, str(exc), suggestions=exc.suggestions)

    @app.exception_handler(RecordNotFoundError)
    async def _not_found(_: Request, exc: RecordNotFoundError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(DuplicateRecordError)
    async def _duplicate(_: Request, exc: DuplicateRecordError) -> JSONResponse:
        return _error(409, str(exc))


def _responses(*codes: int) -> dict[int | str, dict[str, object]]:
    from immunobalance.api.schemas.common import ErrorOut

    text = {
        401: "missing, invalid or revoked token",
        403: "the token's role is too low",
        404: "not found",
        409: "already exists",
        413: "request body too large",
        422: "invalid input: every problem listed",
        429: "rate limit exceeded (see Retry-After)",
    }
    return {c: {"model": ErrorOut, "description": text[c]} for c in codes}


#: OpenAPI ``responses`` for the error answers every authenticated route may give.
ERROR_RESPONSES = _responses(401, 403, 413, 422, 429)


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` for the common errors plus ``codes`` (e.g. 404, 409)."""
    return {**ERROR_RESPONSES, **_responses(*codes)}
