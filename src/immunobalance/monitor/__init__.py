"""Follow-up and treat-to-target: assess a visit against the baseline and the previous visit,
propose an action with reasons and citations, and flag the current therapy's safety.

::

    from immunobalance.monitor import review_visit
    review = review_visit(patient)            # the latest visit
    review.action.kind      # continue | optimise_dose | add | switch_class | taper | review
    review.action.reasons, review.action.sources

Rules per disease (one module each in ``monitor/_rules``): rheumatoid arthritis (EULAR 2022),
psoriasis (European treatment goals), SLE (DORIS remission / LLDAS, EULAR 2023), ulcerative
colitis and Crohn's disease (STRIDE-II), multiple sclerosis (NEDA-3, ECTRIMS/EAN 2018), type 1
diabetes (stage-specific monitoring, ADA 2024).
"""

from immunobalance.monitor._action import ACTION_KINDS, Action, ActionKind
from immunobalance.monitor._review import (
    SafetyAlert,
    VisitReview,
    candidates_for,
    review_visit,
    therapy_alerts,
)
from immunobalance.monitor._rules import RULES
from immunobalance.monitor._sources import SOURCES
from immunobalance.monitor._therapy import (
    TherapyContext,
    daily_dose_mg,
    therapy_context,
    weekly_dose_mg,
)
from immunobalance.monitor._visit import (
    IndexPoint,
    VisitAssessment,
    as_of,
    assess_visit,
    index_series,
)

__all__ = [
    "ACTION_KINDS",
    "RULES",
    "SOURCES",
    "Action",
    "ActionKind",
    "IndexPoint",
    "SafetyAlert",
    "TherapyContext",
    "VisitAssessment",
    "VisitReview",
    "as_of",
    "assess_visit",
    "candidates_for",
    "daily_dose_mg",
    "index_series",
    "review_visit",
    "therapy_alerts",
    "therapy_context",
    "weekly_dose_mg",
]
