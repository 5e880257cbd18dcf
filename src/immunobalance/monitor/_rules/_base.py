"""What every disease's treat-to-target rule receives, and the helpers they share.

A rule is a pure function ``decide(context) -> Action`` in its own module
(``_rules/<disease>.py``); :data:`immunobalance.monitor._rules.RULES` maps disease keys to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from immunobalance.indices.assess import VISIT_WINDOW_DAYS
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.monitor._action import Action, ActionKind
from immunobalance.monitor._sources import SOURCES
from immunobalance.monitor._therapy import DAYS_PER_MONTH, TherapyContext
from immunobalance.monitor._visit import IndexPoint, VisitAssessment
from immunobalance.patient.model import Patient

__all__ = [
    "SUSTAINED_MONTHS",
    "Proposal",
    "Rule",
    "RuleContext",
    "cite",
    "fmt",
    "record_missing",
    "streak_months",
    "therapy_baseline",
]

#: Remission must have lasted this long before tapering is considered (EULAR 2022 item 11-12).
SUSTAINED_MONTHS = 6.0


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule may read: the visit's assessment, the therapy, the record, the KB."""

    visit: VisitAssessment
    therapy: TherapyContext
    patient: Patient
    kb: KnowledgeBase

    @property
    def when(self) -> date:
        return self.visit.date

    def latest_number(self, code: str) -> tuple[float, date] | None:
        """Latest numeric value of ``code`` in the visit window (or None)."""
        obs = self.patient.latest(code, on_or_before=self.when)
        if obs is None or obs.date < self.when - timedelta(days=VISIT_WINDOW_DAYS):
            return None
        value = obs.value
        if isinstance(value, bool):
            return (1.0 if value else 0.0), obs.date
        if isinstance(value, int | float):
            return float(value), obs.date
        return None


Rule = Callable[[RuleContext], Action]


@dataclass(frozen=True)
class Proposal:
    """What every action of one rule's decision shares: the target, the index the decision
    rests on, the citations and the reasons.

    ``reasons`` is the rule's own running list: a rule appends to it as it goes, and each
    :meth:`action` takes its reasons as they stand at that point.
    """

    target: str
    sources: Sequence[str]
    reasons: list[str]
    index: str | None = None

    def action(
        self,
        kind: ActionKind,
        summary: str,
        *,
        at_target: bool | None,
        next_review: str,
        reasons: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> Action:
        """The :class:`Action` with this decision's shared fields (``reasons``/``sources``
        replace the shared ones for this action only)."""
        return Action(
            kind=kind,
            summary=summary,
            target=self.target,
            at_target=at_target,
            index=self.index,
            reasons=list(self.reasons if reasons is None else reasons),
            sources=list(self.sources if sources is None else sources),
            next_review=next_review,
        )


def record_missing(summary: str, reason: str, *, target: str, sources: Sequence[str]) -> Action:
    """The ``review`` action when the visit lacks what the target is judged on: record it
    (``summary``) because ``reason``; the target cannot be judged, so ``at_target`` is None."""
    return Action(
        kind="review",
        summary=summary,
        target=target,
        at_target=None,
        reasons=[reason],
        sources=list(sources),
        next_review="at the next visit",
    )


def cite(*keys: str) -> list[str]:
    """Full citations of ``keys`` (see :data:`~immunobalance.monitor._sources.SOURCES`)."""
    return [SOURCES[k] for k in keys]


def fmt(value: float) -> str:
    """A number as clinicians write it (no trailing zeros)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def therapy_baseline(
    points: Sequence[IndexPoint], start: date | None
) -> tuple[IndexPoint | None, str]:
    """The index value the current therapy is judged against, and how it was chosen.

    The latest value on or before the therapy start (or within the lab window after it); without
    one, the first recorded value (said in the returned note).
    """
    if not points:
        return None, "no value recorded"
    if start is not None:
        before = [p for p in points if p.date <= start + timedelta(days=VISIT_WINDOW_DAYS)]
        if before:
            return before[-1], f"at therapy start ({before[-1].date.isoformat()})"
        return points[0], (
            f"no value before the therapy start ({start.isoformat()}); the first recorded "
            f"value ({points[0].date.isoformat()}) is used"
        )
    return points[0], f"the first recorded value ({points[0].date.isoformat()})"


def streak_months(
    points: Sequence[IndexPoint], when: date, good: Callable[[IndexPoint], bool]
) -> float:
    """Months the ``good`` state has held without a break up to ``when`` (0 if not now)."""
    upto = [p for p in points if p.date <= when]
    if not upto or not good(upto[-1]):
        return 0.0
    first = upto[-1].date
    for p in reversed(upto):
        if not good(p):
            break
        first = p.date
    return (when - first).days / DAYS_PER_MONTH
