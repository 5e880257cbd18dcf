"""Well-formedness of clinical codes: ICD-10-CM, LOINC (with its mod-10 check digit), SNOMED CT.

These checks catch curation typos; they do not prove a code exists in the terminology release.
"""

from __future__ import annotations

import re

__all__ = ["icd10_matches", "is_icd10cm", "is_loinc", "is_snomed_ct", "loinc_check_digit"]

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def is_icd10cm(code: str) -> bool:
    """True if ``code`` has ICD-10-CM shape: letter, digit, alphanumeric, optional ``.xxxx``.

    >>> is_icd10cm("M05.79"), is_icd10cm("I50"), is_icd10cm("M5")
    (True, True, False)
    """
    return bool(_ICD10CM.match(code))


def icd10_matches(code: str, rule: str) -> bool:
    """Hierarchical match: rule ``I50`` matches ``I50.23``; ``M06.1`` matches ``M06.1x`` only.

    Ranges are written ``C00-C96`` and match any 3-character category inside them.
    """
    code, rule = code.upper().replace(" ", ""), rule.upper().replace(" ", "")
    if "-" in rule:
        lo, hi = rule.split("-", 1)
        return lo[:3] <= code[:3] <= hi[:3]
    stripped_code, stripped_rule = code.replace(".", ""), rule.replace(".", "")
    return stripped_code.startswith(stripped_rule)


def loinc_check_digit(base: str) -> int:
    """LOINC mod-10 check digit of the numeric part before the hyphen.

    Algorithm (LOINC Users' Guide, Appendix: "Calculating Mod 10 check digits"): from the right,
    double every other digit starting with the rightmost, concatenate, sum all digits, and take
    the amount needed to reach the next multiple of 10.

    >>> loinc_check_digit("1988")  # C-reactive protein 1988-5
    5
    """
    digits = [int(c) for c in base]
    odd = "".join(str(d) for d in digits[::-1][::2])[::-1]  # rightmost and every other
    even = "".join(str(d) for d in digits[::-1][1::2])[::-1]
    doubled = str(int(odd) * 2) if odd else ""
    total = sum(int(c) for c in doubled + even)
    return (10 - total % 10) % 10


def is_loinc(code: str) -> bool:
    """True if ``code`` is ``NNNNN-C`` with a correct mod-10 check digit.

    >>> is_loinc("1988-5"), is_loinc("1988-4")
    (True, False)
    """
    match = re.fullmatch(r"(\d{1,7})-(\d)", code)
    return match is not None and loinc_check_digit(match.group(1)) == int(match.group(2))


def is_snomed_ct(code: str) -> bool:
    """True if ``code`` is an SCTID: 6–18 digits with a valid Verhoeff check digit."""
    if not re.fullmatch(r"\d{6,18}", code):
        return False
    d = (
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
        (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
        (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
        (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
        (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
        (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
        (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
        (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
        (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
        (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
    )
    p = (
        (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
        (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
        (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
        (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
        (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
        (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
        (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
        (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
    )
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = d[c][p[i % 8][int(ch)]]
    return c == 0
