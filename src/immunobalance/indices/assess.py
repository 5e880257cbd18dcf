"""Per-patient assessment: the disease's indices at the latest visit and response vs the first.

A thin layer over the vectorised index functions: it finds the patient's index disease, picks
each index's inputs from the record, calls the same functions the trial engine calls, and says
why an index or a response is absent.

Visit rule (ours, documented in ``docs/indices.md``): an index is computed at a visit date when
every input has an observation on that date or in the :data:`VISIT_WINDOW_DAYS` days before it
(labs are often drawn a few days before the clinic visit). The index reported is the one at the
latest such date. A response compares the earliest and the latest dates at which its inputs are
complete; the follow-up inputs must all post-date the baseline visit, so no observation serves
both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from immunobalance.errors import UnknownKeyError
from immunobalance.indices._acr import AcrCoreSet, acr_eular_boolean_remission, acr_response
from immunobalance.indices._crohns import cd_response_from_hbi
from immunobalance.indices._eular import eular_response, eular_response_label
from immunobalance.indices._mayo import mayo_clinical_remission, mayo_clinical_response
from immunobalance.indices._ms import confirmed_disability_progression
from immunobalance.indices._pasi import pasi_response
from immunobalance.indices._registry import (
    INDEX_REGISTRY,
    SLEDAI_OBSERVATION_KEYS,
    categorise_spec,
)
from immunobalance.indices._sledai import sledai_2k
from immunobalance.indices._sri import bicla, sri4
from immunobalance.indices._t1d import T1D_STAGE_LABELS, cpeptide_change, t1d_stage
from immunobalance.patient.model import Observation, Patient

__all__ = [
    "VISIT_WINDOW_DAYS",
    "Assessment",
    "IndexResult",
    "assess_patient",
    "detect_disease",
    "detect_diseases",
]

VISIT_WINDOW_DAYS = 14

ISLET_AUTOANTIBODIES = ("GADA", "IA2A", "ZNT8A", "IAA")


class IndexResult(BaseModel):
    """One index at one visit."""

    model_config = ConfigDict(frozen=True)

    value: float
    category: str | None
    date: date


class Assessment(BaseModel):
    """The assessment printed by ``immunobalance assess`` (``contracts/cli.md``).

    ``indices`` and ``response`` follow the contract; ``disease``, ``baseline_date``,
    ``response_basis`` (which visits and which score each response used) and ``notes`` (why
    something is absent, approximations used) extend it.
    """

    model_config = ConfigDict(frozen=True)

    patient: str
    disease: str | None
    indices: dict[str, IndexResult] = Field(default_factory=dict)
    response: dict[str, bool | str | float] = Field(default_factory=dict)
    baseline_date: date | None = None
    response_basis: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- disease detection
_Rule = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _disease_rules() -> dict[str, _Rule]:
    """Disease key → (ICD-10-CM includes, excludes, SNOMED CT codes), from the knowledge base.

    The knowledge base (``knowledge/data/diseases/*.yaml``) is the only source of the index
    diseases and their codes; a broken one is a packaging bug and fails loudly
    (:class:`~immunobalance.errors.KnowledgeBaseError`). The order — which disease a patient
    coded for several is assessed for — is that of the contract's table
    (``contracts/patient-record.md``, :data:`~immunobalance.knowledge.schema.DISEASE_KEYS`).
    """
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.knowledge.schema import DISEASE_KEYS

    diseases = load_knowledge_base().diseases
    return {
        key: (tuple(d.icd10), tuple(d.icd10_exclude), tuple(d.snomed))
        for key, d in sorted(diseases.items(), key=lambda item: DISEASE_KEYS.index(item[0]))
    }


def index_disease_codes() -> str:
    """The ICD-10-CM codes of every index disease, for error messages ("M05, M06 rheumatoid
    arthritis; …"), from the same knowledge-base rules that detection uses."""
    from immunobalance.knowledge.loader import load_knowledge_base

    diseases = load_knowledge_base().diseases
    return "; ".join(
        f"{', '.join(include)} {diseases[key].name}"
        for key, (include, _, _) in _disease_rules().items()
    )


def detect_diseases(patient: Patient) -> list[str]:
    """Every index disease the patient's conditions code for (hierarchical ICD-10-CM).

    A condition counts when it matches an include rule and no exclude rule of the disease
    (rheumatoid arthritis excludes M06.1 adult-onset Still's disease and M06.4 inflammatory
    polyarthropathy), or when it is a SNOMED CT code the knowledge base lists for the disease.
    Someone with no T1D diagnosis but ≥ 2 positive islet autoantibodies has presymptomatic type 1
    diabetes (stage 1–2, Insel et al. 2015) and is detected as ``type_1_diabetes``.
    """
    found: list[str] = []
    for key, (include, exclude, snomed) in _disease_rules().items():
        for condition in patient.conditions:
            if condition.system == "snomed" and condition.code in snomed:
                found.append(key)
                break
            if any(condition.matches(r) for r in include) and not any(
                condition.matches(r) for r in exclude
            ):
                found.append(key)
                break
    if "type_1_diabetes" not in found and _positive_autoantibodies(patient)[0] >= 2:
        found.append("type_1_diabetes")
    return found


def detect_disease(patient: Patient) -> str | None:
    """The patient's index disease (the first of :func:`detect_diseases`), or None."""
    found = detect_diseases(patient)
    return found[0] if found else None


# --------------------------------------------------------------------------- input gathering
def _numeric(obs: Observation) -> float | None:
    value = obs.value
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return None


def _gather(
    patient: Patient, keys: Sequence[str], visit: date, *, after: date | None = None
) -> tuple[dict[str, float], list[str]]:
    """Inputs at ``visit`` (window rule) and the keys missing there."""
    values: dict[str, float] = {}
    missing: list[str] = []
    earliest = visit - timedelta(days=VISIT_WINDOW_DAYS)
    for key in keys:
        obs = patient.latest(key, on_or_before=visit)
        ok = obs is not None and obs.date >= earliest and (after is None or obs.date > after)
        number = _numeric(obs) if (ok and obs is not None) else None
        if number is None:
            missing.append(key)
        else:
            values[key] = number
    return values, missing


def _complete_visits(
    patient: Patient, input_sets: Sequence[Sequence[str]]
) -> list[tuple[date, dict[str, float]]]:
    """Visit dates (oldest first) where one of the input sets is complete, with its values."""
    out = []
    for visit in patient.visit_dates():
        for keys in input_sets:
            values, missing = _gather(patient, keys, visit)
            if not missing:
                out.append((visit, values))
                break
    return out


def _follow_up(
    patient: Patient, input_sets: Sequence[Sequence[str]], baseline: date
) -> tuple[date, dict[str, float]] | None:
    """Latest visit after ``baseline`` whose inputs are complete and all post-date baseline."""
    for visit in reversed(patient.visit_dates()):
        if visit <= baseline:
            return None
        for keys in input_sets:
            values, missing = _gather(patient, keys, visit, after=baseline)
            if not missing:
                return visit, values
    return None


# --------------------------------------------------------------------------- indices
def _index_results(
    patient: Patient, keys: Sequence[str], notes: list[str]
) -> dict[str, IndexResult]:
    results: dict[str, IndexResult] = {}
    latest = patient.latest_date()
    for key in keys:
        if key == "T1D_STAGE":
            stage = _t1d_stage(patient, notes)
            if stage is not None:
                results[key] = stage
            continue
        spec = INDEX_REGISTRY.get(key)
        if spec is None:
            notes.append(f"{key}: listed for the disease but not implemented; not computed")
            continue
        input_sets = (spec.inputs, *spec.alternatives)
        visits = _complete_visits(patient, input_sets)
        if not visits:
            if latest is not None:
                _, missing = _gather(patient, spec.inputs, latest)
                shown = ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
                notes.append(f"{key}: not computed; missing at the latest visit: {shown}")
            continue
        visit, values = visits[-1]
        arrays = {k: np.asarray(v) for k, v in values.items()}
        value = float(spec.compute(arrays))
        category = categorise_spec(spec, np.asarray(value), arrays).item()
        results[key] = IndexResult(value=round(value, 2), category=category, date=visit)
    return results


def _positive_autoantibodies(patient: Patient) -> tuple[int, list[str]]:
    """Number of positive islet autoantibodies (latest result of each) and those measured."""
    positive, measured = 0, []
    for key in ISLET_AUTOANTIBODIES:
        obs = patient.latest(key)
        if obs is None:
            continue
        measured.append(key)
        value = obs.value
        if value is True or (isinstance(value, str) and value.lower() == "positive"):
            positive += 1
    return positive, measured


def _t1d_stage(patient: Patient, notes: list[str]) -> IndexResult | None:
    """Insel 2015 stage from autoantibodies, HbA1c and the diagnosis (E10)."""
    include, exclude, _ = _disease_rules()["type_1_diabetes"]
    diagnosed = any(
        any(c.matches(r) for r in include) and not any(c.matches(r) for r in exclude)
        for c in patient.conditions
    )
    hba1c = patient.latest("HBA1C")
    n_pos, measured = _positive_autoantibodies(patient)
    if not diagnosed and (hba1c is None or not measured):
        notes.append("T1D_STAGE: not computed; needs islet autoantibodies and HbA1c")
        return None
    a1c = _numeric(hba1c) if hba1c is not None else None
    stage = int(t1d_stage(n_pos, np.nan if a1c is None else a1c, diagnosed=diagnosed))
    when = hba1c.date if hba1c is not None else (patient.latest_date() or date.today())
    if diagnosed:
        notes.append(
            f"T1D_STAGE: stage 3 from the recorded type 1 diabetes diagnosis ({'/'.join(include)})"
        )
    return IndexResult(value=float(stage), category=T1D_STAGE_LABELS[stage], date=when)


# --------------------------------------------------------------------------- responses
_Response = dict[str, bool | str | float]


def _pair(
    patient: Patient, input_sets: Sequence[Sequence[str]]
) -> tuple[tuple[date, dict[str, float]], tuple[date, dict[str, float]]] | None:
    visits = _complete_visits(patient, input_sets)
    if not visits:
        return None
    base = visits[0]
    follow = _follow_up(patient, input_sets, base[0])
    return (base, follow) if follow is not None else None


def _basis(label: str, base: date, follow: date) -> str:
    return f"{label}: {base.isoformat()} -> {follow.isoformat()}"


def _ra_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    baseline = None
    for key in ("DAS28ESR", "DAS28CRP"):
        spec = INDEX_REGISTRY[key]
        pair = _pair(patient, (spec.inputs,))
        if pair is None:
            continue
        (b_date, b_vals), (f_date, f_vals) = pair
        b = float(spec.compute({k: np.asarray(v) for k, v in b_vals.items()}))
        f = float(spec.compute({k: np.asarray(v) for k, v in f_vals.items()}))
        response["EULAR"] = str(eular_response_label(eular_response(b, f)).item())
        basis["EULAR"] = _basis(f"{spec.name} {b:.2f} -> {f:.2f}", b_date, f_date)
        baseline = b_date
        break
    else:
        notes.append("EULAR: needs DAS28 (ESR or CRP) at two visits")
    latest = _complete_visits(patient, (("TJC28", "SJC28", "CRP", "PTGA"),))
    if latest:
        when, v = latest[-1]
        response["ACR_EULAR_BOOLEAN_REMISSION"] = bool(
            acr_eular_boolean_remission(v["TJC28"], v["SJC28"], v["CRP"], v["PTGA"], version="2022")
        )
        basis["ACR_EULAR_BOOLEAN_REMISSION"] = f"2022 revision (PtGA <= 2/10) at {when.isoformat()}"
    for joints in (("TJC68", "SJC66"), ("TJC28", "SJC28")):
        for apr in ("CRP", "ESR"):
            keys = (*joints, "PTGA", "PHGA", "PAIN", "HAQ_DI", apr)
            pair = _pair(patient, (keys,))
            if pair is None:
                continue
            (b_date, b_vals), (f_date, f_vals) = pair

            def core(v: dict[str, float], keys: tuple[str, ...] = keys) -> AcrCoreSet:
                return AcrCoreSet(*(v[k] for k in keys))

            for level in (20, 50, 70):
                met = acr_response(core(b_vals), core(f_vals), level=level)
                response[f"ACR{level}"] = bool(met)
            label = f"ACR core set ({joints[0]}/{joints[1]}, {apr})"
            basis["ACR"] = _basis(label, b_date, f_date)
            if joints[0] == "TJC28":
                notes.append("ACR20/50/70: 28-joint counts used (68/66 not recorded)")
            baseline = baseline or b_date
            return baseline
    notes.append(
        "ACR20/50/70: needs the ACR core set (TJC, SJC, PTGA, PHGA, PAIN, HAQ_DI, CRP or "
        "ESR) at two visits"
    )
    return baseline


def _psoriasis_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    spec = INDEX_REGISTRY["PASI"]
    pair = _pair(patient, (spec.inputs, *spec.alternatives))
    if pair is None:
        notes.append("PASI75/90/100: needs PASI at two visits")
        return None
    (b_date, b_vals), (f_date, f_vals) = pair
    b = float(spec.compute({k: np.asarray(v) for k, v in b_vals.items()}))
    f = float(spec.compute({k: np.asarray(v) for k, v in f_vals.items()}))
    for level in (75, 90, 100):
        response[f"PASI{level}"] = bool(pasi_response(b, f, level=level))
    basis["PASI"] = _basis(f"PASI {b:.1f} -> {f:.1f}", b_date, f_date)
    return b_date


def _sle_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    sledai_pair = _pair(patient, (SLEDAI_OBSERVATION_KEYS,))
    if sledai_pair is None:
        notes.append("SRI4/BICLA: need all 24 SLEDAI-2K descriptors at two visits")
        return None
    (b_date, b_vals), (f_date, f_vals) = sledai_pair
    db = np.array([b_vals[k] for k in SLEDAI_OBSERVATION_KEYS])
    df = np.array([f_vals[k] for k in SLEDAI_OBSERVATION_KEYS])
    sb, sf = float(sledai_2k(db)), float(sledai_2k(df))
    response["SLEDAI2K_CHANGE"] = sf - sb
    basis["SLEDAI2K_CHANGE"] = _basis(f"SLEDAI-2K {sb:g} -> {sf:g}", b_date, f_date)
    pair = _pair(patient, ((*SLEDAI_OBSERVATION_KEYS, "PHGA"),))
    if pair is None:
        notes.append("SRI4/BICLA: need PHGA (physician global) with SLEDAI-2K at two visits")
        return b_date
    (b_date, b_vals), (f_date, f_vals) = pair
    db = np.array([b_vals[k] for k in SLEDAI_OBSERVATION_KEYS])
    df = np.array([f_vals[k] for k in SLEDAI_OBSERVATION_KEYS])
    # PhGA 0-100 mm -> SLE PGA 0-3 (10 mm = 0.3 = the 10 % worsening limit)
    pb, pf = b_vals["PHGA"] * 0.03, f_vals["PHGA"] * 0.03
    response["SRI4"] = bool(sri4(db, df, pb, pf))
    response["BICLA"] = bool(bicla(db, df, pb, pf))
    basis["SRI4"] = _basis("SLEDAI-2K + PhGA", b_date, f_date)
    basis["BICLA"] = basis["SRI4"]
    notes.append(
        "SRI4/BICLA: BILAG-2004 parts approximated from SLEDAI-2K descriptors; PGA from PhGA "
        "(0-100 mm x 0.03); BICLA treatment-failure arm not assessed (see docs/indices.md)"
    )
    return b_date


def _uc_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    keys = ("MAYO_STOOL", "MAYO_BLEED", "MAYO_ENDO", "MAYO_PGA")
    pair = _pair(patient, (keys,))
    if pair is None:
        notes.append("MAYO_RESPONSE: needs the full Mayo score at two visits")
        return None
    (b_date, b), (f_date, f) = pair
    total_b, total_f = sum(b[k] for k in keys), sum(f[k] for k in keys)
    response["MAYO_RESPONSE"] = bool(
        mayo_clinical_response(total_b, total_f, b["MAYO_BLEED"], f["MAYO_BLEED"])
    )
    response["MAYO_REMISSION"] = bool(mayo_clinical_remission(*(f[k] for k in keys)))
    basis["MAYO_RESPONSE"] = _basis(f"Mayo {total_b:g} -> {total_f:g}", b_date, f_date)
    basis["MAYO_REMISSION"] = f"Mayo <= 2, no subscore > 1 (ACT) at {f_date.isoformat()}"
    return b_date


def _cd_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    spec = INDEX_REGISTRY["HBI"]
    pair = _pair(patient, (spec.inputs,))
    if pair is None:
        notes.append("HBI_RESPONSE: needs HBI at two visits")
        return None
    (b_date, b_vals), (f_date, f_vals) = pair
    b = float(spec.compute({k: np.asarray(v) for k, v in b_vals.items()}))
    f = float(spec.compute({k: np.asarray(v) for k, v in f_vals.items()}))
    response["HBI_RESPONSE"] = bool(cd_response_from_hbi(b, f))
    basis["HBI_RESPONSE"] = _basis(f"HBI {b:g} -> {f:g} (decrease >= 3)", b_date, f_date)
    return b_date


def _ms_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    series = sorted((o.date, _numeric(o)) for o in patient.observations if o.code == "EDSS")
    series = [(d, v) for d, v in series if v is not None]
    if len(series) < 2:
        notes.append("CDP12: needs EDSS at two or more visits")
        return None
    start = series[0][0]
    weeks = np.array([(d - start).days / 7.0 for d, _ in series])
    edss = np.array([v for _, v in series], dtype=float)
    response["CDP12"] = bool(confirmed_disability_progression(edss, weeks, confirm_weeks=12))
    basis["CDP12"] = _basis(f"EDSS at {len(series)} visits", start, series[-1][0])
    return start


def _t1d_response(
    patient: Patient, response: _Response, basis: dict[str, str], notes: list[str]
) -> date | None:
    pair = _pair(patient, (("CPEPTIDE",),))
    if pair is None:
        notes.append("CPEPTIDE_CHANGE: needs C-peptide at two visits")
        return None
    (b_date, b), (f_date, f) = pair
    response["CPEPTIDE_CHANGE"] = round(float(cpeptide_change(b["CPEPTIDE"], f["CPEPTIDE"])), 3)
    basis["CPEPTIDE_CHANGE"] = _basis("C-peptide nmol/L", b_date, f_date)
    return b_date


_RESPONDERS: Mapping[
    str, Callable[[Patient, _Response, dict[str, str], list[str]], date | None]
] = {
    "rheumatoid_arthritis": _ra_response,
    "psoriasis": _psoriasis_response,
    "systemic_lupus_erythematosus": _sle_response,
    "ulcerative_colitis": _uc_response,
    "crohns_disease": _cd_response,
    "multiple_sclerosis": _ms_response,
    "type_1_diabetes": _t1d_response,
}


def _disease_index_keys(disease: str) -> tuple[str, ...]:
    """The disease's default indices, as the knowledge base lists them."""
    from immunobalance.knowledge.loader import load_knowledge_base

    return tuple(load_knowledge_base().diseases[disease].indices)


# --------------------------------------------------------------------------- entry point
def assess_patient(patient: Patient, *, disease: str | None = None) -> Assessment:
    """Indices at the latest visit and response vs the first visit, for one patient.

    Parameters
    ----------
    patient
        A validated patient (see :func:`immunobalance.patient.read_patient`).
    disease
        Index disease key; detected from the conditions when omitted
        (:func:`detect_disease`).

    Returns
    -------
    Assessment
        With no index disease: no indices, and a note saying why.

    Raises
    ------
    UnknownKeyError
        ``disease`` is not an index disease.
    """
    notes: list[str] = []
    rules = _disease_rules()
    if disease is None:
        found = detect_diseases(patient)
        if not found:
            codes = ", ".join("/".join(include) for include, _, _ in rules.values())
            return Assessment(
                patient=patient.id,
                disease=None,
                notes=[
                    f"no index disease among the patient's conditions (ICD-10-CM {codes}); "
                    "no indices computed"
                ],
            )
        disease = found[0]
        if len(found) > 1:
            notes.append(f"also coded: {', '.join(found[1:])}; pass --disease to assess another")
    elif disease not in rules:
        raise UnknownKeyError("disease", disease, list(rules))
    indices = _index_results(patient, _disease_index_keys(disease), notes)
    response: _Response = {}
    basis: dict[str, str] = {}
    baseline = _RESPONDERS[disease](patient, response, basis, notes)
    return Assessment(
        patient=patient.id,
        disease=disease,
        indices=indices,
        response=response,
        baseline_date=baseline,
        response_basis=basis,
        notes=notes,
    )
