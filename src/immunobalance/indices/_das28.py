"""Disease Activity Score in 28 joints (DAS28), ESR and CRP (4-variable) forms.

DAS28-ESR (Prevoo et al. 1995)::

    DAS28-ESR = 0.56·√TJC28 + 0.28·√SJC28 + 0.70·ln(ESR) + 0.014·PtGA

DAS28-CRP (4 variables; DAS website, Fransen 2003/van Riel's DAS-score.nl)::

    DAS28-CRP = 0.56·√TJC28 + 0.28·√SJC28 + 0.36·ln(CRP + 1) + 0.014·PtGA + 0.96

with ESR in mm/h, **CRP in mg/L**, PtGA (patient global assessment of disease activity / general
health) on a 0–100 mm VAS.

Bands (both forms; van Gestel et al. 1998 for DAS28; Fransen & van Riel 2005): remission < 2.6,
low ≤ 3.2, moderate ≤ 5.1, high > 5.1. DAS28-CRP reads systematically lower than DAS28-ESR at the
same activity (Wells et al. 2009 Ann Rheum Dis 68:954–960; Inoue et al. 2007 Ann Rheum Dis
66:407–409), so the same cut-offs classify more patients as in remission with CRP — a known
discordance we keep rather than hide, because trials report DAS28-CRP against these bands.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.indices._base import Band, FloatArray, _Checker, categorise

__all__ = ["DAS28_BANDS", "das28_category", "das28_crp", "das28_esr"]

DAS28_BANDS: tuple[Band, ...] = (
    Band("remission", 2.6, inclusive=False),
    Band("low", 3.2),
    Band("moderate", 5.1),
    Band("high", np.inf),
)

CITATION_DAS28_ESR = (
    "Prevoo MLL et al. Arthritis Rheum 1995;38:44-48 (doi:10.1002/art.1780380107); bands: "
    "van Gestel AM et al. Arthritis Rheum 1998;41:1845-1850; Fransen J, van Riel PLCM. Clin Exp "
    "Rheumatol 2005;23(5 Suppl 39):S93-S99"
)
CITATION_DAS28_CRP = (
    "DAS28-CRP(4): www.das-score.nl (Radboud UMC); Fransen J, van Riel PLCM. Clin Exp Rheumatol "
    "2005;23(5 Suppl 39):S93-S99; discordance: Wells G et al. Ann Rheum Dis 2009;68:954-960"
)


def _joint_terms(
    check: _Checker, tjc28: ArrayLike, sjc28: ArrayLike, ptga_mm: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    t = check.array("tjc28", tjc28, high=28, unit="joints")
    s = check.array("sjc28", sjc28, high=28, unit="joints")
    g = check.array("ptga_mm", ptga_mm, high=100, unit="mm")
    return t, s, g


def das28_esr(
    tjc28: ArrayLike, sjc28: ArrayLike, esr_mm_per_h: ArrayLike, ptga_mm: ArrayLike
) -> FloatArray:
    """DAS28 with erythrocyte sedimentation rate.

    ``0.56·√TJC28 + 0.28·√SJC28 + 0.70·ln(ESR) + 0.014·PtGA`` (Prevoo et al. 1995).

    Parameters
    ----------
    tjc28, sjc28
        Tender / swollen joint counts of the 28-joint count (0–28).
    esr_mm_per_h
        Erythrocyte sedimentation rate, mm/h (> 0; ln is undefined at 0).
    ptga_mm
        Patient global assessment, 0–100 mm VAS.

    Returns
    -------
    numpy.ndarray
        DAS28-ESR (about 0.5–9.4); NaN where an input is NaN.

    Raises
    ------
    InvalidInputError
        Any input out of range (all arguments reported together).

    Examples
    --------
    >>> round(float(das28_esr(4, 2, 30, 50)), 2)
    4.6
    """
    check = _Checker("DAS28-ESR input")
    t, s, g = _joint_terms(check, tjc28, sjc28, ptga_mm)
    esr = check.array("esr_mm_per_h", esr_mm_per_h, low=0, low_open=True, high=200, unit="mm/h")
    check.done()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(0.56 * np.sqrt(t) + 0.28 * np.sqrt(s) + 0.70 * np.log(esr) + 0.014 * g)


def das28_crp(
    tjc28: ArrayLike, sjc28: ArrayLike, crp_mg_per_l: ArrayLike, ptga_mm: ArrayLike
) -> FloatArray:
    """DAS28 with C-reactive protein (4 variables).

    ``0.56·√TJC28 + 0.28·√SJC28 + 0.36·ln(CRP + 1) + 0.014·PtGA + 0.96`` with CRP in **mg/L**.

    Parameters
    ----------
    tjc28, sjc28
        Tender / swollen joint counts (0–28).
    crp_mg_per_l
        C-reactive protein in mg/L (not mg/dL: 2.4 mg/dL is 24 mg/L).
    ptga_mm
        Patient global assessment, 0–100 mm VAS.

    Returns
    -------
    numpy.ndarray
        DAS28-CRP (0.96–about 8.6); NaN where an input is NaN.

    Examples
    --------
    >>> round(float(das28_crp(4, 2, 24, 50)), 2)
    4.33
    """
    check = _Checker("DAS28-CRP input")
    t, s, g = _joint_terms(check, tjc28, sjc28, ptga_mm)
    crp = check.array("crp_mg_per_l", crp_mg_per_l, high=1000, unit="mg/L")
    check.done()
    return np.asarray(
        0.56 * np.sqrt(t) + 0.28 * np.sqrt(s) + 0.36 * np.log(crp + 1.0) + 0.014 * g + 0.96
    )


def das28_category(values: ArrayLike) -> NDArray[np.object_]:
    """DAS28 band (``remission`` < 2.6 ≤ ``low`` ≤ 3.2 < ``moderate`` ≤ 5.1 < ``high``)."""
    return categorise(values, DAS28_BANDS)
