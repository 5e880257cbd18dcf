"""``/tokens``: list, create and revoke API tokens (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from immunobalance.api.deps import AdminToken, DatabaseDep, SessionDep
from immunobalance.api.errors import error_responses
from immunobalance.api.schemas.tokens import TokenCreate, TokenCreated, TokenPublic
from immunobalance.store.crud import audit
from immunobalance.store.crud import tokens as crud

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=error_responses())


@router.get("", response_model=list[TokenPublic])
def list_tokens(_: AdminToken, session: SessionDep) -> list[TokenPublic]:
    """Live tokens (never their secrets: only hashes are stored)."""
    return [TokenPublic.model_validate(t) for t in crud.list_tokens(session)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
def create_token(body: TokenCreate, token: AdminToken, db: DatabaseDep) -> TokenCreated:
    """A new token; its secret is in this response only."""
    with db.write() as session:
        row, secret = crud.create_token(session, body.role, body.name)
        audit.record_event(session, token, "token.create", target=str(row.id))
        created = TokenCreated.model_validate(
            {**TokenPublic.model_validate(row).model_dump(), "token": secret}
        )
    return created


@router.delete(
    "/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404)
)
def revoke_token(token_id: int, token: AdminToken, db: DatabaseDep) -> None:
    """Revoke a token at once (kept, marked revoked, so the audit trail still names it)."""
    with db.write() as session:
        crud.revoke_token(session, token_id)
        audit.record_event(session, token, "token.revoke", target=str(token_id))
