"""API tokens: create request, public view, and the one-time reveal of a new secret."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TokenCreate", "TokenCreated", "TokenPublic"]

Role = Literal["read", "clinician", "admin"]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    name: str = Field(min_length=1, max_length=100)


class TokenPublic(BaseModel):
    """A token as listed: never its secret (only a hash is stored)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


class TokenCreated(TokenPublic):
    """A new token with its secret: shown this once, store it now."""

    token: str
