"""The proposed action of a treat-to-target review: what to do, why, and on whose authority."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ACTION_KINDS", "Action", "ActionKind"]

ActionKind = Literal["continue", "optimise_dose", "add", "switch_class", "taper", "review"]

#: Action kinds: ``continue`` (at target, or too early to judge), ``optimise_dose`` (same agent,
#: better dose or interval), ``add`` (add an agent to the current therapy), ``switch_class``
#: (replace the current therapy with another mechanism), ``taper`` (sustained remission), and
#: ``review`` (the data do not allow a decision: what to measure is said).
ACTION_KINDS: tuple[str, ...] = ActionKind.__args__  # type: ignore[attr-defined]


class Action(BaseModel):
    """A treat-to-target proposal for one visit.

    Attributes
    ----------
    kind
        One of :data:`ACTION_KINDS`.
    summary
        One line for lists and cards.
    target
        The treatment target applied, in words (e.g. ``"CDAI remission (<= 2.8), or low
        activity (<= 10)"``).
    at_target
        Whether the target is met at this visit (None when it cannot be judged).
    index
        The index the decision rests on (``CDAI``, ``PASI``…), if any.
    reasons
        Why, step by step, with the numbers used.
    sources
        Full citations of the rules applied.
    next_review
        When to reassess.
    candidates
        For ``add``/``switch_class``: the twin's ranked options that fit the action (from
        ``recommend``), each ``{"rank", "agents", "probability", "ci95", "endpoint"}``.
    """

    model_config = ConfigDict(frozen=True)

    kind: ActionKind
    summary: str
    target: str
    at_target: bool | None
    index: str | None = None
    reasons: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    next_review: str = ""
    candidates: list[dict[str, Any]] = Field(default_factory=list)
