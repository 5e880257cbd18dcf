"""Normalise one observation value through the biomarker table: one kind, one unit, one range.

Every reader (JSON, CSV, FHIR) funnels observation values through :func:`normalise_value`, so
a CRP of 2.4 mg/dL from a spreadsheet and 24 mg/L from an EHR become the same number. The
rules follow ``contracts/patient-record.md``:

* a missing unit means the key's default unit; a unit that cannot be converted is an error,
  never a guess;
* pint converts units of the same dimension (mg/dL → mg/L, 10*9/L → cells/µL); conversions pint
  cannot know (molar ↔ mass via a molar mass, the HbA1c IFCC → NGSP master equation) come from
  the biomarker's listed alternatives, each with its source;
* a default unit without dimension (``%``) accepts only the units listed for it, because pint
  would otherwise read 48 mmol/mol HbA1c as 4.8 % (it is 6.5 %: NGSP = 0.09148 × IFCC + 2.152,
  Hoelzel et al., Clin Chem 2004;50:166);
* values outside the physical range, and counts or ordinal scores that are not whole steps, are
  errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pint

from immunobalance.knowledge.schema import Biomarker, UnitAlternative
from immunobalance.patient.model import ObservationValue
from immunobalance.units import Q_, UnitError, parse_unit

__all__ = [
    "NormalisedValue",
    "ObservationValueError",
    "canonical_category",
    "normalise_value",
    "reads_positive",
]

_QUANTITATIVE = {"quantity", "count", "score", "quantity_or_categorical"}

# Spellings labs and EHRs use for the two serology answers (and booleans).
_CATEGORY_SYNONYMS = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "reactive": "positive",
    "detected": "positive",
    "present": "positive",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "non-reactive": "negative",
    "nonreactive": "negative",
    "non reactive": "negative",
    "not detected": "negative",
    "absent": "negative",
    "indeterminate": "indeterminate",
    "equivocal": "indeterminate",
    "borderline": "indeterminate",
    "inconclusive": "indeterminate",
}
_TRUE = {"true", "yes", "y", "present", "positive", "1"}
_FALSE = {"false", "no", "n", "absent", "negative", "0"}
_TITRE = re.compile(r"\s*1\s*:\s*(\d+(?:\.\d+)?)\s*")


class ObservationValueError(ValueError):
    """A value or unit that cannot be normalised; ``field`` is ``"value"`` or ``"unit"``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NormalisedValue:
    """An observation value in its key's default form, and what it was when it differed."""

    value: ObservationValue
    unit: str | None
    original_value: ObservationValue | None = None
    original_unit: str | None = None


def canonical_category(text: str) -> str:
    """Lower-case category with common lab spellings mapped (``"POS"`` → ``"positive"``)."""
    key = " ".join(str(text).strip().lower().split())
    return _CATEGORY_SYNONYMS.get(key, key)


def reads_positive(biomarker: Biomarker, value: ObservationValue) -> bool | None:
    """Whether a serology result reads positive.

    A category answers directly; a quantity reads positive at or above the biomarker's
    ``positive_threshold`` (the assay's upper limit of normal, cited in the knowledge base).
    Returns None when the value cannot say (no threshold, or an indeterminate result).
    """
    if isinstance(value, str):
        category = canonical_category(value)
        return {"positive": True, "negative": False}.get(category)
    if isinstance(value, bool):
        return value
    if biomarker.positive_threshold is None:
        return None
    return float(value) >= biomarker.positive_threshold


