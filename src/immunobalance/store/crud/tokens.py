"""API tokens: create (the secret is returned once), authenticate, list, revoke.

Only ``sha256(secret)`` is stored. The secret is :func:`secrets.token_urlsafe` of 32 bytes
(256 bits of entropy), so a stolen database cannot be turned back into tokens by guessing, and a
fast hash suffices (slow password hashes protect low-entropy human passwords).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.store.errors import RecordNotFoundError
from immunobalance.store.models import ROLES, ApiToken, utcnow

__all__ = [
    "authenticate",
    "create_token",
    "hash_token",
    "list_tokens",
    "revoke_token",
    "role_at_least",
]

#: Random bytes in a token secret (encoded as 43 URL-safe characters).
TOKEN_BYTES = 32


def hash_token(secret: str) -> str:
    """Hex SHA-256 of a token secret: what the database stores and looks tokens up by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def role_at_least(role: str, required: str) -> bool:
    """True when ``role`` ranks at or above ``required`` (read < clinician < admin)."""
    return ROLES.index(role) >= ROLES.index(required)


def create_token(session: Session, role: str, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns the stored row and the secret (shown once, never stored).

    Raises
    ------
    InvalidInputError
        When ``role`` is not one of ``read``, ``clinician``, ``admin`` or ``name`` is empty or
        longer than 100 characters.
    """
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", f"{role!r} is not a role (expected one of {list(ROLES)})"))
    if not name.strip() or len(name) > 100:
        problems.append(Problem("name", f"expected 1–100 characters, got {len(name)}"))
    if problems:
        raise InvalidInputError(problems, what="token request")
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(name=name.strip(), role=role, token_hash=hash_token(secret))
    session.add(row)
    session.flush()
    return row, secret


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The live (not revoked) token whose secret this is, or None."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
    ).one_or_none()
    return row if row is not None and row.revoked_at is None else None


def list_tokens(session: Session, *, include_revoked: bool = False) -> list[ApiToken]:
    """Tokens by id (never their secrets: those are not stored)."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(stmt))


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token (kept, marked revoked, so the audit trail still names it).

    Raises
    ------
    RecordNotFoundError
        When no live token has this id.
    """
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise RecordNotFoundError("token", str(token_id))
    row.revoked_at = utcnow()
    session.flush()
    return row
