"""In-silico trial jobs: submission receipt and status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TrialStatus", "TrialSubmitted"]


class TrialSubmitted(BaseModel):
    id: str
    status: Literal["queued"] = "queued"


class TrialStatus(BaseModel):
    """Where a trial job is; ``result`` is the runner's result once ``status`` is ``done``."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    submitted_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    result: Any = None