def normalise_value(biomarker: Biomarker, value: object, unit: object = None) -> NormalisedValue:
    """Validate and normalise one observation value of ``biomarker``.

    Parameters
    ----------
    biomarker
        The knowledge-base record of the observation key.
    value
        As it came: a number, a bool, or a string (category, ``"1:160"`` titre, ``"yes"``).
    unit
        As it came (UCUM preferred); None or ``""`` means the default unit.

    Returns
    -------
    NormalisedValue
        ``value`` in the default unit (float), a bool, or a lower-case category; the original
        value/unit are kept only when normalisation changed them.

    Raises
    ------
    ObservationValueError
        With ``field`` ``"value"`` or ``"unit"`` and a message that says what was expected.

    Examples
    --------
    >>> from immunobalance.knowledge.loader import load_knowledge_base
    >>> crp = load_knowledge_base().biomarker("CRP")  # doctest: +SKIP
    >>> normalise_value(crp, 2.4, "mg/dL").value  # doctest: +SKIP
    24.0
    """
    unit_text = None if unit is None else str(unit).strip() or None
    if unit is not None and not isinstance(unit, str):
        raise ObservationValueError(
            "unit", f"expected a unit string, got {type(unit).__name__} {unit!r}"
        )
    kind = biomarker.kind
    if kind == "boolean":
        return _boolean(biomarker, value, unit_text)
    if kind == "categorical":
        return _categorical(biomarker, value, unit_text)
    if kind == "quantity_or_categorical" and isinstance(value, str | bool):
        titre = _TITRE.fullmatch(value) if isinstance(value, str) else None
        if titre is None:
            return _categorical(biomarker, value, unit_text)
        number = float(titre.group(1))
        result = _quantity(biomarker, number, unit_text)
        return NormalisedValue(result.value, result.unit, value, unit_text)
    return _quantity(biomarker, value, unit_text)


