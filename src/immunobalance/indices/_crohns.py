"""Crohn's disease: Harvey–Bradshaw Index, Crohn's Disease Activity Index (CDAI-CD), and the
HBI-based surrogates of CDAI remission/response used for virtual patients.

Harvey–Bradshaw Index (Harvey & Bradshaw 1980), the sum of: general well-being (0 very well …
4 terrible), abdominal pain (0 none … 3 severe), number of liquid stools the previous day,
abdominal mass (0 none, 1 dubious, 2 definite, 3 definite and tender), and one point per
complication (arthralgia, uveitis, erythema nodosum, aphthous ulcers, pyoderma gangrenosum,
anal fissure, new fistula, abscess; 0–8). Bands (Best 2006): remission < 5, mild 5–7,
moderate 8–16, severe > 16. Response: a decrease ≥ 3 (Vermeire et al. 2010).

CDAI-CD (Best, Becktel, Singleton & Kern 1976)::

    CDAI = 2·(liquid/very soft stools, sum of 7 days) + 5·(abdominal pain, sum of 7 daily 0–3)
         + 7·(general well-being, sum of 7 daily 0–4) + 20·(number of complication categories, 0–6)
         + 30·(antidiarrhoeal opiate use, 0/1) + 10·(abdominal mass: 0 none, 2 questionable,
           5 definite) + 6·(expected haematocrit − haematocrit; expected 47 % men, 42 % women)
         + 1·(percentage below standard body weight)

Remission CDAI < 150; response a decrease ≥ 100 points (CR-100; Sandborn et al. 2002).

HBI → CDAI-CD for virtual patients (APPROXIMATION, documented)
    Vermeire et al. 2010 (PRECiSE 1/2, ~1000 paired scores) found HBI ≤ 4 corresponds to CDAI
    ≤ 150 (remission) and an HBI decrease of 3 to a CDAI decrease of 100 (response); Best 2006
    estimated 27 CDAI points per HBI point by weighted regression. We use these for
    ``CDAI_CD_REMISSION`` (HBI ≤ 4), ``CD_RESPONSE`` (ΔHBI ≤ −3) and ``CDAI_CD_CHANGE``
    (27 × ΔHBI; a change needs only the slope). We do not convert an absolute HBI into an
    absolute CDAI: Best reports wide, diverging 95 % prediction limits around his regression line,
    so a point conversion would pretend a precision the data do not have.
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
    "CDAI_CD_PER_HBI_POINT",
    "HBI_BANDS",
    "cd_remission",
    "cd_remission_from_hbi",
    "cd_response",
    "cd_response_from_hbi",
    "cdai_cd_change_from_hbi_change",
    "cdai_crohns",
    "harvey_bradshaw",
    "hbi_category",
]

HBI_BANDS: tuple[Band, ...] = (
    Band("remission", 5.0, inclusive=False),
    Band("mild", 7.0),
    Band("moderate", 16.0),
    Band("severe", np.inf),
)
CDAI_CD_PER_HBI_POINT = 27.0  # Best 2006, weighted regression slope

CITATION_HBI = (
    "Harvey RF, Bradshaw JM. Lancet 1980;1:514 (doi:10.1016/S0140-6736(80)92767-1); bands: "
    "Best WR. Inflamm Bowel Dis 2006;12:304-310 (doi:10.1097/01.MIB.0000215091.77492.2a); "
    "response: Vermeire S et al. Clin Gastroenterol Hepatol 2010;8:357-363"
)
CITATION_CDAI_CD = (
    "Best WR et al. Gastroenterology 1976;70:439-444 (PMID 1248701); remission/response: "
    "Sandborn WJ et al. Gastroenterology 2002;122:512-530"
)
CITATION_HBI_TO_CDAI = (
    "Vermeire S et al. Clin Gastroenterol Hepatol 2010;8:357-363 (doi:10.1016/j.cgh.2010.01.001); "
    "Best WR. Inflamm Bowel Dis 2006;12:304-310"
)


def harvey_bradshaw(
    wellbeing: ArrayLike,
    abdominal_pain: ArrayLike,
    liquid_stools: ArrayLike,
    abdominal_mass: ArrayLike,
    complications: ArrayLike,
) -> FloatArray:
    """Harvey–Bradshaw Index: the sum of its five items.

    Parameters
    ----------
    wellbeing
        General well-being yesterday, 0–4.
    abdominal_pain
        Abdominal pain yesterday, 0–3.
    liquid_stools
        Number of liquid or soft stools yesterday (count).
    abdominal_mass
        0 none, 1 dubious, 2 definite, 3 definite and tender.
    complications
        Number of listed complications present, 0–8.

    Examples
    --------
    >>> float(harvey_bradshaw(1, 2, 4, 0, 1))
    8.0
    """
    check = _Checker("Harvey-Bradshaw input")
    w = check.array("wellbeing", wellbeing, high=4)
    p = check.array("abdominal_pain", abdominal_pain, high=3)
    s = check.array("liquid_stools", liquid_stools, high=50)
    m = check.array("abdominal_mass", abdominal_mass, high=3)
    c = check.array("complications", complications, high=8)
    check.done()
    return np.asarray(w + p + s + m + c)


def hbi_category(values: ArrayLike) -> NDArray[np.object_]:
    """HBI band: remission < 5, mild 5–7, moderate 8–16, severe > 16 (Best 2006)."""
    return categorise(values, HBI_BANDS)


def cdai_crohns(
    liquid_stools_7d: ArrayLike,
    abdominal_pain_7d: ArrayLike,
    wellbeing_7d: ArrayLike,
    complication_categories: ArrayLike,
    antidiarrhoeal_opiates: ArrayLike,
    abdominal_mass: ArrayLike,
    haematocrit_pct: ArrayLike,
    percent_below_standard_weight: ArrayLike,
    *,
    male: ArrayLike,
) -> FloatArray:
    """Crohn's Disease Activity Index (Best et al. 1976).

    Parameters
    ----------
    liquid_stools_7d
        Number of liquid or very soft stools, summed over 7 days.
    abdominal_pain_7d
        Sum of 7 daily abdominal-pain ratings (0–3 each; 0–21).
    wellbeing_7d
        Sum of 7 daily general well-being ratings (0–4 each; 0–28).
    complication_categories
        Number of the six complication categories present (arthritis/arthralgia; iritis/uveitis;
        erythema nodosum, pyoderma gangrenosum or aphthous stomatitis; anal fissure, fistula or
        abscess; other fistula; fever > 37.8 °C in the past week), 0–6.
    antidiarrhoeal_opiates
        1 if taking diphenoxylate/loperamide/opiates for diarrhoea, else 0.
    abdominal_mass
        0 none, 2 questionable, 5 definite.
    haematocrit_pct
        Haematocrit, %.
    percent_below_standard_weight
        ``100 × (1 − weight / standard weight)``, as in the original form.
    male
        True for men (expected haematocrit 47 %), False for women (42 %).

    Examples
    --------
    >>> float(cdai_crohns(20, 10, 14, 1, 0, 0, 40, 5, male=True))
    255.0
    """
    check = _Checker("CDAI (Crohn's) input")
    x1 = check.array("liquid_stools_7d", liquid_stools_7d, high=350)
    x2 = check.array("abdominal_pain_7d", abdominal_pain_7d, high=21)
    x3 = check.array("wellbeing_7d", wellbeing_7d, high=28)
    x4 = check.array("complication_categories", complication_categories, high=6)
    x5 = check.array("antidiarrhoeal_opiates", antidiarrhoeal_opiates, high=1)
    x6 = check.array("abdominal_mass", abdominal_mass, high=5)
    hct = check.array("haematocrit_pct", haematocrit_pct, high=100, unit="%")
    x8 = check.array(
        "percent_below_standard_weight", percent_below_standard_weight, low=-100, high=100
    )
    check.done()
    expected = np.where(np.asarray(male, dtype=bool), 47.0, 42.0)
    return np.asarray(
        2 * x1 + 5 * x2 + 7 * x3 + 20 * x4 + 30 * x5 + 10 * x6 + 6 * (expected - hct) + x8
    )


def cd_remission(cdai_cd: ArrayLike, *, missing: Missing = "raise") -> BoolArray:
    """Crohn's clinical remission: CDAI < 150."""
    check = _Checker("CDAI remission input")
    x = check.array("cdai_cd", cdai_cd, low=-1000, high=1500)
    check.done()
    return _resolve_missing(np.asarray(x < 150), np.isnan(x), missing, "CDAI remission input")


