"""Candidate regimens for one patient: which agents, at which dose, with which background.

* Agents with an approval record for the disease of status ``approved``, ``studied`` or
  ``off_label`` are candidates at their label standard regimen for that disease; ``not_effective``
  and ``investigational`` agents and checkpoint inhibitors are *listed* as not offered, with the
  reason and its source.
* Background therapy is added where guidelines combine: the population's standard background
  (methotrexate in MTX-IR RA, azathioprine in Crohn's disease, mesalamine in UC, hydroxychloroquine
  and prednisone in SLE, mycophenolate and tapering prednisone in lupus nephritis), and in RA
  methotrexate beside every biologic or targeted synthetic (Smolen JS et al. Ann Rheum Dis
  2023;82:3-18, EULAR 2022; Fraenkel L et al. Arthritis Care Res 2021;73:924-39, ACR 2021) —
  but only where the interactions table calls the pair standard or acceptable (or says nothing
  and neither is a biologic), never where it is not recommended or contraindicated, and not where
  the patient did not tolerate the background agent (then monotherapy, stated). Two conventional
  immunosuppressants (antimetabolite, alkylator, csDMARD, calcineurin inhibitor) are combined only
  where the table names the pair (voclosporin + mycophenolate, leflunomide + methotrexate);
  otherwise the candidate replaces the background one (cyclophosphamide *instead of*
  mycophenolate for lupus nephritis induction).
* History: an agent the patient stopped for intolerance or an adverse event is excluded (listed
  with the reason); one that failed (inadequate or lost response) stays a candidate, down-ranked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from immunobalance.errors import InvalidSpecError
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.knowledge.schema import Agent, Population
from immunobalance.patient.model import Medication, Patient
from immunobalance.regimen import RegimenItem, parse_regimen
from immunobalance.safety import governing_interaction
from immunobalance.safety._select import (
    CONVENTIONAL_IMMUNOSUPPRESSANT_CLASSES,
    is_advanced_therapy,
)

__all__ = [
    "INTOLERANCE_OUTCOMES",
    "Candidate",
    "NotOffered",
    "build_candidates",
    "choose_population",
    "line_of_therapy",
]

INTOLERANCE_OUTCOMES = ("intolerance", "adverse_event")
_FAILURE = ("inadequate_response", "loss_of_response")
_OFFERED = ("approved", "studied", "off_label")
_RA_GUIDELINE = (
    "Smolen JS et al. EULAR 2022 RA recommendations. Ann Rheum Dis 2023;82:3-18 "
    "doi:10.1136/ard-2022-223356; Fraenkel L et al. 2021 ACR RA guideline. Arthritis "
    "Care Res 2021;73:924-939 doi:10.1002/acr.24596"
)


@dataclass(frozen=True)
class Candidate:
    """One candidate option: its main agent, the full regimen and notes on how it was built."""

    agent: str
    regimen: tuple[RegimenItem, ...]
    notes: tuple[str, ...] = ()
    excluded: str | None = None  # history exclusion (intolerance / adverse event)

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.agent for item in self.regimen))


@dataclass(frozen=True)
class NotOffered:
    """An agent with a record for the disease that is not offered, and why."""

    agent: str
    status: str
    reason: str
    source: str


@dataclass(frozen=True)
class LineOfTherapy:
    """Where the patient is in the treatment sequence, from their history."""

    population: str
    text: str
    failed: tuple[str, ...] = ()
    intolerant: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)


def _failed(patient: Patient) -> list[Medication]:
    return [m for m in patient.medications if m.outcome in _FAILURE]


def _classes(kb: KnowledgeBase, agents: Sequence[str]) -> set[str]:
    return {kb.agents[a].drug_class for a in agents if a in kb.agents}


def choose_population(patient: Patient, disease: str, kb: KnowledgeBase) -> str:
    """The knowledge-base population the patient's twin is drawn from (by history and record).

    RA: TNF-inhibitor failure → ``tnf_ir``; csDMARD (methotrexate) failure → ``mtx_ir``; other
    csDMARD exposure → ``dmard_ir``; else ``mtx_naive``. SLE: lupus nephritis (ICD-10-CM M32.14,
    M32.15) → ``lupus_nephritis``. UC/Crohn's: TNF failure → ``moderate_severe_tnf_ir``. T1D:
    diagnosed (E10) → ``new_onset``, else ``stage2_at_risk``. Otherwise the disease's only
    population.
    """
    failed = [m.agent for m in _failed(patient)]
    failed_classes = _classes(kb, failed)
    exposed_classes = _classes(kb, patient.prior_agents())
    known = [k for (d, k) in kb.populations if d == disease]
    choice: str | None = None
    if disease == "rheumatoid_arthritis":
        if "tnf_inhibitor" in failed_classes:
            choice = "tnf_ir"
        elif "csdmard" in failed_classes:
            choice = "mtx_ir"
        elif "csdmard" in exposed_classes:
            choice = "dmard_ir"
        else:
            choice = "mtx_naive"
    elif disease == "systemic_lupus_erythematosus":
        nephritis = patient.has_condition("M32.14") or patient.has_condition("M32.15")
        choice = "lupus_nephritis" if nephritis else "active_seropositive"
    elif disease in ("ulcerative_colitis", "crohns_disease"):
        choice = (
            "moderate_severe_tnf_ir" if "tnf_inhibitor" in failed_classes else "moderate_severe"
        )
    elif disease == "type_1_diabetes":
        choice = "new_onset" if patient.has_condition("E10") else "stage2_at_risk"
    if choice in known:
        return choice
    return known[0]


def line_of_therapy(
    patient: Patient, disease: str, population: str, kb: KnowledgeBase
) -> LineOfTherapy:
    """A one-line statement of the treatment step, with its guideline sources."""
    failed = tuple(dict.fromkeys(m.agent for m in _failed(patient)))
    intolerant = tuple(
        dict.fromkeys(m.agent for m in patient.medications if m.outcome in INTOLERANCE_OUTCOMES)
    )
    classes = _classes(kb, failed)
    sources: list[str] = []
    if disease == "rheumatoid_arthritis" and "tnf_inhibitor" in classes:
        text = (
            "TNF-inhibitor inadequate response: switching to another mechanism (IL-6R, "
            "co-stimulation, B-cell depletion or JAK inhibition) is favoured over a second TNF "
            "inhibitor"
        )
        sources = [
            _RA_GUIDELINE,
            "Gottenberg JE et al. JAMA 2016;316:1172-1180 "
            "doi:10.1001/jama.2016.13512 (ROC trial: non-TNF biologic better than a second "
            "TNF inhibitor after TNF-IR)",
        ]
    elif disease == "rheumatoid_arthritis" and "csdmard" in classes:
        text = (
            "methotrexate inadequate response (treat-to-target step): add a biologic or a JAK "
            "inhibitor to methotrexate, or combine csDMARDs when poor-prognosis factors are "
            "absent"
        )
        sources = [_RA_GUIDELINE]
    elif failed:
        text = f"after failure of {', '.join(failed)}: next line within {population}"
    else:
        text = f"first advanced-therapy decision ({population} population)"
    return LineOfTherapy(population, text, failed, intolerant, tuple(sources))


def _combinable(kb: KnowledgeBase, a: Agent, b: Agent) -> bool:
    inter = governing_interaction(kb.interactions, a, b)
    if inter is None:
        return not (a.is_biologic and b.is_biologic)
    return inter.kind in ("standard", "acceptable")


def _background(
    agent: Agent, disease: str, population: Population, kb: KnowledgeBase, intolerant: set[str]
) -> tuple[list[dict[str, object]], list[str]]:
    items = [dict(i) for i in population.background_therapy]
    notes: list[str] = []
    if (
        disease == "rheumatoid_arthritis"
        and is_advanced_therapy(agent)
        and not any(i.get("agent") == "methotrexate" for i in items)
    ):
        mtx, _ = kb.agent("methotrexate").label_regimen(disease)
        items += mtx
    kept: list[dict[str, object]] = []
    for item in items:
        key = str(item.get("agent"))
        if key == agent.key:
            continue
        other = kb.agents.get(key)
        if other is None:
            continue
        if key in intolerant:
            notes.append(f"without {key}: the patient did not tolerate it")
            continue
        inter = governing_interaction(kb.interactions, agent, other)
        both_conventional = {agent.drug_class, other.drug_class} <= (
            CONVENTIONAL_IMMUNOSUPPRESSANT_CLASSES
        )
        if both_conventional and (inter is None or inter.kind not in ("standard", "acceptable")):
            notes.append(
                f"replaces background {key} (one conventional immunosuppressant at a "
                "time unless the interactions table names the pair)"
            )
            continue
        if not _combinable(kb, agent, other):
            why = f"{inter.kind.replace('_', ' ')}: {inter.source}" if inter else "two biologics"
            notes.append(f"without background {key} ({why})")
            continue
        kept.append(item)
    return kept, notes


@lru_cache(maxsize=512)
def _parse(items_json: str) -> tuple[RegimenItem, ...]:
    return tuple(parse_regimen(json.loads(items_json), path="regimen"))


def build_candidates(
    patient: Patient, disease: str, population: str, kb: KnowledgeBase
) -> tuple[list[Candidate], list[NotOffered]]:
    """Candidate regimens and the agents not offered, in knowledge-base order.

    Raises
    ------
    KnowledgeBaseError
        Never for valid bundled data; a label regimen that does not parse is listed as not offered.
    """
    pop = kb.population(disease, population)
    intolerant = {m.agent for m in patient.medications if m.outcome in INTOLERANCE_OUTCOMES}
    candidates: list[Candidate] = []
    not_offered: list[NotOffered] = []
    for agent in kb.agents.values():
        approval = agent.approval_for(disease)
        if approval is None:
            continue
        if not agent.offered_as_treatment:
            not_offered.append(
                NotOffered(
                    agent.key,
                    approval.status,
                    "immune checkpoint inhibitor: induces autoimmunity, never offered",
                    approval.source,
                )
            )
            continue
        if approval.status == "not_effective":
            not_offered.append(
                NotOffered(
                    agent.key,
                    approval.status,
                    f"not effective in {disease.replace('_', ' ')}",
                    approval.source,
                )
            )
            continue
        if approval.status not in _OFFERED:
            not_offered.append(
                NotOffered(
                    agent.key,
                    approval.status,
                    "investigational for this disease: offered only within a clinical trial",
                    approval.source,
                )
            )
            continue
        items, dose_note = agent.label_regimen(disease)
        if not items:
            not_offered.append(
                NotOffered(
                    agent.key,
                    approval.status,
                    "no label regimen in the knowledge base",
                    approval.source,
                )
            )
            continue
        background, notes = _background(agent, disease, pop, kb, intolerant)
        try:
            regimen = _parse(json.dumps(items + background, sort_keys=True))
        except InvalidSpecError as exc:  # pragma: no cover - the KB schema test parses these
            not_offered.append(
                NotOffered(
                    agent.key,
                    approval.status,
                    f"label regimen does not parse: {exc}",
                    approval.source,
                )
            )
            continue
        excluded = None
        if agent.key in intolerant:
            med = next(
                m
                for m in patient.medications
                if m.agent == agent.key and m.outcome in INTOLERANCE_OUTCOMES
            )
            when = f", stopped {med.stop}" if med.stop else ""
            excluded = (
                f"history: {agent.key} stopped for {str(med.outcome).replace('_', ' ')}"
                f"{when}; not offered again"
            )
        candidates.append(
            Candidate(agent.key, regimen, tuple(n for n in (dose_note, *notes) if n), excluded)
        )
    return candidates, not_offered
