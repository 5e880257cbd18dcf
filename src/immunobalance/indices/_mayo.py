"""Mayo score for ulcerative colitis (Schroeder et al. 1987), full and partial, and the trial
definitions of clinical remission and response.

Full Mayo = stool frequency + rectal bleeding + endoscopy + physician global assessment (PGA),
each 0–3, total 0–12 (Schroeder et al. 1987). Partial (non-invasive) Mayo = the same without
endoscopy, 0–9 (Lewis et al. 2008).

Bands
    Full Mayo (D'Haens et al. 2007; Schroeder 1987): remission ≤ 2 **with no subscore > 1**,
    mild 3–5, moderate 6–10, severe 11–12. A total ≤ 2 with a subscore of 2 is not
    remission; it is classed ``mild``.
    Partial Mayo (Lewis et al. 2008): remission ≤ 1, mild 2–4, moderate 5–6, severe 7–9.

Trial definitions (documented choices)
    *Clinical remission* (``mayo_clinical_remission``; ACT 1/2, Rutgeerts et al. 2005): full
    Mayo ≤ 2 and no subscore > 1.
    *Clinical response* (``mayo_clinical_response``; ACT 1/2): full Mayo decreased by ≥ 3 points
    **and** ≥ 30 % from baseline, **and** rectal-bleeding subscore decreased by ≥ 1 or ≤ 1.
    *Modified-Mayo remission* (``modified_mayo_remission``; FDA UC guidance 2016, as in
    later trials): stool ≤ 1, rectal bleeding 0, endoscopy ≤ 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.indices._base import (
    Band,
    BoolArray,
    FloatArray,
    Missing,
    _Checker,
    _resolve_missing,
    categorise,
)

__all__ = [
    "MAYO_BANDS",
    "PARTIAL_MAYO_BANDS",
    "mayo_category",
    "mayo_clinical_remission",
    "mayo_clinical_response",
    "mayo_score",
    "modified_mayo_remission",
    "partial_mayo_category",
    "partial_mayo_score",
]

MAYO_BANDS: tuple[Band, ...] = (
    Band("remission", 2.0),
    Band("mild", 5.0),
    Band("moderate", 10.0),
    Band("severe", np.inf),
)
PARTIAL_MAYO_BANDS: tuple[Band, ...] = (
    Band("remission", 1.0),
    Band("mild", 4.0),
    Band("moderate", 6.0),
    Band("severe", np.inf),
)

CITATION_MAYO = (
    "Schroeder KW, Tremaine WJ, Ilstrup DM. N Engl J Med 1987;317:1625-1629 "
    "(doi:10.1056/NEJM198712243172603); bands: D'Haens G et al. Gastroenterology "
    "2007;132:763-786; remission/response: Rutgeerts P et al. N Engl J Med 2005;353:2462-2476"
)
CITATION_PARTIAL_MAYO = (
    "Lewis JD et al. Inflamm Bowel Dis 2008;14:1660-1666 (doi:10.1002/ibd.20520)"
)


def _subscores(check: _Checker, **subs: ArrayLike) -> list[FloatArray]:
    return list(np.broadcast_arrays(*(check.array(name, v, high=3) for name, v in subs.items())))


def mayo_score(
    stool: ArrayLike, bleeding: ArrayLike, endoscopy: ArrayLike, pga: ArrayLike
) -> FloatArray:
    """Full Mayo score, 0–12: the sum of the four 0–3 subscores.

    Examples
    --------
    >>> float(mayo_score(2, 1, 2, 2))
    7.0
    """
    check = _Checker("Mayo input")
    s, b, e, p = _subscores(check, stool=stool, bleeding=bleeding, endoscopy=endoscopy, pga=pga)
    check.done()
    return np.asarray(s + b + e + p)


def partial_mayo_score(stool: ArrayLike, bleeding: ArrayLike, pga: ArrayLike) -> FloatArray:
    """Partial (non-invasive) Mayo, 0–9: stool + bleeding + PGA subscores.

    Examples
    --------
    >>> float(partial_mayo_score(2, 1, 2))
    5.0
    """
    check = _Checker("partial Mayo input")
    s, b, p = _subscores(check, stool=stool, bleeding=bleeding, pga=pga)
    check.done()
    return np.asarray(s + b + p)


def mayo_category(
    stool: ArrayLike, bleeding: ArrayLike, endoscopy: ArrayLike, pga: ArrayLike
) -> NDArray[np.object_]:
    """Full-Mayo band from the subscores (remission requires no subscore > 1).

    Examples
    --------
    >>> mayo_category([1, 2], [1, 0], [0, 0], [0, 0]).tolist()
    ['remission', 'mild']
    """
    total = mayo_score(stool, bleeding, endoscopy, pga)
    out = categorise(total, MAYO_BANDS)
    high_sub = np.max(np.stack(np.broadcast_arrays(stool, bleeding, endoscopy, pga)), axis=0) > 1
    out[(out == "remission") & high_sub] = "mild"
    return out


def partial_mayo_category(values: ArrayLike) -> NDArray[np.object_]:
    """Partial-Mayo band: remission ≤ 1, mild 2–4, moderate 5–6, severe 7–9."""
    return categorise(values, PARTIAL_MAYO_BANDS)


def mayo_clinical_remission(
    stool: ArrayLike,
    bleeding: ArrayLike,
    endoscopy: ArrayLike,
    pga: ArrayLike,
    *,
    missing: Missing = "raise",
) -> BoolArray:
    """Clinical remission (ACT 1/2): full Mayo ≤ 2 and no subscore > 1."""
    check = _Checker("Mayo remission input")
    s, b, e, p = _subscores(check, stool=stool, bleeding=bleeding, endoscopy=endoscopy, pga=pga)
    check.done()
    total = s + b + e + p
    ok = (total <= 2) & (s <= 1) & (b <= 1) & (e <= 1) & (p <= 1)
    return _resolve_missing(ok, np.isnan(total), missing, "Mayo remission input")


def modified_mayo_remission(
    stool: ArrayLike, bleeding: ArrayLike, endoscopy: ArrayLike, *, missing: Missing = "raise"
) -> BoolArray:
    """Remission on the modified Mayo (FDA 2016): stool ≤ 1, bleeding 0, endoscopy ≤ 1."""
    check = _Checker("modified Mayo remission input")
    s, b, e = _subscores(check, stool=stool, bleeding=bleeding, endoscopy=endoscopy)
    check.done()
    ok = (s <= 1) & (b == 0) & (e <= 1)
    return _resolve_missing(ok, np.isnan(s + b + e), missing, "modified Mayo remission input")


def mayo_clinical_response(
    total_baseline: ArrayLike,
    total_current: ArrayLike,
    bleeding_baseline: ArrayLike,
    bleeding_current: ArrayLike,
    *,
    missing: Missing = "raise",
) -> BoolArray:
    """Clinical response (ACT 1/2): Δ full Mayo ≥ 3 and ≥ 30 %, with bleeding ↓ ≥ 1 or ≤ 1.

    Examples
    --------
    >>> mayo_clinical_response([9, 9, 10], [6, 6, 7], [2, 3, 3], [1, 3, 2]).tolist()
    [True, False, True]
    """
    check = _Checker("Mayo response input")
    tb = check.array("total_baseline", total_baseline, high=12)
    tc = check.array("total_current", total_current, high=12)
    bb = check.array("bleeding_baseline", bleeding_baseline, high=3)
    bc = check.array("bleeding_current", bleeding_current, high=3)
    check.done()
    tb, tc, bb, bc = np.broadcast_arrays(tb, tc, bb, bc)
    drop = tb - tc
    ok = (drop >= 3) & (drop * 100.0 >= 30.0 * tb) & ((bb - bc >= 1) | (bc <= 1))
    nan = np.isnan(tb) | np.isnan(tc) | np.isnan(bb) | np.isnan(bc)
    return _resolve_missing(ok, nan, missing, "Mayo response input")
