"""The recommendation document (``recommend --format json``, ``contracts/cli.md``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RecommendationOut"]


class RecommendationOut(BaseModel):
    """Ranked, safety-screened regimens for a patient from their digital twin.

    ``options`` follow the contract (``rank``, ``regimen``, ``status``, ``predicted``,
    ``reasons``, ``warnings``, ``evidence``); further fields (``population``, ``twin``,
    ``not_offered``…) extend it.
    """

    model_config = ConfigDict(extra="allow")

    patient: str
    disease: str
    options: list[dict[str, Any]] = Field(
        description="recommended / caution options by rank, then contraindicated (rank null)"
    )