# ---------------------------------------------------------------------------- kinds
def _boolean(biomarker: Biomarker, value: object, unit: str | None) -> NormalisedValue:
    if unit is not None:
        raise ObservationValueError(
            "unit", f"{biomarker.key} is true/false and takes no unit, got {unit!r}"
        )
    if isinstance(value, bool):
        return NormalisedValue(value, None)
    if isinstance(value, int | float) and value in (0, 1):
        return NormalisedValue(bool(value), None, value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return NormalisedValue(True, None, value)
        if text in _FALSE:
            return NormalisedValue(False, None, value)
    raise ObservationValueError("value", f"{biomarker.key} must be true or false, got {value!r}")


def _categorical(biomarker: Biomarker, value: object, unit: str | None) -> NormalisedValue:
    expected = " or ".join(repr(c) for c in biomarker.categories)
    if biomarker.kind == "categorical" and unit is not None:
        raise ObservationValueError(
            "unit", f"{biomarker.key} is categorical and takes no unit, got {unit!r}"
        )
    if isinstance(value, bool) and {"positive", "negative"} <= set(biomarker.categories):
        category = "positive" if value else "negative"
        return NormalisedValue(category, None, value)
    if isinstance(value, str):
        category = canonical_category(value)
        if category in biomarker.categories:
            original = None if value == category else value
            return NormalisedValue(category, None, original)
        raise ObservationValueError(
            "value", f"{value!r} is not a result of {biomarker.key} (expected {expected})"
        )
    raise ObservationValueError(
        "value", f"{biomarker.key} must be {expected}, got {type(value).__name__} {value!r}"
    )


def _quantity(biomarker: Biomarker, value: object, unit: str | None) -> NormalisedValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        what = f"{type(value).__name__} {value!r}"
        extra = f" or {' / '.join(biomarker.categories)}" if biomarker.categories else ""
        raise ObservationValueError("value", f"{biomarker.key} must be a number{extra}, got {what}")
    number = float(value)
    if not math.isfinite(number):
        raise ObservationValueError(
            "value", f"{biomarker.key} must be a finite number, got {value!r}"
        )
    # 12 significant digits drop the float noise of unit factors (300 pmol/L -> 0.3 nmol/L)
    converted = float(f"{_to_default_unit(biomarker, number, unit):.12g}")
    _check_range(biomarker, converted, number, unit)
    changed = (unit is not None and converted != number) or (
        unit is not None and unit != biomarker.unit
    )
    return NormalisedValue(
        converted,
        biomarker.unit,
        number if changed else None,
        unit if changed else None,
    )


def _check_range(biomarker: Biomarker, converted: float, number: float, unit: str | None) -> None:
    shown = f"{number:g} {unit}" if unit and unit != biomarker.unit else f"{number:g}"
    default = f" {biomarker.unit}" if biomarker.unit else ""
    if biomarker.range is not None:
        low, high = biomarker.range
        if not low <= converted <= high:
            as_default = f" (= {converted:g}{default})" if shown != f"{converted:g}" else ""
            raise ObservationValueError(
                "value",
                f"{biomarker.key} {shown}{as_default} is outside the physical range "
                f"{low:g}-{high:g}{default}",
            )
    if biomarker.step is not None:
        steps = converted / biomarker.step
        if abs(steps - round(steps)) > 1e-9:
            what = "a count" if biomarker.kind == "count" else "a score"
            raise ObservationValueError(
                "value",
                f"{biomarker.key} is {what} in steps of {biomarker.step:g}, got {number:g}",
            )


# ---------------------------------------------------------------------------- units
_CELLS = re.compile(r"\{?\bcells?\b\}?")


def _spelling(unit: str) -> str:
    return "".join(unit.split()).lower()


def _parse(unit: str) -> pint.Unit:
    """Parse a unit, reading cell counts as plain numbers (UCUM writes 10*9/L, not cells)."""
    return parse_unit(_CELLS.sub("1", unit))


def _describe(unit: pint.Unit) -> str:
    """'mass/volume', 'amount/volume', 'count/volume' … from a unit's dimensionality."""
    names = {
        "[mass]": "mass",
        "[substance]": "amount",
        "[international_unit]": "international units",
        "[enzyme_activity]": "enzyme units",
        "[time]": "time",
        "[cell_count]": "count",
    }
    dims = {d: float(p) for d, p in dict(unit.dimensionality).items()}  # type: ignore[arg-type]
    length = dims.pop("[length]", 0.0)
    numerator = [names.get(d, d) for d, p in dims.items() if p > 0]
    denominator = [names.get(d, d) for d, p in dims.items() if p < 0]
    if length == -3:
        denominator.insert(0, "volume")
        if not numerator:
            numerator = ["count"]
    elif length == 1:
        numerator.insert(0, "length")
    elif length:
        numerator.insert(0, f"length^{length}")
    if not numerator and not denominator:
        return "a dimensionless ratio"
    return "/".join([" ".join(numerator) or "1", *denominator])


def _expected(biomarker: Biomarker) -> str:
    if biomarker.unit is None:
        return "no unit"
    try:
        dimension = _describe(_parse(biomarker.unit))
    except UnitError:  # pragma: no cover - default units are validated by the schema test
        dimension = "its default unit"
    others = [a.unit for a in biomarker.alternatives]
    also = f"; also {', '.join(others)}" if others else ""
    return f"{dimension}, e.g. {biomarker.unit}{also}"


def _unit_error(biomarker: Biomarker, unit: str, reason: str = "") -> ObservationValueError:
    return ObservationValueError(
        "unit",
        f"{unit!r} is not a unit of {biomarker.key}{reason} (expected {_expected(biomarker)})",
    )


def _convert(value: float, src: pint.Unit, dst: pint.Unit) -> float:
    return float(Q_(value, src).to(dst).magnitude)


def _to_default_unit(biomarker: Biomarker, value: float, unit: str | None) -> float:
    default = biomarker.unit
    if unit is None:
        return value
    if default is None:
        # Unitless scores and counts: accept only spellings that mean "1" ({score}, {#}, 1).
        try:
            parsed = _parse(unit)
        except UnitError:
            raise _unit_error(biomarker, unit) from None
        if parsed.dimensionless and _convert(1.0, parsed, parse_unit("1")) == 1.0:
            return value
        raise _unit_error(biomarker, unit)
    # 1. the default unit or a listed alternative, as written
    if _spelling(unit) == _spelling(default):
        return value
    for alt in biomarker.alternatives:
        if _spelling(unit) == _spelling(alt.unit):
            return _apply_alternative(value, unit, alt, default)
    try:
        parsed = _parse(unit)
    except UnitError:
        raise _unit_error(biomarker, unit) from None
    target = _parse(default)
    # 2. dimensionless defaults take only what is listed (a ratio of what?)
    if target.dimensionless:
        raise _unit_error(biomarker, unit, " (only the listed units are accepted for a ratio)")
    # 3. anything pint can convert to the default
    if parsed.dimensionality == target.dimensionality:
        return _convert(value, parsed, target)
    # 4. an alternative with a factor, written in another spelling of the same dimension
    for alt in biomarker.alternatives:
        if alt.factor is None:
            continue
        alt_unit = _parse(alt.unit)
        if not alt_unit.dimensionless and parsed.dimensionality == alt_unit.dimensionality:
            return _convert(value, parsed, alt_unit) * alt.factor + alt.offset
    raise _unit_error(biomarker, unit)


def _apply_alternative(value: float, unit: str, alt: UnitAlternative, default: str) -> float:
    if alt.factor is not None:
        return value * alt.factor + alt.offset
    return _convert(value, _parse(unit), _parse(default))
