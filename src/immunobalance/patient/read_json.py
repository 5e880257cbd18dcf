"""Read a patient record in the JSON form of ``contracts/patient-record.md``.

Every field is checked and every problem is collected with its JSON path before anything is
returned, so a user fixing a record sees the whole list at once::

    observations[2].unit: 'mg/dl/h' is not a unit of CRP (expected mass/volume, e.g. mg/L)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.knowledge.codes import is_icd10cm, is_loinc, is_snomed_ct
from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.patient._terminology import AgentMatcher, agent_key, snomed_icd10_map
from immunobalance.patient.model import Allergy, Condition, Medication, Observation, Patient
from immunobalance.patient.normalise import ObservationValueError, normalise_value
from immunobalance.units import UnitError, parse_quantity, ureg

__all__ = ["RecordContext", "parse_date", "parse_patient_dict"]

_TOP_FIELDS = {
    "id",
    "sex",
    "birth_date",
    "age",
    "age_years",
    "weight_kg",
    "height_cm",
    "conditions",
    "observations",
    "medications",
    "allergies",
    "genetics",
    "warnings",
}
_SEXES = {"female", "male", "other", "unknown"}
_SEX_ALIASES = {"f": "female", "m": "male", "woman": "female", "man": "male"}
_ROUTES = {"iv", "sc", "oral", "im"}
_ROUTE_ALIASES = {
    "intravenous": "iv",
    "subcutaneous": "sc",
    "po": "oral",
    "by mouth": "oral",
    "intramuscular": "im",
    "s.c.": "sc",
    "i.v.": "iv",
}
_OUTCOMES = {
    "ongoing",
    "inadequate_response",
    "loss_of_response",
    "intolerance",
    "adverse_event",
    "remission",
}
_CONDITION_SYSTEMS = {
    "icd10": "icd10",
    "icd-10": "icd10",
    "icd10cm": "icd10",
    "icd-10-cm": "icd10",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10",
    "http://hl7.org/fhir/sid/icd-10": "icd10",
    "snomed": "snomed",
    "sct": "snomed",
    "snomed ct": "snomed",
    "http://snomed.info/sct": "snomed",
}
_CLINICAL_STATUS = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
_INTERVAL_UNITS = {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}


class RecordContext:
    """Problems and warnings collected while reading one record, and the knowledge base used."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb if kb is not None else load_knowledge_base()
        self.agents = AgentMatcher(self.kb)
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise InvalidRecordError(self.problems)


