"""Clinical and Simplified Disease Activity Indices for rheumatoid arthritis (CDAI, SDAI).

CDAI (Aletaha et al. 2005)::

    CDAI = TJC28 + SJC28 + PtGA(0–10 cm) + PhGA(0–10 cm)

SDAI (Smolen et al. 2003)::

    SDAI = CDAI + CRP(mg/dL)

The globals are entered here on the project's 0–100 mm VAS and divided by 10 (0–10 cm, the
instruments' scale); SDAI adds CRP in **mg/dL**, so a CRP in mg/L is divided by 10 — a CRP of
24 mg/L adds 2.4 points, not 24.

Bands (Aletaha & Smolen 2005 Clin Exp Rheumatol; Aletaha et al. 2005 Arthritis Res Ther):
CDAI remission ≤ 2.8, low ≤ 10, moderate ≤ 22, high > 22; SDAI remission ≤ 3.3, low ≤ 11,
moderate ≤ 26, high > 26.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.indices._base import Band, FloatArray, _Checker, categorise

__all__ = ["CDAI_BANDS", "SDAI_BANDS", "cdai", "cdai_category", "sdai", "sdai_category"]

CDAI_BANDS: tuple[Band, ...] = (
    Band("remission", 2.8),
    Band("low", 10.0),
    Band("moderate", 22.0),
    Band("high", np.inf),
)
SDAI_BANDS: tuple[Band, ...] = (
    Band("remission", 3.3),
    Band("low", 11.0),
    Band("moderate", 26.0),
    Band("high", np.inf),
)

CITATION_CDAI = (
    "Aletaha D et al. Arthritis Res Ther 2005;7:R796-R806 (doi:10.1186/ar1740); Aletaha D, "
    "Smolen JS. Clin Exp Rheumatol 2005;23(5 Suppl 39):S100-S108"
)
CITATION_SDAI = (
    "Smolen JS et al. Rheumatology 2003;42:244-257 (doi:10.1093/rheumatology/keg072); bands: "
    "Aletaha D, Smolen JS. Clin Exp Rheumatol 2005;23(5 Suppl 39):S100-S108"
)


def cdai(tjc28: ArrayLike, sjc28: ArrayLike, ptga_mm: ArrayLike, phga_mm: ArrayLike) -> FloatArray:
    """Clinical Disease Activity Index: ``TJC28 + SJC28 + PtGA/10 + PhGA/10`` (0–76).

    Parameters
    ----------
    tjc28, sjc28
        Tender / swollen 28-joint counts (0–28).
    ptga_mm, phga_mm
        Patient / physician global assessment on a 0–100 mm VAS (divided by 10 to the
        instrument's 0–10 cm scale).

    Returns
    -------
    numpy.ndarray
        CDAI, 0–76.

    Examples
    --------
    >>> float(cdai(8, 6, 50, 40))
    23.0
    """
    check = _Checker("CDAI input")
    t = check.array("tjc28", tjc28, high=28, unit="joints")
    s = check.array("sjc28", sjc28, high=28, unit="joints")
    pt = check.array("ptga_mm", ptga_mm, high=100, unit="mm")
    ph = check.array("phga_mm", phga_mm, high=100, unit="mm")
    check.done()
    return np.asarray(t + s + pt / 10.0 + ph / 10.0)


def sdai(
    tjc28: ArrayLike,
    sjc28: ArrayLike,
    ptga_mm: ArrayLike,
    phga_mm: ArrayLike,
    crp_mg_per_l: ArrayLike,
) -> FloatArray:
    """Simplified Disease Activity Index: ``CDAI + CRP[mg/dL]`` (CRP given in mg/L, ÷10).

    Parameters
    ----------
    tjc28, sjc28, ptga_mm, phga_mm
        As for :func:`cdai`.
    crp_mg_per_l
        C-reactive protein in mg/L; SDAI adds it in mg/dL (``crp_mg_per_l / 10``).

    Examples
    --------
    >>> round(float(sdai(8, 6, 50, 40, 24)), 6)  # CRP 24 mg/L = 2.4 mg/dL
    25.4
    """
    check = _Checker("SDAI input")
    crp = check.array("crp_mg_per_l", crp_mg_per_l, high=1000, unit="mg/L")
    check.done()
    return np.asarray(cdai(tjc28, sjc28, ptga_mm, phga_mm) + crp / 10.0)


def cdai_category(values: ArrayLike) -> NDArray[np.object_]:
    """CDAI band: ``remission`` ≤ 2.8 < ``low`` ≤ 10 < ``moderate`` ≤ 22 < ``high``."""
    return categorise(values, CDAI_BANDS)


def sdai_category(values: ArrayLike) -> NDArray[np.object_]:
    """SDAI band: ``remission`` ≤ 3.3 < ``low`` ≤ 11 < ``moderate`` ≤ 26 < ``high``."""
    return categorise(values, SDAI_BANDS)
