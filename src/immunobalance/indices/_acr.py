"""ACR20/50/70 response (Felson et al. 1995) and ACR/EULAR Boolean remission (Felson 2011).

ACR core set (Felson et al. 1993): tender joint count (68), swollen joint count (66), patient
global assessment, physician global assessment, patient pain, HAQ disability index and an
acute-phase reactant (CRP or ESR).

ACR-N response (N = 20, 50, 70): at least N % improvement from baseline in **both** tender and
swollen joint counts **and** at least N % improvement in **at least 3 of the 5** other core-set
measures (PtGA, PhGA, pain, HAQ-DI, acute-phase reactant).

Improvement of a measure is ``(baseline − follow-up) / baseline``; a measure at 0 at baseline
cannot improve by a percentage, so it never counts as improved (trials require TJC and SJC ≥ 6
at entry, so this only matters for the five other measures).

Boolean remission (Felson et al. 2011; revised by Studenic et al. 2023): TJC28 ≤ 1, SJC28 ≤ 1,
CRP ≤ 1 mg/dL (10 mg/L), PtGA ≤ 1 on 0–10 (2011) or ≤ 2 on 0–10 (2022 revision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.indices._base import BoolArray, FloatArray, Missing, _Checker, _resolve_missing

__all__ = [
    "AcrCoreSet",
    "acr20",
    "acr50",
    "acr70",
    "acr_eular_boolean_remission",
    "acr_response",
]

CITATION_ACR = (
    "Felson DT et al. Arthritis Rheum 1995;38:727-735 (doi:10.1002/art.1780380602); core set: "
    "Felson DT et al. Arthritis Rheum 1993;36:729-740"
)
CITATION_BOOLEAN = (
    "Felson DT et al. Arthritis Rheum 2011;63:573-586 (doi:10.1002/art.30129); revision: "
    "Studenic P et al. Ann Rheum Dis 2023;82:74-80 (doi:10.1136/ard-2022-223413)"
)


@dataclass(frozen=True)
class AcrCoreSet:
    """The ACR core-set measures at one visit (arrays over patients, or scalars).

    Parameters
    ----------
    tender_joints
        Tender joint count (68 joints in the ACR definition; a 28-joint count may be used when
        the trial used it — use the same count at both visits).
    swollen_joints
        Swollen joint count (66, or 28 as above).
    ptga_mm, phga_mm, pain_mm
        Patient global, physician global and patient pain on 0–100 mm VAS.
    haq_di
        HAQ disability index, 0–3.
    acute_phase
        CRP (mg/L) or ESR (mm/h): the same reactant and unit at both visits.
    """

    tender_joints: ArrayLike
    swollen_joints: ArrayLike
    ptga_mm: ArrayLike
    phga_mm: ArrayLike
    pain_mm: ArrayLike
    haq_di: ArrayLike
    acute_phase: ArrayLike

    def arrays(self, check: _Checker, prefix: str) -> dict[str, FloatArray]:
        """The measures as validated float arrays, keyed by field name."""
        limits = {
            "tender_joints": 68.0,
            "swollen_joints": 66.0,
            "ptga_mm": 100.0,
            "phga_mm": 100.0,
            "pain_mm": 100.0,
            "haq_di": 3.0,
            "acute_phase": 1000.0,
        }
        return {
            name: check.array(f"{prefix}.{name}", getattr(self, name), high=high)
            for name, high in limits.items()
        }


_OTHER_MEASURES = ("ptga_mm", "phga_mm", "pain_mm", "haq_di", "acute_phase")


def _improved(baseline: FloatArray, follow_up: FloatArray, level: float) -> BoolArray:
    """≥ level % improvement, computed without division: (b − c)·100 ≥ level·b, and b > 0."""
    with np.errstate(invalid="ignore"):
        return np.asarray((baseline > 0) & ((baseline - follow_up) * 100.0 >= level * baseline))


def acr_response(
    baseline: AcrCoreSet,
    follow_up: AcrCoreSet,
    *,
    level: float,
    missing: Missing = "raise",
) -> BoolArray:
    """ACR-N response (Felson et al. 1995) for each patient.

    Parameters
    ----------
    baseline, follow_up
        Core-set measures at baseline and at the assessment visit.
    level
        Required percentage improvement (20, 50, 70; any value in (0, 100]).
    missing
        ``"raise"`` (default): any NaN measure is an error. ``"nonresponder"``: a patient with a
        NaN measure is a non-responder (non-responder imputation).

    Returns
    -------
    numpy.ndarray of bool
        True where the patient meets ACR-N.

    Examples
    --------
    >>> b = AcrCoreSet(20, 15, 60, 60, 70, 1.5, 30)
    >>> c = AcrCoreSet(15, 11, 45, 50, 50, 1.25, 30)
    >>> bool(acr_response(b, c, level=20))  # joints improve, but only 2 of 5 others
    False
    """
    if not 0 < level <= 100:
        raise InvalidInputError(
            [Problem("level", f"expected 0 < level <= 100, got {level}")], what="ACR response input"
        )
    check = _Checker("ACR response input")
    b = baseline.arrays(check, "baseline")
    c = follow_up.arrays(check, "follow_up")
    check.done()
    names = list(b)
    arrays = np.broadcast_arrays(*(b[n] for n in names), *(c[n] for n in names))
    k = len(names)
    bb = dict(zip(names, arrays[:k], strict=True))
    cc = dict(zip(names, arrays[k:], strict=True))
    joints = _improved(bb["tender_joints"], cc["tender_joints"], level) & _improved(
        bb["swollen_joints"], cc["swollen_joints"], level
    )
    n_other = sum(_improved(bb[m], cc[m], level).astype(np.int8) for m in _OTHER_MEASURES)
    result = joints & (np.asarray(n_other) >= 3)
    missing_mask = np.zeros(result.shape, dtype=bool)
    for a in arrays:
        missing_mask |= np.isnan(a)
    return _resolve_missing(np.asarray(result), missing_mask, missing, "ACR response input")


def acr20(baseline: AcrCoreSet, follow_up: AcrCoreSet, *, missing: Missing = "raise") -> BoolArray:
    """ACR20: :func:`acr_response` with ``level=20``."""
    return acr_response(baseline, follow_up, level=20, missing=missing)


def acr50(baseline: AcrCoreSet, follow_up: AcrCoreSet, *, missing: Missing = "raise") -> BoolArray:
    """ACR50: :func:`acr_response` with ``level=50``."""
    return acr_response(baseline, follow_up, level=50, missing=missing)


def acr70(baseline: AcrCoreSet, follow_up: AcrCoreSet, *, missing: Missing = "raise") -> BoolArray:
    """ACR70: :func:`acr_response` with ``level=70``."""
    return acr_response(baseline, follow_up, level=70, missing=missing)


def acr_eular_boolean_remission(
    tjc28: ArrayLike,
    sjc28: ArrayLike,
    crp_mg_per_l: ArrayLike,
    ptga_mm: ArrayLike,
    *,
    version: Literal["2011", "2022"],
    missing: Missing = "raise",
) -> BoolArray:
    """ACR/EULAR Boolean remission.

    2011 (Felson et al.): TJC28 ≤ 1, SJC28 ≤ 1, CRP ≤ 1 mg/dL, PtGA ≤ 1 (0–10 scale).
    2022 revision (Studenic et al. 2023): the same with PtGA ≤ 2 (0–10).

    Parameters
    ----------
    tjc28, sjc28
        28-joint counts.
    crp_mg_per_l
        CRP in mg/L (threshold 10 mg/L = 1 mg/dL).
    ptga_mm
        Patient global on 0–100 mm (threshold 10 mm for 2011, 20 mm for 2022).
    version
        ``"2011"`` or ``"2022"`` — explicit, because the two disagree for PtGA 1–2.

    Examples
    --------
    >>> acr_eular_boolean_remission([1, 1], [0, 1], [8, 8], [15, 15], version="2022").tolist()
    [True, True]
    >>> acr_eular_boolean_remission([1, 1], [0, 1], [8, 8], [15, 15], version="2011").tolist()
    [False, False]
    """
    thresholds = {"2011": 10.0, "2022": 20.0}
    if version not in thresholds:
        raise InvalidInputError(
            [Problem("version", f"expected '2011' or '2022', got {version!r}")],
            what="Boolean remission input",
        )
    check = _Checker("Boolean remission input")
    t = check.array("tjc28", tjc28, high=28)
    s = check.array("sjc28", sjc28, high=28)
    crp = check.array("crp_mg_per_l", crp_mg_per_l, high=1000, unit="mg/L")
    g = check.array("ptga_mm", ptga_mm, high=100, unit="mm")
    check.done()
    t, s, crp, g = np.broadcast_arrays(t, s, crp, g)
    result = (t <= 1) & (s <= 1) & (crp <= 10.0) & (g <= thresholds[version])
    missing_mask = np.isnan(t) | np.isnan(s) | np.isnan(crp) | np.isnan(g)
    return _resolve_missing(result, missing_mask, missing, "Boolean remission input")