# ------------------------------------------------------------------------ scalars
def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def parse_date(value: object) -> date:
    """An ISO date (``2026-10-01``) or date-time (its calendar date, as written)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date 'YYYY-MM-DD', got {_type_name(value)} {value!r}")
    text = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", text)
    if not match:
        raise ValueError(f"{value!r} is not a date (expected 'YYYY-MM-DD')")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date ({exc})") from None


def _date(ctx: RecordContext, value: object, path: str) -> date | None:
    try:
        return parse_date(value)
    except ValueError as exc:
        ctx.problem(path, str(exc))
        return None


def _optional_date(ctx: RecordContext, data: Mapping[str, Any], key: str, path: str) -> date | None:
    value = data.get(key)
    return None if value is None else _date(ctx, value, f"{path}.{key}")


def _number(
    ctx: RecordContext, value: object, path: str, *, low: float, high: float, what: str
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        ctx.problem(path, f"{what} must be a number, got {_type_name(value)} {value!r}")
        return None
    if not low <= value <= high:
        ctx.problem(path, f"{what} {value:g} is outside the physical range {low:g}-{high:g}")
        return None
    return float(value)


def _text(ctx: RecordContext, value: object, path: str, what: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        ctx.problem(path, f"{what} must be a non-empty string, got {_type_name(value)} {value!r}")
        return None
    return value.strip()


def _list(ctx: RecordContext, data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.problem(key, f"expected a list, got {_type_name(value)}")
        return []
    return value


def _object(ctx: RecordContext, item: object, path: str) -> Mapping[str, Any] | None:
    if not isinstance(item, Mapping):
        ctx.problem(path, f"expected an object, got {_type_name(item)} {item!r}")
        return None
    return item


def _unknown_fields(
    ctx: RecordContext, item: Mapping[str, Any], allowed: set[str], path: str
) -> None:
    import difflib

    for key in item:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            where = f"{path}.{key}" if path else str(key)
            ctx.problem(
                where, f"unknown field{hint} (expected one of {', '.join(sorted(allowed))})"
            )


# ------------------------------------------------------------------------ sections
def parse_condition(ctx: RecordContext, item: object, path: str) -> Condition | None:
    """One ``conditions[i]`` entry (ICD-10-CM, or SNOMED CT mapped to ICD-10-CM)."""
    data = _object(ctx, item, path)
    if data is None:
        return None
    allowed = {
        "code",
        "system",
        "onset",
        "abatement",
        "display",
        "clinical_status",
        "icd10_equivalent",
    }
    _unknown_fields(ctx, data, allowed, path)
    n_before = len(ctx.problems)
    raw_system = data.get("system", "icd10")
    system = _CONDITION_SYSTEMS.get(str(raw_system).strip().lower()) if raw_system else None
    if system is None:
        ctx.problem(
            f"{path}.system", f"{raw_system!r} is not a code system (expected 'icd10' or 'snomed')"
        )
    code = _text(ctx, data.get("code"), f"{path}.code", "code")
    icd10_equivalent = None
    if code is not None and system == "icd10":
        code = code.upper()
        if not is_icd10cm(code):
            ctx.problem(f"{path}.code", f"{code!r} is not an ICD-10-CM code (e.g. 'M05.79', 'I50')")
    elif code is not None and system == "snomed":
        if not is_snomed_ct(code):
            ctx.problem(f"{path}.code", f"{code!r} is not a SNOMED CT concept id (check digit)")
        else:
            target = snomed_icd10_map().get(code)
            if target is None:
                ctx.warnings.append(
                    f"{path}: SNOMED CT {code} is not mapped to ICD-10-CM; it matches no rule"
                )
            else:
                icd10_equivalent = target.icd10
    status = data.get("clinical_status")
    if status is not None and (not isinstance(status, str) or status not in _CLINICAL_STATUS):
        ctx.problem(
            f"{path}.clinical_status",
            f"{status!r} is not a clinical status "
            f"(expected one of {', '.join(sorted(_CLINICAL_STATUS))})",
        )
    onset = _optional_date(ctx, data, "onset", path)
    abatement = _optional_date(ctx, data, "abatement", path)
    if onset and abatement and abatement < onset:
        ctx.problem(f"{path}.abatement", f"abatement {abatement} is before onset {onset}")
    display = data.get("display")
    if display is not None and not isinstance(display, str):
        ctx.problem(f"{path}.display", f"expected a string, got {_type_name(display)}")
    if len(ctx.problems) > n_before or code is None or system is None:
        return None
    return Condition(
        code=code,
        system=system,
        onset=onset,
        abatement=abatement,
        display=display,
        icd10_equivalent=icd10_equivalent,
        clinical_status=status,
    )


def parse_observation(ctx: RecordContext, item: object, path: str) -> Observation | None:
    """One ``observations[i]`` entry: key or LOINC code, value, unit, date."""
    data = _object(ctx, item, path)
    if data is None:
        return None
    allowed = {"code", "value", "unit", "date", "original_code", "original_value", "original_unit"}
    _unknown_fields(ctx, data, allowed, path)
    n_before = len(ctx.problems)
    code = _text(ctx, data.get("code"), f"{path}.code", "code")
    biomarker = None
    if code is not None:
        biomarker = ctx.kb.biomarker_for_code(code) or ctx.kb.biomarker_for_code(code.upper())
        if biomarker is None:
            import difflib

            close = difflib.get_close_matches(code.upper(), list(ctx.kb.biomarkers), n=2)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            kind = (
                "LOINC code not mapped to an observation key"
                if is_loinc(code)
                else ("unknown observation code")
            )
            ctx.problem(f"{path}.code", f"{kind} {code!r}{hint}")
    when = None
    if "date" not in data or data.get("date") is None:
        ctx.problem(f"{path}.date", "date is required (YYYY-MM-DD)")
    else:
        when = _date(ctx, data["date"], f"{path}.date")
    if "value" not in data or data.get("value") is None:
        ctx.problem(f"{path}.value", "value is required")
        return None
    if biomarker is None or len(ctx.problems) > n_before:
        return None
    try:
        norm = normalise_value(biomarker, data["value"], data.get("unit"))
    except ObservationValueError as exc:
        ctx.problem(f"{path}.{exc.field}", exc.message)
        return None
    except UnitError as exc:  # pragma: no cover - normalise_value wraps unit errors
        ctx.problem(f"{path}.unit", str(exc))
        return None
    assert when is not None
    original_code = code if code != biomarker.key else None
    return Observation(
        code=biomarker.key,
        value=norm.value,
        unit=norm.unit,
        date=when,
        original_code=original_code,
        original_value=norm.original_value,
        original_unit=norm.original_unit,
    )


def canonical_dose(text: str) -> str:
    """``"20 mg"`` from ``"20mg"`` / ``"20.0 mg"`` (raises UnitError when not a dose)."""
    quantity = parse_quantity(text)
    number, unit = re.fullmatch(r"\s*([-+]?[\d.eE+-]+)\s*(.+?)\s*", text).groups()  # type: ignore[union-attr]
    if quantity.magnitude <= 0:
        raise UnitError(f"{text!r} must be a positive dose")
    return f"{float(number):g} {unit}"


def canonical_interval(text: str) -> str:
    """``"2 weeks"`` from ``"2 week"``, ``"14 d"`` stays ``"14 days"``; raises UnitError."""
    quantity = parse_quantity(text)
    if quantity.dimensionality != ureg.day.dimensionality or quantity.magnitude <= 0:
        raise UnitError(f"{text!r} is not a dosing interval (expected e.g. '2 weeks', '1 day')")
    for name, unit in _INTERVAL_UNITS.items():
        if quantity.units == ureg(unit).units:
            n = float(quantity.magnitude)
            return f"{n:g} {name}{'' if n == 1 else 's'}"
    n = float(quantity.to("day").magnitude)
    return f"{n:g} day{'' if n == 1 else 's'}"


def parse_medication(ctx: RecordContext, item: object, path: str) -> Medication | None:
    """One ``medications[i]`` entry: agent, dose, interval, route, dates, outcome."""
    data = _object(ctx, item, path)
    if data is None:
        return None
    allowed = {"agent", "dose", "every", "route", "start", "stop", "outcome"}
    _unknown_fields(ctx, data, allowed, path)
    n_before = len(ctx.problems)
    agent = None
    raw_agent = _text(ctx, data.get("agent"), f"{path}.agent", "agent")
    if raw_agent is not None:
        agent = agent_key(raw_agent)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", agent):
            ctx.problem(
                f"{path}.agent", f"{raw_agent!r} is not an agent name (INN, e.g. 'methotrexate')"
            )
        elif not ctx.agents.known(agent):
            matched = ctx.agents.by_name(raw_agent)
            if matched is not None:
                agent = matched
            else:
                ctx.warnings.append(
                    f"{path}.agent: {agent!r} is not in the knowledge base; kept as given "
                    "(no pharmacology or safety rules apply to it)"
                )
    dose = every = None
    if data.get("dose") is not None:
        try:
            dose = canonical_dose(str(data["dose"])) if isinstance(data["dose"], str) else None
            if dose is None:
                raise UnitError(f"expected a dose string like '40 mg', got {data['dose']!r}")
        except UnitError as exc:
            ctx.problem(f"{path}.dose", str(exc))
    if data.get("every") is not None:
        try:
            if not isinstance(data["every"], str):
                raise UnitError(f"expected an interval like '2 weeks', got {data['every']!r}")
            every = canonical_interval(data["every"])
        except UnitError as exc:
            ctx.problem(f"{path}.every", str(exc))
    route = data.get("route")
    if route is not None:
        route = _ROUTE_ALIASES.get(str(route).strip().lower(), str(route).strip().lower())
        if route not in _ROUTES:
            ctx.problem(
                f"{path}.route", f"{data['route']!r} is not a route (expected iv, sc, oral or im)"
            )
    outcome = data.get("outcome")
    if outcome is not None and (not isinstance(outcome, str) or outcome not in _OUTCOMES):
        ctx.problem(
            f"{path}.outcome",
            f"{outcome!r} is not an outcome (expected one of {', '.join(sorted(_OUTCOMES))})",
        )
    start = _optional_date(ctx, data, "start", path)
    stop = _optional_date(ctx, data, "stop", path)
    if start and stop and stop < start:
        ctx.problem(f"{path}.stop", f"stop {stop} is before start {start}")
    if len(ctx.problems) > n_before or agent is None:
        return None
    return Medication(
        agent=agent, dose=dose, every=every, route=route, start=start, stop=stop, outcome=outcome
    )


def parse_allergy(ctx: RecordContext, item: object, path: str) -> Allergy | None:
    """One ``allergies[i]`` entry; the agent is found from the substance when not given."""
    data = _object(ctx, item, path)
    if data is None:
        return None
    _unknown_fields(ctx, data, {"substance", "agent", "criticality"}, path)
    n_before = len(ctx.problems)
    substance = _text(ctx, data.get("substance"), f"{path}.substance", "substance")
    agent = data.get("agent")
    if agent is not None:
        agent = _text(ctx, agent, f"{path}.agent", "agent")
    elif substance is not None:
        agent = ctx.agents.by_name(substance)
    criticality = data.get("criticality")
    if criticality is not None and (
        not isinstance(criticality, str) or criticality not in {"low", "high", "unable-to-assess"}
    ):
        ctx.problem(f"{path}.criticality", f"{criticality!r} is not low, high or unable-to-assess")
    if len(ctx.problems) > n_before or substance is None:
        return None
    return Allergy(substance=substance, agent=agent, criticality=criticality)


def parse_genetics(ctx: RecordContext, value: object) -> dict[str, str | list[str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        ctx.problem(
            "genetics", f"expected an object of gene/allele entries, got {_type_name(value)}"
        )
        return {}
    out: dict[str, str | list[str]] = {}
    for key, entry in value.items():
        if isinstance(entry, str):
            out[str(key)] = entry
        elif isinstance(entry, list) and all(isinstance(e, str) for e in entry):
            out[str(key)] = list(entry)
        else:
            ctx.problem(f"genetics.{key}", f"expected a string or a list of strings, got {entry!r}")
    return out


def parse_patient_dict(data: dict[str, Any], *, kb: KnowledgeBase | None = None) -> Patient:
    """Validate a patient record (``contracts/patient-record.md``) into a :class:`Patient`.

    Parameters
    ----------
    data
        The record as parsed JSON.
    kb
        Knowledge base to map codes and units against (default: the bundled one).

    Raises
    ------
    InvalidRecordError
        Listing every problem with its JSON path, e.g.
        ``observations[2].unit: 'mg/dl/h' is not a unit of CRP (expected mass/volume, e.g. mg/L)``.
    """
    ctx = RecordContext(kb)
    if not isinstance(data, Mapping):
        raise InvalidRecordError([Problem("", f"expected a JSON object, got {_type_name(data)}")])
    return build_patient(ctx, data)


def build_patient(ctx: RecordContext, data: Mapping[str, Any]) -> Patient:
    """Shared by the JSON and CSV readers: validate every section, then build or raise."""
    _unknown_fields(ctx, data, _TOP_FIELDS, "")
    pid = data.get("id")
    if isinstance(pid, int) and not isinstance(pid, bool):
        pid = str(pid)
    pid = _text(ctx, pid, "id", "id")
    sex = data.get("sex", "unknown")
    sex = _SEX_ALIASES.get(str(sex).strip().lower(), str(sex).strip().lower()) if sex else "unknown"
    if sex not in _SEXES:
        ctx.problem(
            "sex", f"{data.get('sex')!r} is not a sex (expected female, male, other or unknown)"
        )
    birth_date = None
    if data.get("birth_date") is not None:
        birth_date = _date(ctx, data["birth_date"], "birth_date")
    age = None
    for key in ("age", "age_years"):
        if data.get(key) is not None:
            age = _number(ctx, data[key], key, low=0, high=130, what="age")
    weight = height = None
    if data.get("weight_kg") is not None:
        weight = _number(ctx, data["weight_kg"], "weight_kg", low=0.2, high=500, what="weight_kg")
    if data.get("height_cm") is not None:
        height = _number(ctx, data["height_cm"], "height_cm", low=20, high=272, what="height_cm")
    conditions = [
        parse_condition(ctx, item, f"conditions[{i}]")
        for i, item in enumerate(_list(ctx, data, "conditions"))
    ]
    observations = [
        parse_observation(ctx, item, f"observations[{i}]")
        for i, item in enumerate(_list(ctx, data, "observations"))
    ]
    medications = [
        parse_medication(ctx, item, f"medications[{i}]")
        for i, item in enumerate(_list(ctx, data, "medications"))
    ]
    allergies = [
        parse_allergy(ctx, item, f"allergies[{i}]")
        for i, item in enumerate(_list(ctx, data, "allergies"))
    ]
    genetics = parse_genetics(ctx, data.get("genetics"))
    if birth_date is not None:
        latest = max((o.date for o in observations if o is not None), default=None)
        if latest is not None and birth_date > latest:
            ctx.problem(
                "birth_date", f"birth date {birth_date} is after the latest observation {latest}"
            )
    given_warnings = data.get("warnings") or []
    if not isinstance(given_warnings, list) or not all(isinstance(w, str) for w in given_warnings):
        ctx.problem("warnings", "expected a list of strings")
        given_warnings = []
    ctx.raise_if_problems()
    assert pid is not None
    return Patient(
        id=pid,
        sex=sex,
        birth_date=birth_date,
        age_years=age,
        weight_kg=weight,
        height_cm=height,
        conditions=tuple(c for c in conditions if c is not None),
        observations=tuple(o for o in observations if o is not None),
        medications=tuple(m for m in medications if m is not None),
        allergies=tuple(a for a in allergies if a is not None),
        genetics=genetics,
        warnings=tuple(dict.fromkeys([*given_warnings, *ctx.warnings])),
    )
