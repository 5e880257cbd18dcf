"""Read a FHIR R4 Bundle (collection, transaction, searchset) into a :class:`Patient`.

Resources are validated with the R4 models of ``fhir.resources`` (its ``R4B`` package: the
default package is R5) — only the resource types the patient record uses: Patient, Condition,
Observation, MedicationStatement, MedicationRequest, AllergyIntolerance (and Medication, when a
medication is referenced). Everything else a real EHR export carries (Encounter, Claim,
DiagnosticReport, …) is skipped and counted in a warning, as are codes the knowledge base does
not map (``contracts/patient-record.md``, FHIR bundles). A mapped resource with an invalid value
is an error with its path in the bundle, e.g. ``entry[12].resource.valueQuantity.unit``.

Mapping
-------
=========================  ====================================================================
FHIR                       Patient record
=========================  ====================================================================
Patient                    id, sex (gender), birth_date (birthDate)
Condition                  ICD-10-CM coding; else SNOMED CT mapped by snomed_icd10.yaml
Observation                LOINC (or ``urn:immunobalance:observation`` key) → observation key;
                           valueQuantity (UCUM) / valueCodeableConcept / valueString /
                           valueBoolean / valueInteger; components read as observations;
                           body weight 29463-7 and height 8302-2 → weight_kg, height_cm
MedicationStatement/-Req.  RxNorm (knowledge/data/rxnorm.yaml) or drug name → agent;
                           dosage → dose, every, route; effective/authoredOn → start/stop
AllergyIntolerance         substance text; agent when the substance names one
=========================  ====================================================================
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.knowledge.codes import is_icd10cm, is_loinc
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.knowledge.schema import Biomarker
from immunobalance.patient import fhir_systems as fs
from immunobalance.patient._terminology import snomed_icd10_map
from immunobalance.patient.model import Allergy, Condition, Medication, Observation, Patient
from immunobalance.patient.normalise import ObservationValueError, normalise_value
from immunobalance.patient.read_json import (
    RecordContext,
    canonical_dose,
    canonical_interval,
)
from immunobalance.units import UnitError, convert

__all__ = ["BUNDLE_TYPES", "HANDLED_RESOURCE_TYPES", "parse_fhir_bundle"]

HANDLED_RESOURCE_TYPES = frozenset(
    {
        "Patient",
        "Condition",
        "Observation",
        "MedicationStatement",
        "MedicationRequest",
        "AllergyIntolerance",
        "Medication",
    }
)
BUNDLE_TYPES = frozenset({"collection", "transaction", "searchset", "batch", "document"})
_SKIP_STATUS = {"entered-in-error", "cancelled", "not-taken", "refuted"}
_PERIOD_UNITS = {
    "s": "second",
    "min": "minute",
    "h": "hour",
    "d": "day",
    "wk": "week",
    "mo": "month",
    "a": "year",
}
_ROUTE_TEXT = {
    "oral": "oral",
    "po": "oral",
    "by mouth": "oral",
    "subcutaneous": "sc",
    "sc": "sc",
    "intravenous": "iv",
    "iv": "iv",
    "intramuscular": "im",
    "im": "im",
}


@dataclass
class _Tally:
    """What was skipped, for the patient's warnings."""

    resource_types: Counter[str] = field(default_factory=Counter)
    observation_codes: Counter[str] = field(default_factory=Counter)
    not_loinc: Counter[str] = field(default_factory=Counter)
    condition_codes: Counter[str] = field(default_factory=Counter)
    medications: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    no_value: Counter[str] = field(default_factory=Counter)
    other_patients: int = 0

    def warnings(self) -> list[str]:
        out: list[str] = []

        def listing(counter: Counter[str]) -> str:
            return ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in counter.most_common())

        if self.resource_types:
            n = sum(self.resource_types.values())
            parts = ", ".join(
                f"{k}: {v}"
                for k, v in sorted(self.resource_types.items(), key=lambda kv: (-kv[1], kv[0]))
            )
            out.append(f"skipped {n} resources of types immunobalance does not use ({parts})")
        if self.observation_codes:
            n = sum(self.observation_codes.values())
            out.append(
                f"skipped {n} observations with codes the knowledge base does not map: "
                f"{listing(self.observation_codes)}"
            )
        if self.not_loinc:
            out.append(
                "skipped codes that claim to be LOINC but are not (bad format or check digit): "
                + listing(self.not_loinc)
            )
        if self.condition_codes:
            n = sum(self.condition_codes.values())
            out.append(
                f"skipped {n} conditions whose codes are not ICD-10-CM or mapped SNOMED CT: "
                f"{listing(self.condition_codes)}"
            )
        if self.medications:
            n = sum(self.medications.values())
            out.append(
                f"skipped {n} medication resources not mapped to a knowledge-base agent: "
                f"{listing(self.medications)}"
            )
        if self.statuses:
            out.append(f"skipped resources by status: {listing(self.statuses)}")
        if self.no_value:
            out.append(f"skipped observations without a value: {listing(self.no_value)}")
        if self.other_patients:
            out.append(f"skipped {self.other_patients} resources of other patients in the bundle")
        return out


