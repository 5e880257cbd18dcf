"""Multiple sclerosis: annualised relapse rate, EDSS bands and confirmed disability progression.

Annualised relapse rate (ARR)
    Per patient: relapses / years of follow-up. For a trial arm, the unadjusted ARR is the total
    number of relapses divided by the total patient-years (``pooled_annualised_relapse_rate``);
    trials usually report a negative-binomial or Poisson-model estimate, which equals this ratio
    without covariates.

EDSS (Kurtzke 1983), 0–10 in 0.5 steps (1.0 is followed by 1.5). Bands used here, from the
scale's own anchors: ≤ 3.5 ``fully_ambulatory`` (mild-moderate disability), 4.0–5.5
``limited_ambulation`` (walks ≥ 100–500 m without aid), 6.0–6.5 ``walking_aid``, ≥ 7.0
``wheelchair_or_bed``.

Confirmed disability progression (CDP), the rule used here (as in OPERA I/II, Hauser et al.
2017, and ASCLEPIOS, Hauser et al. 2020; reliability: Kalincik et al. 2015)
    An increase from baseline EDSS of ≥ 1.5 if baseline is 0, ≥ 1.0 if baseline is 0.5–5.5,
    ≥ 0.5 if baseline > 5.5; the increase must be met at a visit and still met at **every**
    later visit up to and including the first visit ≥ ``confirm_weeks`` (12) weeks after it
    (fixed baseline; a progression not confirmed because follow-up ended is not counted).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.indices._base import (
    Band,
    BoolArray,
    FloatArray,
    _Checker,
    categorise,
)

__all__ = [
    "EDSS_BANDS",
    "annualised_relapse_rate",
    "confirmed_disability_progression",
    "edss_category",
    "edss_progression_threshold",
    "edss_worsened",
    "pooled_annualised_relapse_rate",
]

EDSS_BANDS: tuple[Band, ...] = (
    Band("fully_ambulatory", 3.5),
    Band("limited_ambulation", 5.5),
    Band("walking_aid", 6.5),
    Band("wheelchair_or_bed", np.inf),
)

CITATION_EDSS = "Kurtzke JF. Neurology 1983;33:1444-1452 (doi:10.1212/WNL.33.11.1444)"
CITATION_CDP = (
    "Hauser SL et al. N Engl J Med 2017;376:221-234 (doi:10.1056/NEJMoa1601277); Hauser SL et al. "
    "N Engl J Med 2020;383:546-557; Kalincik T et al. Brain 2015;138:3287-3298"
)
CITATION_ARR = "Annualised relapse rate: relapses per patient-year of follow-up (e.g. Hauser 2017)"


def annualised_relapse_rate(relapses: ArrayLike, years: ArrayLike) -> FloatArray:
    """Relapses per year of follow-up, per patient.

    Examples
    --------
    >>> annualised_relapse_rate([1, 0, 3], [2.0, 2.0, 1.5]).tolist()
    [0.5, 0.0, 2.0]
    """
    check = _Checker("ARR input")
    r = check.array("relapses", relapses, high=1000)
    y = check.array("years", years, low=0, low_open=True, high=100, unit="years")
    check.done()
    return np.asarray(r / y)


def pooled_annualised_relapse_rate(relapses: ArrayLike, years: ArrayLike) -> float:
    """Total relapses / total patient-years (the unadjusted ARR of a trial arm).

    Examples
    --------
    >>> pooled_annualised_relapse_rate([1, 0, 3], [2.0, 2.0, 1.5])
    0.7272727272727273
    """
    check = _Checker("ARR input")
    r = check.array("relapses", relapses, high=1000)
    y = check.array("years", years, low=0, low_open=True, high=100, unit="years")
    check.require_present("relapses", r, "a pooled ARR needs every patient's count")
    check.require_present("years", y, "a pooled ARR needs every patient's follow-up")
    check.done()
    return float(np.sum(r) / np.sum(y))


def edss_category(values: ArrayLike) -> NDArray[np.object_]:
    """EDSS band (Kurtzke 1983 anchors): fully_ambulatory ≤ 3.5 < limited_ambulation ≤ 5.5 <
    walking_aid ≤ 6.5 < wheelchair_or_bed."""
    return categorise(values, EDSS_BANDS)


def edss_progression_threshold(baseline: ArrayLike) -> FloatArray:
    """Required EDSS increase: 1.5 from 0, 1.0 from 0.5–5.5, 0.5 above 5.5.

    Examples
    --------
    >>> edss_progression_threshold([0, 0.5, 5.5, 6.0]).tolist()
    [1.5, 1.0, 1.0, 0.5]
    """
    check = _Checker("EDSS input")
    b = check.array("baseline", baseline, high=10)
    check.done()
    out = np.where(b == 0, 1.5, np.where(b <= 5.5, 1.0, 0.5))
    return np.asarray(np.where(np.isnan(b), np.nan, out))


def edss_worsened(baseline: ArrayLike, edss: ArrayLike) -> BoolArray:
    """Unconfirmed worsening: EDSS − baseline ≥ the threshold (NaN compares False)."""
    check = _Checker("EDSS input")
    b = check.array("baseline", baseline, high=10)
    e = check.array("edss", edss, high=10)
    check.done()
    with np.errstate(invalid="ignore"):
        # half-point scale: compare with a tolerance against float noise in simulated values
        return np.asarray(e - b >= edss_progression_threshold(b) - 1e-9)


def confirmed_disability_progression(
    edss: ArrayLike, weeks: ArrayLike, *, confirm_weeks: float = 12.0
) -> BoolArray:
    """Confirmed disability progression by the last visit, per patient.

    Parameters
    ----------
    edss
        EDSS at each visit, shape ``(..., n_visits)``; column 0 is baseline.
    weeks
        Visit times in weeks, shape ``(n_visits,)``, strictly increasing, ``weeks[0]`` baseline.
    confirm_weeks
        Confirmation interval (12 for CDP12, 24 for CDP24).

    Returns
    -------
    numpy.ndarray of bool, shape ``(...)``
        True where a worsening at some visit is sustained at every visit up to and including
        the first visit ≥ ``confirm_weeks`` later.

    Examples
    --------
    >>> confirmed_disability_progression([[2.0, 3.0, 3.0], [2.0, 3.0, 2.5]], [0, 12, 24]).tolist()
    [True, False]
    """
    t = np.asarray(weeks, dtype=float)
    x = np.asarray(edss, dtype=float)
    problems = []
    if t.ndim != 1 or t.size < 2 or np.any(np.diff(t) <= 0):
        problems.append(Problem("weeks", "expected a strictly increasing 1-D array of ≥ 2 times"))
    elif x.shape[-1:] != t.shape:
        problems.append(Problem("edss", f"expected shape (..., {t.size}), got {x.shape}"))
    if confirm_weeks <= 0:
        problems.append(Problem("confirm_weeks", f"expected > 0, got {confirm_weeks}"))
    if problems:
        raise InvalidInputError(problems, what="CDP input")
    worse = edss_worsened(x[..., :1], x)  # (..., n_visits)
    n = t.size
    confirmed = np.zeros(x.shape[:-1], dtype=bool)
    for i in range(1, n):
        j = int(np.searchsorted(t, t[i] + confirm_weeks - 1e-9, side="left"))
        if j >= n:
            break
        confirmed |= np.all(worse[..., i : j + 1], axis=-1)
    return confirmed
