"""Psoriasis Area and Severity Index (PASI; Fredriksson & Pettersson 1978).

For each body region r — head (h), upper limbs (u), trunk (t), lower limbs (l) — erythema E,
induration (infiltration/thickness) I and desquamation (scaling) D are scored 0–4 and the
involved area A is scored 0–6 (0: none, 1: < 10 %, 2: 10–29 %, 3: 30–49 %, 4: 50–69 %,
5: 70–89 %, 6: 90–100 %)::

    PASI = 0.1·(Eh+Ih+Dh)·Ah + 0.2·(Eu+Iu+Du)·Au + 0.3·(Et+It+Dt)·At + 0.4·(El+Il+Dl)·Al

(weights = the share of body surface of each region), range 0–72.

Bands: PASI ≤ 10 mild, > 10 moderate-to-severe (the "rule of tens", Finlay 2005; European
consensus, Mrowietz et al. 2011, which also requires BSA and DLQI — PASI alone is used here);
0 is ``clear``.

PASI75/90/100: ≥ 75/90/100 % reduction from baseline (PASI100 = clear skin).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.errors import InvalidInputError, Problem
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
    "PASI_BANDS",
    "PASI_COMPONENT_KEYS",
    "PASI_REGIONS",
    "PASI_REGION_WEIGHTS",
    "pasi",
    "pasi75",
    "pasi90",
    "pasi100",
    "pasi_area_score",
    "pasi_category",
    "pasi_from_components",
    "pasi_response",
]

PASI_REGIONS: tuple[str, ...] = ("H", "U", "T", "L")  # head, upper limbs, trunk, lower limbs
PASI_REGION_WEIGHTS: NDArray[np.float64] = np.array([0.1, 0.2, 0.3, 0.4])
PASI_COMPONENT_KEYS: tuple[str, ...] = tuple(
    f"PASI_{r}_{c}" for r in PASI_REGIONS for c in ("E", "I", "D", "A")
)
PASI_BANDS: tuple[Band, ...] = (
    Band("clear", 0.0),
    Band("mild", 10.0),
    Band("moderate_to_severe", np.inf),
)

CITATION_PASI = (
    "Fredriksson T, Pettersson U. Dermatologica 1978;157:238-244 (doi:10.1159/000250839); "
    "bands: Finlay AY. Br J Dermatol 2005;152:861-867; Mrowietz U et al. Arch Dermatol Res "
    "2011;303:1-10 (doi:10.1007/s00403-010-1080-1)"
)

_AREA_EDGES = np.array([0.0, 10.0, 30.0, 50.0, 70.0, 90.0])


def pasi(
    erythema: ArrayLike, induration: ArrayLike, desquamation: ArrayLike, area: ArrayLike
) -> FloatArray:
    """PASI from the region scores.

    Parameters
    ----------
    erythema, induration, desquamation
        Severity scores 0–4, shape ``(..., 4)`` in region order head, upper limbs, trunk,
        lower limbs (:data:`PASI_REGIONS`).
    area
        Area scores 0–6, shape ``(..., 4)`` (see :func:`pasi_area_score`).

    Returns
    -------
    numpy.ndarray
        PASI, 0–72, shape ``(...)``.

    Examples
    --------
    >>> round(float(pasi([2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2])), 6)
    12.0
    """
    check = _Checker("PASI input")
    e = check.array("erythema", erythema, high=4)
    i = check.array("induration", induration, high=4)
    d = check.array("desquamation", desquamation, high=4)
    a = check.array("area", area, high=6)
    for name, x in (("erythema", e), ("induration", i), ("desquamation", d), ("area", a)):
        if x.ndim == 0 or x.shape[-1] != 4:
            check.problems.append(
                Problem(name, f"expected shape (..., 4) (head, upper, trunk, lower), got {x.shape}")
            )
    check.done()
    return np.asarray(((e + i + d) * a) @ PASI_REGION_WEIGHTS)


def pasi_from_components(components: Mapping[str, ArrayLike]) -> FloatArray:
    """PASI from the 16 observation keys ``PASI_{H,U,T,L}_{E,I,D,A}``.

    Raises
    ------
    InvalidInputError
        Naming every missing component key.
    """
    absent = [k for k in PASI_COMPONENT_KEYS if k not in components]
    if absent:
        raise InvalidInputError(
            [Problem(k, "PASI component missing") for k in absent], what="PASI components"
        )

    def stack(c: str) -> FloatArray:
        parts = [np.asarray(components[f"PASI_{r}_{c}"], dtype=float) for r in PASI_REGIONS]
        return np.stack(np.broadcast_arrays(*parts), axis=-1)

    return pasi(stack("E"), stack("I"), stack("D"), stack("A"))


def pasi_area_score(percent_involved: ArrayLike) -> FloatArray:
    """Area score 0–6 from the percentage of a region involved (Fredriksson & Pettersson 1978).

    0: 0 %, 1: > 0 and < 10 %, 2: 10–29 %, 3: 30–49 %, 4: 50–69 %, 5: 70–89 %, 6: 90–100 %.

    Examples
    --------
    >>> pasi_area_score([0, 5, 10, 29.9, 30, 69, 90, 100]).tolist()
    [0.0, 1.0, 2.0, 2.0, 3.0, 4.0, 6.0, 6.0]
    """
    check = _Checker("PASI area input")
    p = check.array("percent_involved", percent_involved, high=100, unit="%")
    check.done()
    score = np.searchsorted(_AREA_EDGES, p, side="right").astype(float)
    score = np.where(p == 0, 0.0, score)
    return np.asarray(np.where(np.isnan(p), np.nan, score))


def pasi_category(values: ArrayLike) -> NDArray[np.object_]:
    """PASI band: ``clear`` (0), ``mild`` (≤ 10), ``moderate_to_severe`` (> 10)."""
    return categorise(values, PASI_BANDS)


def pasi_response(
    baseline: ArrayLike, current: ArrayLike, *, level: float, missing: Missing = "raise"
) -> BoolArray:
    """PASI-N: at least ``level`` % reduction from a baseline PASI > 0.

    Computed as ``(baseline − current)·100 ≥ level·baseline`` (no division, so PASI75 from
    20 to 5 is exactly met).

    Examples
    --------
    >>> pasi_response([20, 20, 20], [5, 5.1, 0], level=75).tolist()
    [True, False, True]
    """
    check = _Checker("PASI response input")
    b = check.array("baseline", baseline, high=72)
    c = check.array("current", current, high=72)
    check.done()
    b, c = np.broadcast_arrays(b, c)
    with np.errstate(invalid="ignore"):
        result = (b > 0) & ((b - c) * 100.0 >= level * b)
    return _resolve_missing(result, np.isnan(b) | np.isnan(c), missing, "PASI response input")


def pasi75(baseline: ArrayLike, current: ArrayLike, *, missing: Missing = "raise") -> BoolArray:
    """PASI75: ≥ 75 % reduction from baseline."""
    return pasi_response(baseline, current, level=75, missing=missing)


def pasi90(baseline: ArrayLike, current: ArrayLike, *, missing: Missing = "raise") -> BoolArray:
    """PASI90: ≥ 90 % reduction from baseline."""
    return pasi_response(baseline, current, level=90, missing=missing)


def pasi100(baseline: ArrayLike, current: ArrayLike, *, missing: Missing = "raise") -> BoolArray:
    """PASI100: complete clearance (current PASI 0) from a baseline PASI > 0."""
    return pasi_response(baseline, current, level=100, missing=missing)