def _fmt_loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class _BundleReader:
    def __init__(self, bundle: Mapping[str, Any], patient_id: str | None, ctx: RecordContext):
        self.bundle = bundle
        self.patient_id = patient_id
        self.ctx = ctx
        self.tally = _Tally()
        self.models: dict[int, Any] = {}
        self.types: dict[int, str] = {}
        self.full_urls: dict[str, int] = {}
        self.conditions: list[Condition] = []
        self.observations: list[Observation] = []
        self.medications: list[Medication] = []
        self.allergies: list[Allergy] = []
        self.genetics: dict[str, str | list[str]] = {}
        self.weights: list[tuple[date | None, float]] = []
        self.heights: list[tuple[date | None, float]] = []

    # ----------------------------------------------------------------- bundle shell
    def entries(self) -> list[tuple[int, Mapping[str, Any]]]:
        b, ctx = self.bundle, self.ctx
        if b.get("resourceType") != "Bundle":
            ctx.problem("resourceType", f"expected 'Bundle', got {b.get('resourceType')!r}")
            return []
        btype = b.get("type")
        if not isinstance(btype, str) or btype not in BUNDLE_TYPES:
            ctx.problem(
                "type",
                f"{btype!r} is not a bundle type read here "
                f"(expected one of {', '.join(sorted(BUNDLE_TYPES))})",
            )
        raw = b.get("entry", [])
        if not isinstance(raw, list):
            ctx.problem("entry", f"expected a list of entries, got {type(raw).__name__}")
            return []
        out: list[tuple[int, Mapping[str, Any]]] = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                ctx.problem(f"entry[{i}]", f"expected an object, got {type(entry).__name__}")
                continue
            resource = entry.get("resource")
            if resource is None:  # transaction DELETE or a search outcome: nothing to read
                continue
            if not isinstance(resource, Mapping) or not isinstance(
                resource.get("resourceType"), str
            ):
                ctx.problem(f"entry[{i}].resource", "expected a resource with a resourceType")
                continue
            if isinstance(entry.get("fullUrl"), str):
                self.full_urls[entry["fullUrl"]] = i
            out.append((i, resource))
        return out

    def validate(self, entries: list[tuple[int, Mapping[str, Any]]]) -> None:
        for i, resource in entries:
            rtype = str(resource["resourceType"])
            if rtype not in HANDLED_RESOURCE_TYPES:
                self.tally.resource_types[rtype] += 1
                continue
            try:
                model = get_fhir_model_class(rtype).model_validate(dict(resource))
            except ValidationError as exc:
                for err in exc.errors():
                    self.ctx.problem(
                        f"entry[{i}].resource{_fmt_loc(err['loc'])}",
                        f"{err['msg']} (FHIR R4 {rtype})",
                    )
                continue
            except Exception as exc:  # fhir.resources raises plain errors on some shapes
                self.ctx.problem(f"entry[{i}].resource", f"not a valid FHIR R4 {rtype}: {exc}")
                continue
            self.models[i] = model
            self.types[i] = rtype
            resource_id = getattr(model, "id", None)
            if resource_id:
                self.full_urls.setdefault(f"{rtype}/{resource_id}", i)

    # ----------------------------------------------------------------- patient
    def choose_patient(self) -> tuple[Any | None, str | None, set[str]]:
        patients = [(i, m) for i, m in self.models.items() if self.types[i] == "Patient"]
        refs_of = {
            i: {f"Patient/{m.id}", f"urn:uuid:{m.id}"}
            | {url for url, j in self.full_urls.items() if j == i}
            for i, m in patients
        }
        names = {i: self._patient_names(m) for i, m in patients}
        wanted = self.patient_id
        if len(patients) > 1 and wanted is None:
            ids = ", ".join(repr(m.id) for _, m in patients)
            self.ctx.problem(
                "entry",
                f"bundle holds {len(patients)} Patient resources ({ids}); "
                "choose one with patient_id (CLI: --patient-id)",
            )
            return None, None, set()
        if not patients:
            if wanted is None:
                self.ctx.problem(
                    "entry",
                    "bundle holds no Patient resource; name the patient "
                    "with patient_id (CLI: --patient-id)",
                )
                return None, None, set()
            return None, wanted, {f"Patient/{wanted}", f"urn:uuid:{wanted}"}
        if wanted is None:
            i, model = patients[0]
            return model, str(model.id or ""), refs_of[i]
        for i, model in patients:
            if wanted in names[i]:
                return model, wanted, refs_of[i]
        ids = ", ".join(repr(m.id) for _, m in patients)
        self.ctx.problem("entry", f"no Patient {wanted!r} in the bundle (it holds {ids})")
        return None, None, set()

    @staticmethod
    def _patient_names(model: Any) -> set[str]:
        names = {str(model.id)} if model.id else set()
        for ident in model.identifier or []:
            if ident.value:
                names.add(str(ident.value))
        return names

    def belongs(self, reference: Any, refs: set[str], single: bool) -> bool:
        if single:
            return True
        ref = getattr(reference, "reference", None) if reference is not None else None
        if not ref:
            return False
        return ref in refs or any(ref.endswith("/" + r) for r in refs if r.startswith("Patient/"))

    # ----------------------------------------------------------------- resources
    def read(self, refs: set[str], single: bool) -> None:
        for i, model in self.models.items():
            rtype = self.types[i]
            if rtype in {"Patient", "Medication"}:
                continue
            subject = model.patient if rtype == "AllergyIntolerance" else model.subject
            if not self.belongs(subject, refs, single):
                self.tally.other_patients += 1
                continue
            status = getattr(model, "status", None)
            if isinstance(status, str) and status in _SKIP_STATUS:
                self.tally.statuses[f"{rtype} {status}"] += 1
                continue
            path = f"entry[{i}].resource"
            try:
                if rtype == "Condition":
                    self.condition(model, path)
                elif rtype == "Observation":
                    self.observation(model, path)
                elif rtype in {"MedicationStatement", "MedicationRequest"}:
                    self.medication(model, rtype, path)
                elif rtype == "AllergyIntolerance":
                    self.allergy(model, path)
            except (AttributeError, TypeError, ValueError, ArithmeticError) as exc:
                # a shape R4 allows but the record cannot use (e.g. a missing code): say so
                self.ctx.problem(path, f"cannot read this {rtype}: {exc}")

    def condition(self, model: Any, path: str) -> None:
        verification = _first_code(model.verificationStatus)
        if verification in {"entered-in-error", "refuted"}:
            self.tally.statuses[f"Condition {verification}"] += 1
            return
        codings = list((model.code.coding or []) if model.code else [])
        display = (model.code.text if model.code else None) or next(
            (c.display for c in codings if c.display), None
        )
        clinical = _first_code(model.clinicalStatus)
        onset = _as_date(model.onsetDateTime) or _as_date(
            model.onsetPeriod.start if model.onsetPeriod else None
        )
        abatement = _as_date(model.abatementDateTime) or _as_date(
            model.abatementPeriod.end if model.abatementPeriod else None
        )
        extra = {
            "onset": onset,
            "abatement": abatement,
            "display": display,
            "clinical_status": clinical
            if clinical in {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
            else None,
        }
        for k, coding in enumerate(codings):
            if coding.system in {fs.ICD10CM, fs.ICD10} and coding.code:
                code = coding.code.strip().upper()
                if not is_icd10cm(code):
                    self.ctx.problem(
                        f"{path}.code.coding[{k}].code", f"{coding.code!r} is not an ICD-10-CM code"
                    )
                    return
                self.conditions.append(Condition(code=code, system="icd10", **extra))
                return
        for coding in codings:
            if coding.system == fs.SNOMED and coding.code:
                target = snomed_icd10_map().get(coding.code)
                if target is not None:
                    self.conditions.append(
                        Condition(
                            code=coding.code,
                            system="snomed",
                            icd10_equivalent=target.icd10,
                            **extra,
                        )
                    )
                    return
        label = (
            " / ".join(f"{_system_name(c.system)} {c.code}" for c in codings if c.code)
            or "(no code)"
        )
        self.tally.condition_codes[f"{label} {display}" if display else label] += 1

    def observation(self, model: Any, path: str) -> None:
        when = (
            _as_date(model.effectiveDateTime)
            or _as_date(model.effectivePeriod.start if model.effectivePeriod else None)
            or _as_date(model.effectiveInstant)
            or _as_date(model.issued)
        )
        codings = list((model.code.coding or []) if model.code else [])
        if any(c.system == fs.GENETICS for c in codings):
            self.genetic(model, codings)
            return
        loinc = {c.code for c in codings if c.system == fs.LOINC and c.code}
        if fs.LOINC_WEIGHT in loinc or fs.LOINC_HEIGHT in loinc:
            self.body_size(model, fs.LOINC_WEIGHT in loinc, when, path)
            return
        self.one_observation(model, model.code, when, path, is_component=False)
        for j, component in enumerate(model.component or []):
            self.one_observation(
                component, component.code, when, f"{path}.component[{j}]", is_component=True
            )

    def one_observation(
        self, obj: Any, code: Any, when: date | None, path: str, *, is_component: bool
    ) -> bool:
        biomarker, original_code, label = self.biomarker_for(code)
        if biomarker is None:
            has_value = _has_value(obj)
            if label and (has_value or not (is_component or getattr(obj, "component", None))):
                self.tally.observation_codes[label] += 1
            return False
        extracted = _extract_value(obj, biomarker)
        if extracted is None:
            self.tally.no_value[biomarker.key] += 1
            return False
        value, unit, value_path, unit_path, note = extracted
        if when is None:
            date_path = path if is_component else f"{path}.effectiveDateTime"
            self.ctx.problem(
                date_path, f"observation of {biomarker.key} has no date (effective[x] or issued)"
            )
            return False
        if note:
            self.ctx.warnings.append(f"{path}: {biomarker.key} {note}")
        try:
            norm = normalise_value(biomarker, value, unit)
        except ObservationValueError as exc:
            where = unit_path if exc.field == "unit" else value_path
            self.ctx.problem(f"{path}.{where}", exc.message)
            return False
        self.observations.append(
            Observation(
                code=biomarker.key,
                value=norm.value,
                unit=norm.unit,
                date=when,
                original_code=original_code,
                original_value=norm.original_value,
                original_unit=norm.original_unit,
            )
        )
        return True

    def biomarker_for(self, code: Any) -> tuple[Biomarker | None, str | None, str]:
        """(biomarker, original LOINC code or None, label for the skip tally)."""
        codings = list((code.coding or []) if code is not None else [])
        kb = self.ctx.kb
        for c in codings:
            if c.system == fs.OBSERVATION_KEY and c.code in kb.biomarkers:
                return kb.biomarkers[c.code], None, ""
        labels = []
        for c in codings:
            if c.system == fs.LOINC and c.code:
                if not is_loinc(c.code):
                    self.tally.not_loinc[repr(c.code)] += 1
                    return None, None, ""
                bm = kb.biomarker_for_code(c.code)
                if bm is not None:
                    return bm, c.code, ""
            if c.code:
                labels.append(
                    f"{_system_name(c.system)} {c.code}" + (f" {c.display}" if c.display else "")
                )
        if not labels:
            labels.append(f"(text) {code.text}" if code is not None and code.text else "(no code)")
        return None, None, labels[0]

    def body_size(self, model: Any, is_weight: bool, when: date | None, path: str) -> None:
        quantity = model.valueQuantity
        if quantity is None or quantity.value is None:
            self.tally.no_value["body weight" if is_weight else "body height"] += 1
            return
        unit = (quantity.code if quantity.system == fs.UCUM and quantity.code else None) or (
            quantity.unit or quantity.code or ("kg" if is_weight else "cm")
        )
        target = "kg" if is_weight else "cm"
        try:
            value = convert(
                float(quantity.value),
                unit.replace("[lb_av]", "lb").replace("[in_i]", "inch"),
                target,
            )
        except UnitError:
            self.ctx.problem(
                f"{path}.valueQuantity.unit",
                f"{unit!r} is not a unit of body {'weight' if is_weight else 'height'} "
                f"(expected {'mass, e.g. kg' if is_weight else 'length, e.g. cm'})",
            )
            return
        low, high = (0.2, 500.0) if is_weight else (20.0, 272.0)
        if not low <= value <= high:
            self.ctx.problem(
                f"{path}.valueQuantity.value",
                f"body {'weight' if is_weight else 'height'} {value:g} {target} is outside "
                f"the physical range {low:g}-{high:g} {target}",
            )
            return
        (self.weights if is_weight else self.heights).append((when, value))

    def genetic(self, model: Any, codings: list[Any]) -> None:
        key = next(c.code for c in codings if c.system == fs.GENETICS)
        if model.valueString is not None:
            self.genetics[key] = model.valueString
        else:
            self.genetics[key] = [c.valueString for c in model.component or [] if c.valueString]

    def medication(self, model: Any, rtype: str, path: str) -> None:
        concept = model.medicationCodeableConcept
        if concept is None and model.medicationReference is not None:
            ref = model.medicationReference.reference or ""
            j = self.full_urls.get(ref)
            if j is not None and self.types.get(j) == "Medication":
                concept = self.models[j].code
        agent, label = self.agent_for(concept)
        if agent is None:
            self.tally.medications[label] += 1
            return
        dosages = (
            model.dosage if rtype == "MedicationStatement" else model.dosageInstruction
        ) or []
        dose = every = route = None
        if dosages:
            dose, every, route = self.dosage(
                dosages[0],
                f"{path}.{'dosage' if rtype == 'MedicationStatement' else 'dosageInstruction'}[0]",
            )
        if rtype == "MedicationStatement":
            start = _as_date(model.effectiveDateTime) or _as_date(
                model.effectivePeriod.start if model.effectivePeriod else None
            )
            stop = _as_date(model.effectivePeriod.end if model.effectivePeriod else None)
            reasons = model.statusReason or []
        else:
            validity = model.dispenseRequest.validityPeriod if model.dispenseRequest else None
            start = _as_date(validity.start if validity else None) or _as_date(model.authoredOn)
            stop = _as_date(validity.end if validity else None)
            reasons = [model.statusReason] if model.statusReason else []
        outcome = None
        for reason in reasons:
            for c in reason.coding or []:
                if c.system == fs.MEDICATION_OUTCOME:
                    outcome = c.code
        if start and stop and stop < start:
            self.ctx.problem(f"{path}.effectivePeriod.end", f"stop {stop} is before start {start}")
            return
        try:
            self.medications.append(
                Medication(
                    agent=agent,
                    dose=dose,
                    every=every,
                    route=route,
                    start=start,
                    stop=stop,
                    outcome=outcome,
                )
            )
        except ValidationError as exc:
            self.ctx.problem(path, f"medication outcome: {exc.errors()[0]['msg']}")

    def agent_for(self, concept: Any) -> tuple[str | None, str]:
        if concept is None:
            return None, "(no medication code)"
        matcher = self.ctx.agents
        codings = list(concept.coding or [])
        for c in codings:
            if c.system == fs.AGENT and c.code:
                return c.code, ""
        for c in codings:
            if c.system == fs.RXNORM and c.code and (agent := matcher.by_rxnorm(c.code)):
                return agent, ""
        names = [concept.text, *(c.display for c in codings)]
        for name in names:
            if name and (agent := matcher.by_name(name)):
                return agent, ""
        label = concept.text or next((c.display for c in codings if c.display), None)
        if label is None:
            label = next((f"{_system_name(c.system)} {c.code}" for c in codings), "(no code)")
        return None, label

    def dosage(self, dosage: Any, path: str) -> tuple[str | None, str | None, str | None]:
        dose = every = route = None
        for rate in dosage.doseAndRate or []:
            q = rate.doseQuantity
            if q is not None and q.value is not None:
                unit = q.unit or q.code
                try:
                    dose = canonical_dose(f"{float(q.value):g} {unit}")
                except UnitError as exc:
                    self.ctx.problem(f"{path}.doseAndRate[0].doseQuantity", str(exc))
                break
        repeat = dosage.timing.repeat if dosage.timing else None
        if repeat is not None and repeat.period is not None and repeat.periodUnit:
            n = float(repeat.period) / float(repeat.frequency or 1)
            unit_name = _PERIOD_UNITS.get(repeat.periodUnit, repeat.periodUnit)
            try:
                every = canonical_interval(f"{n:g} {unit_name}")
            except UnitError as exc:
                self.ctx.problem(f"{path}.timing.repeat", str(exc))
        if dosage.route is not None:
            for c in dosage.route.coding or []:
                if c.system == fs.SNOMED and c.code in fs.ROUTE_SNOMED:
                    route = fs.ROUTE_SNOMED[c.code]
            if route is None:
                text = (dosage.route.text or "").strip().lower()
                route = _ROUTE_TEXT.get(text)
        return dose, every, route

    def allergy(self, model: Any, path: str) -> None:
        verification = _first_code(model.verificationStatus)
        if verification in {"entered-in-error", "refuted"}:
            self.tally.statuses[f"AllergyIntolerance {verification}"] += 1
            return
        agent, label = self.agent_for(model.code)
        substance = (
            (model.code.text if model.code else None)
            or next((c.display for c in (model.code.coding or []) if c.display), None)
            if model.code
            else None
        )
        substance = substance or agent or label
        self.allergies.append(
            Allergy(substance=substance, agent=agent, criticality=model.criticality)
        )


# ----------------------------------------------------------------------------- helpers
def _first_code(concept: Any) -> str | None:
    if concept is None:
        return None
    return next((c.code for c in concept.coding or [] if c.code), None)


def _system_name(system: str | None) -> str:
    return {
        fs.LOINC: "LOINC",
        fs.SNOMED: "SNOMED",
        fs.ICD10CM: "ICD-10-CM",
        fs.RXNORM: "RxNorm",
    }.get(system or "", system or "(no system)")


def _as_date(value: Any) -> date | None:
    """Calendar date of a FHIR date/dateTime/instant (partial dates: first day)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    parts = text.split("T")[0].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        return None


def _has_value(obj: Any) -> bool:
    return any(
        getattr(obj, name, None) is not None
        for name in (
            "valueQuantity",
            "valueCodeableConcept",
            "valueString",
            "valueBoolean",
            "valueInteger",
        )
    )


def _extract_value(
    obj: Any, biomarker: Biomarker
) -> tuple[object, str | None, str, str, str | None] | None:
    """(value, unit, value path, unit path, note) of a FHIR value[x], or None when absent."""
    q = obj.valueQuantity
    if q is not None and q.value is not None:
        unit = q.code if q.system == fs.UCUM and q.code else (q.unit or q.code)
        unit_path = "valueQuantity.unit" if q.unit else "valueQuantity.code"
        number: float = float(q.value) if isinstance(q.value, Decimal | int | float) else q.value
        note = None
        if q.comparator:
            bound = f"{q.value:g}"
            note = (
                f"reported as '{q.comparator}{bound}'; read as {bound} (a bound, not a measurement)"
            )
        return number, unit, "valueQuantity.value", unit_path, note
    if obj.valueCodeableConcept is not None:
        concept = obj.valueCodeableConcept
        for c in concept.coding or []:
            if biomarker.key == "SMOKING" and c.system == fs.SNOMED and c.code in fs.SNOMED_SMOKER:
                return (
                    fs.SNOMED_SMOKER[c.code],
                    None,
                    "valueCodeableConcept",
                    "valueCodeableConcept",
                    None,
                )
            if c.code in fs.SNOMED_POSITIVE:
                return "positive", None, "valueCodeableConcept", "valueCodeableConcept", None
            if c.code in fs.SNOMED_NEGATIVE:
                return "negative", None, "valueCodeableConcept", "valueCodeableConcept", None
        text = concept.text or next((c.display or c.code for c in concept.coding or []), None)
        if text is None:
            return None
        return text, None, "valueCodeableConcept.text", "valueCodeableConcept", None
    if obj.valueString is not None:
        return obj.valueString, None, "valueString", "valueString", None
    if obj.valueBoolean is not None:
        return bool(obj.valueBoolean), None, "valueBoolean", "valueBoolean", None
    if getattr(obj, "valueInteger", None) is not None:
        return int(obj.valueInteger), None, "valueInteger", "valueInteger", None
    return None


def _latest(values: list[tuple[date | None, float]]) -> float | None:
    if not values:
        return None
    return max(values, key=lambda dv: (dv[0] is not None, dv[0] or date.min))[1]


def parse_fhir_bundle(
    bundle: dict[str, Any], *, patient_id: str | None = None, kb: KnowledgeBase | None = None
) -> Patient:
    """Read a FHIR R4 Bundle into a validated :class:`Patient`.

    Parameters
    ----------
    bundle
        The parsed JSON of a Bundle (``collection``, ``transaction``, ``searchset``, ``batch`` or
        ``document``).
    patient_id
        Which Patient to read when the bundle holds several (matched against ``Patient.id`` and
        identifier values); required then.
    kb
        Knowledge base to map codes against (default: the bundled one).

    Raises
    ------
    InvalidRecordError
        Every problem with its path in the bundle (``entry[12].resource.valueQuantity.unit``).
    """
    ctx = RecordContext(kb)
    if not isinstance(bundle, Mapping):
        raise InvalidRecordError(
            [Problem("", f"expected a FHIR Bundle object, got {type(bundle).__name__}")]
        )
    reader = _BundleReader(bundle, patient_id, ctx)
    entries = reader.entries()
    reader.validate(entries)
    model, pid, refs = reader.choose_patient()
    if pid is None:  # no patient to read: report what we have
        ctx.raise_if_problems()
    single = sum(1 for t in reader.types.values() if t == "Patient") <= 1
    reader.read(refs, single)
    sex, birth_date, age = "unknown", None, None
    if model is not None:
        sex = model.gender if model.gender in {"female", "male", "other", "unknown"} else "unknown"
        birth_date = _as_date(model.birthDate)
        if isinstance(model.birthDate, str) and len(model.birthDate) < 10:
            ctx.warnings.append(f"birthDate {model.birthDate!r} is partial; read as {birth_date}")
        for ext in model.extension or []:
            if ext.url == fs.AGE_YEARS_EXTENSION and ext.valueDecimal is not None:
                age = float(ext.valueDecimal)
    if not pid:
        ctx.problem("entry", "the Patient resource has no id; pass patient_id")
    ctx.raise_if_problems()
    return Patient(
        id=str(pid),
        sex=sex,
        birth_date=birth_date,
        age_years=age,
        weight_kg=_latest(reader.weights),
        height_cm=_latest(reader.heights),
        conditions=tuple(reader.conditions),
        observations=tuple(reader.observations),
        medications=tuple(reader.medications),
        allergies=tuple(reader.allergies),
        genetics=reader.genetics,
        warnings=tuple(dict.fromkeys([*ctx.warnings, *reader.tally.warnings()])),
    )
