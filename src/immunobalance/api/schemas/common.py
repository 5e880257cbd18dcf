"""Shapes shared by every resource: errors and creation receipts."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Created", "ErrorOut", "ProblemOut"]


class ProblemOut(BaseModel):
    """One problem of an invalid input: where (JSON path) and what is wrong."""

    path: str = Field(examples=["observations[2].unit"])
    message: str = Field(examples=["'mg/dl/h' is not a unit of CRP (expected mass/volume)"])


class ErrorOut(BaseModel):
    """Every error response: a summary, and for invalid input every problem found."""

    detail: str
    problems: list[ProblemOut] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list, description="did-you-mean keys (404)")


class Created(BaseModel):
    """Receipt of a created resource."""

    id: str