def cd_response(
    cdai_baseline: ArrayLike, cdai_current: ArrayLike, *, missing: Missing = "raise"
) -> BoolArray:
    """Crohn's clinical response CR-100: CDAI decrease ≥ 100 points."""
    check = _Checker("CDAI response input")
    b = check.array("cdai_baseline", cdai_baseline, low=-1000, high=1500)
    c = check.array("cdai_current", cdai_current, low=-1000, high=1500)
    check.done()
    b, c = np.broadcast_arrays(b, c)
    return _resolve_missing(
        np.asarray(b - c >= 100), np.isnan(b) | np.isnan(c), missing, "CDAI response input"
    )


def cd_remission_from_hbi(hbi: ArrayLike, *, missing: Missing = "raise") -> BoolArray:
    """Surrogate of CDAI remission from HBI: HBI ≤ 4 (Vermeire et al. 2010). APPROXIMATION."""
    check = _Checker("HBI remission input")
    x = check.array("hbi", hbi, high=100)
    check.done()
    return _resolve_missing(np.asarray(x <= 4), np.isnan(x), missing, "HBI remission input")


def cd_response_from_hbi(
    hbi_baseline: ArrayLike, hbi_current: ArrayLike, *, missing: Missing = "raise"
) -> BoolArray:
    """Surrogate of CR-100 from HBI: a decrease ≥ 3 (Vermeire et al. 2010). APPROXIMATION."""
    check = _Checker("HBI response input")
    b = check.array("hbi_baseline", hbi_baseline, high=100)
    c = check.array("hbi_current", hbi_current, high=100)
    check.done()
    b, c = np.broadcast_arrays(b, c)
    return _resolve_missing(
        np.asarray(b - c >= 3), np.isnan(b) | np.isnan(c), missing, "HBI response input"
    )


def cdai_cd_change_from_hbi_change(delta_hbi: ArrayLike) -> FloatArray:
    """Change in CDAI-CD implied by a change in HBI: ``27 × ΔHBI`` (Best 2006). APPROXIMATION.

    Examples
    --------
    >>> float(cdai_cd_change_from_hbi_change(-4))
    -108.0
    """
    return np.asarray(CDAI_CD_PER_HBI_POINT * np.asarray(delta_hbi, dtype=float))
