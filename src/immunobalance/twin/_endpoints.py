"""The outcome a recommendation predicts for each disease (and the risk it weighs against it).

One primary, patient-relevant endpoint per disease and population, from the trial-spec codes,
so that the twin's prediction is computed by the same endpoint code as an in-silico trial:

=================================  ==========================  ===================================
disease (population)               endpoint                    favourable outcome
=================================  ==========================  ===================================
rheumatoid arthritis               ACR50 at week 24            response (ACR50 is nearer the
                                                               treat-to-target goal than ACR20;
                                                               Smolen JS et al. Ann Rheum Dis
                                                               2023;82:3-18)
psoriasis                          PASI75 at week 12           response
SLE (active, seropositive)         SRI-4 at week 52            response
SLE (lupus nephritis)              complete renal response 52  response
ulcerative colitis                 Mayo clinical remission 8   remission (induction, as labels)
Crohn's disease                    CDAI < 150 at week 12       remission
multiple sclerosis                 ≥ 1 relapse by week 48      relapse-free
type 1 diabetes (stage 2)          stage 3 diagnosis by 104    diagnosis avoided
type 1 diabetes (new onset)        C-peptide AUC at 52 ≥ 60 %  β-cell function preserved
                                   of baseline                 (AbATE responder definition,
                                                               Herold KC et al. Diabetes
                                                               2013;62:3766-74)
=================================  ==========================  ===================================

Risk: ``SERIOUS_INFECTION_ANY`` (≥ 1 serious infection) by the same week.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ACTIVITY_LABEL", "PrimaryEndpoint", "primary_endpoint"]


@dataclass(frozen=True)
class PrimaryEndpoint:
    """The predicted outcome: a trial-spec ``CODE@WEEK`` and which value is favourable.

    ``favourable = "event"`` means the endpoint's 1 is good (response); ``"no_event"`` means 0
    is good (relapse-free, diagnosis avoided). ``CPEPTIDE_PRESERVED`` is computed from the
    activity trajectory (C-peptide) rather than an endpoint code.
    """

    code: str
    week: float
    favourable: Literal["event", "no_event"]
    description: str
    horizon_weeks: float

    @property
    def key(self) -> str:
        return f"{self.code}@{self.week:g}"

    @property
    def risk_key(self) -> str:
        return f"SERIOUS_INFECTION_ANY@{self.week:g}"


_TABLE: dict[tuple[str, str | None], PrimaryEndpoint] = {
    ("rheumatoid_arthritis", None): PrimaryEndpoint(
        "ACR50", 24, "event", "ACR50 response at week 24", 24
    ),
    ("psoriasis", None): PrimaryEndpoint("PASI75", 12, "event", "PASI75 at week 12", 12),
    ("systemic_lupus_erythematosus", None): PrimaryEndpoint(
        "SRI4", 52, "event", "SRI-4 response at week 52", 52
    ),
    ("systemic_lupus_erythematosus", "lupus_nephritis"): PrimaryEndpoint(
        "RENAL_RESPONSE", 52, "event", "complete renal response at week 52", 52
    ),
    ("ulcerative_colitis", None): PrimaryEndpoint(
        "MAYO_REMISSION", 8, "event", "clinical remission (Mayo) at week 8", 8
    ),
    ("crohns_disease", None): PrimaryEndpoint(
        "CDAI_CD_REMISSION", 12, "event", "clinical remission (CDAI < 150) at week 12", 12
    ),
    ("multiple_sclerosis", None): PrimaryEndpoint(
        "RELAPSE_ANY", 48, "no_event", "relapse-free to week 48", 48
    ),
    ("type_1_diabetes", None): PrimaryEndpoint(
        "T1D_DIAGNOSED", 104, "no_event", "stage 3 diagnosis avoided to week 104", 104
    ),
    ("type_1_diabetes", "new_onset"): PrimaryEndpoint(
        "CPEPTIDE_PRESERVED", 52, "event", "C-peptide AUC at week 52 ≥ 60 % of baseline", 52
    ),
}

#: What the trajectory band shows per disease (the trial runner's activity score).
ACTIVITY_LABEL = {
    "rheumatoid_arthritis": "DAS28-CRP",
    "psoriasis": "PASI",
    "systemic_lupus_erythematosus": "SLEDAI-2K",
    "multiple_sclerosis": "EDSS",
    "ulcerative_colitis": "Mayo score",
    "crohns_disease": "HBI",
    "type_1_diabetes": "C-peptide AUC (nmol/L)",
}


def primary_endpoint(disease: str, population: str) -> PrimaryEndpoint:
    """The primary endpoint of recommendations for ``disease`` in ``population``."""
    found = _TABLE.get((disease, population)) or _TABLE.get((disease, None))
    if found is None:
        raise KeyError(f"no primary endpoint for disease {disease!r}")
    return found
