"""Typed dependencies of the routes: the database, the settings, the knowledge base, and the
authenticated token with role checks.

``CurrentToken`` authenticates (401 when the bearer token is missing, unknown or revoked) and
rate-limits per token (429 with ``Retry-After``); ``ReadToken``, ``ClinicianToken`` and
``AdminToken`` additionally require that role or higher (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from immunobalance.api.limits import RateLimiter
from immunobalance.config import Settings
from immunobalance.knowledge import KnowledgeBase, load_knowledge_base
from immunobalance.store.crud.tokens import authenticate, role_at_least
from immunobalance.store.models import ApiToken
from immunobalance.store.session import Database

__all__ = [
    "AdminToken",
    "ClinicianToken",
    "CurrentToken",
    "DatabaseDep",
    "KnowledgeBaseDep",
    "ReadToken",
    "SessionDep",
    "SettingsDep",
    "require_role",
]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    """A read session for the request (writes open their own transaction: ``db.write()``)."""
    with db.read() as session:
        yield session


def get_knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]
KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_knowledge_base)]

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `immunobalance token create --role read|clinician|admin`.",
)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


def get_current_token(
    request: Request,
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiToken:
    """The token of ``Authorization: Bearer <token>``; 401 if absent or unknown, 429 if over
    its rate."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    with db.read() as session:
        token = authenticate(session, credentials.credentials)
    if token is None:
        raise _unauthorized("invalid or revoked token")
    limiter: RateLimiter = request.app.state.rate_limiter
    retry_after = limiter.acquire(token.id)
    if retry_after is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"rate limit of {int(limiter.capacity)} requests per minute exceeded",
            headers={"Retry-After": str(retry_after)},
        )
    return token


CurrentToken = Annotated[ApiToken, Depends(get_current_token)]


def require_role(role: str) -> Any:
    """A dependency that passes the current token when its role is ``role`` or higher (else 403).

    Example
    -------
    ``def route(token: Annotated[ApiToken, require_role("clinician")]): ...``
    """

    def check(token: CurrentToken) -> ApiToken:
        if not role_at_least(token.role, role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the {role!r} role; the token is {token.role!r}",
            )
        return token

    return Depends(check)


ReadToken = Annotated[ApiToken, require_role("read")]
ClinicianToken = Annotated[ApiToken, require_role("clinician")]
AdminToken = Annotated[ApiToken, require_role("admin")]
