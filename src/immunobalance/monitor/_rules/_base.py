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
from immunobalance.monitor._action import Action
from immunobalance.monitor._sources import SOURCES
from immunobalance.monitor._therapy import DAYS_PER_MONTH, TherapyContext
from immunobalance.monitor._visit import IndexPoint, VisitAssessment
from immunobalance.patient.model import Patient

__all__ = [
    "SUSTAINED_MONTHS",
    "Rule",
    "RuleContext",
    "cite",
    "fmt",
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
