"""Units: one pint registry that understands the UCUM spellings used in clinical data.

Clinical systems write units in UCUM (``mg/dL``, ``10*9/L``, ``[IU]/mL``, ``mL/min/{1.73_m2}``).
pint does the arithmetic; this module only teaches it those spellings, so that every conversion in
the package goes through one registry and no unit is ever guessed.
"""

from __future__ import annotations

import re
import tokenize
from functools import lru_cache

import pint

from immunobalance.errors import ImmunobalanceError

__all__ = [
    "Q_",
    "UnitError",
    "convert",
    "parse_quantity",
    "parse_unit",
    "ureg",
]


class UnitError(ImmunobalanceError, ValueError):
    """A unit string could not be parsed or converted."""


def _build_registry() -> pint.UnitRegistry:
    reg: pint.UnitRegistry = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=True, on_redefinition="ignore"
    )
    # Arbitrary/clinical units. International units and enzyme units are not interconvertible
    # with mass, so they are their own dimensions.
    reg.define("international_unit = [international_unit] = IU")
    reg.define("enzyme_unit = [enzyme_activity] = U")
    # UCUM writes cell counts as annotations ({cells}/uL) or bare powers of ten (10*9/L): a cell
    # is a count, so it is dimensionless and cells/uL converts to 10*9/L.
    reg.define("cell = 1 = cells")
    # mm/h for ESR is an ordinary velocity; mm of a 100-mm VAS is handled by indices, not here.
    # UCUM powers of ten (10*9/L for cell counts) as named dimensionless factors.
    for exponent in (3, 6, 9, 12):
        reg.define(f"ten_pow_{exponent} = 1e{exponent}")
    return reg


ureg: pint.UnitRegistry = _build_registry()
Q_ = ureg.Quantity

# UCUM → pint spelling. Applied token-wise before parsing.
_UCUM_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    (r"\[IU\]", "IU"),
    (r"\[iU\]", "IU"),
    # eGFR "per 1.73 m2" is a normalisation annotation in UCUM (mL/min/{1.73_m2}), not a division
    (r"/\s*\{?1\.73[ _]?m2\}?", ""),
    (r"10\*(\d+)", r"ten_pow_\1"),
    (r"10\^(\d+)", r"ten_pow_\1"),
    (r"\{cells\}", "cells"),
    (r"\{[^}]*\}", "1"),  # UCUM annotations ({1.73_m2}, {ratio}) carry no dimension
    (r"\b(?:u|µ|μ|mc)g\b", "microgram"),  # UCUM writes micro as "u"
    (r"\b(?:u|µ|μ)L\b", "microliter"),
    (r"\b(?:u|µ|μ)mol\b", "micromole"),
    (r"\b(?:u|µ|μ)m\b", "micrometer"),
    (r"\bdl\b", "dL"),
    (r"\bml\b", "mL"),
    (r"\bl\b", "L"),
    (r"(?<=[a-zA-Z])2\b", "**2"),  # m2 → m**2
    (r"(?<=[a-zA-Z])3\b", "**3"),  # mm3 → mm**3 (cells/mm3)
    (r"(?<![a-zA-Z])h\b", "hour"),
    (r"\bmin\b", "minute"),
    (r"\bwk\b", "week"),
    (r"\bmo\b", "month"),
    (r"\ba\b", "year"),
    (r"\bd\b", "day"),
    (r"\bs\b", "second"),
)


def _to_pint_spelling(unit: str) -> str:
    text = unit.strip()
    for pattern, repl in _UCUM_REPLACEMENTS:
        text = re.sub(pattern, repl, text)
    return text


@lru_cache(maxsize=512)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a UCUM (or common clinical) unit string into a pint unit.

    Parameters
    ----------
    unit
        A unit such as ``"mg/dL"``, ``"10*9/L"``, ``"[IU]/mL"`` or ``"mL/min/{1.73_m2}"``.

    Raises
    ------
    UnitError
        If the string is not a unit; the message quotes it.

    Examples
    --------
    >>> str(parse_unit("mg/dL"))
    'milligram / deciliter'
    """
    if unit is None or not str(unit).strip():
        raise UnitError("empty unit")
    if unit.strip().startswith("/"):
        unit = "1" + unit.strip()
    if unit.strip() == "%":
        return ureg.percent
    try:
        parsed = ureg.parse_units(_to_pint_spelling(unit))
    except (
        pint.errors.PintError,
        AttributeError,
        TypeError,
        ValueError,
        SyntaxError,
        AssertionError,  # pint's parser asserts on fragments such as 'mg/' or ':'
        IndexError,
        KeyError,
        tokenize.TokenError,  # unbalanced brackets: '{', '('
    ) as exc:
        raise UnitError(f"{unit!r} is not a unit") from exc
    return parsed


def parse_quantity(text: str) -> pint.Quantity:
    """Parse ``"40 mg"``, ``"8 mg/kg"``, ``"1030 ug/m2"`` or ``"2 weeks"`` into a pint quantity.

    Raises
    ------
    UnitError
        If the text is not ``<number> <unit>``.
    """
    match = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(.+?)\s*", str(text))
    if not match:
        raise UnitError(f"{text!r} is not a quantity (expected '<number> <unit>', e.g. '40 mg')")
    value, unit = float(match.group(1)), match.group(2)
    return Q_(value, parse_unit(unit))


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a magnitude between two unit strings; raises :class:`UnitError` if incompatible."""
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(Q_(value, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}") from exc
