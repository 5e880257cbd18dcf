"""CDS Hooks (1.0 / 2.0) ``patient-view``: the discovery document, request validation, and the
cards built from the prefetched FHIR data.

Pure functions: :func:`validate_request` checks a request and gathers every problem;
:func:`patient_from_prefetch` turns the prefetched ``Patient`` and the ``Condition``,
``Observation`` and ``MedicationRequest`` search bundles into one Bundle for the FHIR reader;
:func:`build_cards` renders the monitor's review (activity and treat-to-target action), the
recommendation's top options and the safety alerts of the current therapy as cards.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.monitor import VisitReview
from immunobalance.patient import read_patient
from immunobalance.patient.model import Patient

__all__ = [
    "PREFETCH",
    "SERVICE_ID",
    "Card",
    "CardSource",
    "CdsResponse",
    "CdsService",
    "Discovery",
    "build_cards",
    "discovery",
    "patient_from_prefetch",
    "validate_request",
]

SERVICE_ID = "immunobalance-patient-view"
HOOK = "patient-view"
SUMMARY_MAX = 140
SOURCE_LABEL = "immunobalance (in-silico decision support)"

#: Prefetch templates: the patient, and searches for its conditions, observations, medications.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
}


class CdsService(BaseModel):
    hook: str
    title: str
    description: str
    id: str
    prefetch: dict[str, str]
    usageRequirements: str | None = None  # noqa: N815 (CDS Hooks field name)


class Discovery(BaseModel):
    services: list[CdsService]


class CardSource(BaseModel):
    label: str
    url: str | None = None
    topic: dict[str, str] | None = None


class Card(BaseModel):
    """A CDS Hooks card (summary ≤ 140 characters, markdown detail)."""

    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: CardSource


class CdsResponse(BaseModel):
    cards: list[Card]


def discovery() -> Discovery:
    """The service list of ``GET /cds-services``."""
    return Discovery(
        services=[
            CdsService(
                hook=HOOK,
                id=SERVICE_ID,
                title=(
                    "immunobalance: disease activity, treat-to-target and safety-screened options"
                ),
                description=(
                    "On opening the chart of a patient with an autoimmune disease (RA, psoriasis, "
                    "SLE, UC, Crohn's, MS, T1D): disease activity and the treat-to-target action, "
                    "the digital twin's top safety-screened options, and safety alerts about the "
                    "current therapy, from the prefetched FHIR resources."
                ),
                prefetch=dict(PREFETCH),
                usageRequirements=(
                    "Send Authorization: Bearer <immunobalance API token> (role read or higher) "
                    "and the prefetch; the service does not query the FHIR server."
                ),
            )
        ]
    )


def _resource_list(value: Any, key: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """The resources of a prefetched search Bundle (or a single resource)."""
    path = f"prefetch.{key}"
    if value is None:
        return []
    if not isinstance(value, dict):
        problems.append(Problem(path, f"expected a FHIR resource or Bundle, got {value!r:.40}"))
        return []
    if value.get("resourceType") != "Bundle":
        return [value]
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        problems.append(Problem(f"{path}.entry", "expected a list of entries"))
        return []
    out = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            problems.append(Problem(f"{path}.entry[{i}].resource", "missing resource"))
            continue
        out.append(resource)
    return out


def validate_request(body: Any, service_id: str) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """Check a CDS Hooks request; returns the patient id and the prefetched resources by key.

    Raises
    ------
    InvalidInputError
        Listing every problem: wrong hook, missing ``hookInstance``/``context.patientId``,
        missing or malformed prefetch, a prefetched Patient whose id is not the context's.
    """
    problems: list[Problem] = []
    if service_id != SERVICE_ID:
        problems.append(Problem("id", f"unknown service {service_id!r} (expected {SERVICE_ID!r})"))
    if not isinstance(body, dict):
        raise InvalidInputError([Problem("", "expected a JSON object")], what="CDS Hooks request")
    if body.get("hook") != HOOK:
        problems.append(Problem("hook", f"expected {HOOK!r}, got {body.get('hook')!r}"))
    instance = body.get("hookInstance")
    if not isinstance(instance, str) or not instance:
        problems.append(Problem("hookInstance", "required: a UUID for this hook call"))
    context = body.get("context")
    patient_id = context.get("patientId") if isinstance(context, dict) else None
    if not isinstance(patient_id, str) or not patient_id:
        problems.append(Problem("context.patientId", "required: the FHIR id of the patient"))
    prefetch = body.get("prefetch")
    resources: dict[str, list[dict[str, Any]]] = {}
    if not isinstance(prefetch, dict) or not isinstance(prefetch.get("patient"), dict):
        problems.append(
            Problem(
                "prefetch.patient",
                "required: this service reads only prefetched data (template "
                f"{PREFETCH['patient']!r}); it does not query the FHIR server",
            )
        )
    else:
        for key in PREFETCH:
            resources[key] = _resource_list(prefetch.get(key), key, problems)
        unknown = sorted(set(prefetch) - set(PREFETCH))
        problems += [
            Problem(f"prefetch.{k}", "not a prefetch key of this service") for k in unknown
        ]
        patients = resources.get("patient", [])
        if patients and patients[0].get("resourceType") != "Patient":
            problems.append(Problem("prefetch.patient.resourceType", "expected 'Patient'"))
        elif patients and isinstance(patient_id, str) and patients[0].get("id") != patient_id:
            problems.append(
                Problem(
                    "prefetch.patient.id",
                    f"{patients[0].get('id')!r} is not context.patientId {patient_id!r}",
                )
            )
    if problems:
        raise InvalidInputError(problems, what="CDS Hooks request")
    assert isinstance(patient_id, str)
    return patient_id, resources


def patient_from_prefetch(patient_id: str, resources: dict[str, list[dict[str, Any]]]) -> Patient:
    """Read the prefetched resources with the FHIR reader (one collection Bundle)."""
    entries = [{"resource": r} for key in PREFETCH for r in resources.get(key, [])]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return read_patient(bundle, patient_id=patient_id)


def _clip(text: str) -> str:
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def _source(topic: str) -> CardSource:
    return CardSource(label=SOURCE_LABEL, topic={"system": "urn:immunobalance:card", "code": topic})


def _activity_card(review: VisitReview) -> Card:
    assessment, action = review.assessment, review.action
    disease = (review.disease or "no index disease").replace("_", " ")
    shown = ", ".join(
        f"{k} {r.value:g} ({r.category})" for k, r in list(assessment.indices.items())[:2]
    )
    summary = (
        f"{disease}: {shown or 'no index at the latest visit'} — {action.kind.replace('_', ' ')}"
    )
    lines = [f"**Disease activity on {assessment.date.isoformat()}** ({disease})", ""]
    if assessment.indices:
        lines += ["| index | value | category |", "|---|---|---|"]
        lines += [
            f"| {k} | {r.value:g} | {r.category or '—'} |" for k, r in assessment.indices.items()
        ]
    if assessment.vs_baseline:
        shown_resp = ", ".join(f"{k}: {v}" for k, v in assessment.vs_baseline.items())
        lines += ["", f"Response vs baseline: {shown_resp}"]
    if assessment.vs_previous:
        shown_prev = ", ".join(f"{k}: {v}" for k, v in assessment.vs_previous.items())
        lines += [f"Response vs the previous visit: {shown_prev}"]
    lines += ["", f"**Treat-to-target: {action.summary}**", f"Target: {action.target}", ""]
    lines += [f"- {r}" for r in action.reasons]
    if action.sources:
        lines += ["", "Sources: " + "; ".join(action.sources)]
    indicator: Literal["info", "warning"] = (
        "warning" if action.kind in ("add", "switch_class", "optimise_dose") else "info"
    )
    return Card(
        summary=_clip(summary),
        detail="\n".join(lines),
        indicator=indicator,
        source=_source("activity"),
    )


def _options_card(recommendation: dict[str, Any]) -> Card | None:
    ranked = [o for o in recommendation.get("options", []) if o.get("rank") is not None][:3]
    if not ranked:
        return None

    def name(option: dict[str, Any]) -> str:
        return " + ".join(dict.fromkeys(str(i["agent"]) for i in option.get("regimen", [])))

    def chance(option: dict[str, Any]) -> str:
        p = option.get("predicted") or {}
        if "probability" not in p:
            return ""
        ci = p.get("ci95") or [None, None]
        interval = f", 95 % CI {100 * ci[0]:.0f}–{100 * ci[1]:.0f} %" if None not in ci else ""
        return f"{p.get('endpoint')}: {100 * p['probability']:.0f} %{interval}"

    summary = "Top options (digital twin): " + "; ".join(name(o) for o in ranked)
    lines = ["**Safety-screened options ranked for this patient's digital twin**", ""]
    for o in ranked:
        lines.append(f"{o['rank']}. **{name(o)}** ({o.get('status')}) — {chance(o)}")
        lines += [f"    - {r}" for r in o.get("reasons", [])[:3]]
        lines += [f"    - warning: {w}" for w in o.get("warnings", [])[:3]]
    excluded = [
        o for o in recommendation.get("options", []) if o.get("status") == "contraindicated"
    ]
    if excluded:
        lines += [
            "",
            "Contraindicated: "
            + "; ".join(f"{name(o)} ({(o.get('reasons') or ['-'])[0]})" for o in excluded[:6]),
        ]
    lines += ["", "Predictions are in-silico estimates, not orders."]
    return Card(
        summary=_clip(summary),
        detail="\n".join(lines),
        indicator="info",
        source=_source("options"),
    )


def build_cards(review: VisitReview, recommendation: dict[str, Any] | None) -> list[Card]:
    """Cards: safety alerts of the current therapy first (critical, then warning), the activity
    and treat-to-target card, then the top options."""
    cards = [
        Card(
            summary=_clip(f"{', '.join(a.agents)}: {a.title}"),
            detail="\n".join(
                [f"**{a.message}**", "", f"Patient fact: {a.fact}"]
                + ([f"Monitoring: {a.monitoring}"] if a.monitoring else [])
                + ["", f"Source: {a.source}"]
            ),
            indicator=a.severity,
            source=_source("safety"),
        )
        for a in review.safety_alerts
    ]
    cards.append(_activity_card(review))
    if recommendation is not None:
        options = _options_card(recommendation)
        if options is not None:
            cards.append(options)
    return cards
