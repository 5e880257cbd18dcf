"""Ranking that can never rank a contraindicated option (the contract's ``rank: null``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from immunobalance.safety._screen import SafetyAssessment, Status

__all__ = ["RankedOption", "rank_allowed"]

T = TypeVar("T")


@dataclass(frozen=True)
class RankedOption(Generic[T]):
    """An option with its rank (1 = best) or ``None`` when it is contraindicated."""

    rank: int | None
    option: T
    status: Status


def _status(option: object) -> Status:
    if isinstance(option, SafetyAssessment):
        return option.status
    status = getattr(option, "status", None)
    if status is None:
        safety = getattr(option, "safety", None)
        status = getattr(safety, "status", None)
    if status not in ("recommended", "caution", "contraindicated"):
        raise TypeError(
            f"cannot read a safety status from {type(option).__name__}; pass status=lambda o: ..."
        )
    return status


def rank_allowed(
    options: Sequence[T],
    *,
    score: Callable[[T], float],
    status: Callable[[T], Status] | None = None,
) -> list[RankedOption[T]]:
    """Rank options by ``score`` (higher is better); contraindicated options get no rank.

    Parameters
    ----------
    options
        Candidate options (e.g. regimens with predictions).
    score
        Higher is better (e.g. predicted response probability). Ties keep the input order.
    status
        Safety status of an option (default: its ``status`` attribute, its ``safety.status``, or
        the option itself when it is a :class:`SafetyAssessment`).

    Returns
    -------
    list[RankedOption]
        Allowed options ranked 1..n by score, then contraindicated options (``rank=None``) in input
        order. A contraindicated option is never ranked, whatever its score.
    """
    read = status or _status
    tagged = [(o, read(o)) for o in options]
    allowed = [(o, s) for o, s in tagged if s != "contraindicated"]
    allowed.sort(key=lambda os: -score(os[0]))
    ranked = [RankedOption(i + 1, o, s) for i, (o, s) in enumerate(allowed)]
    ranked += [RankedOption(None, o, s) for o, s in tagged if s == "contraindicated"]
    return ranked
