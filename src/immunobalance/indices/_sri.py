"""SLE response criteria: SRI-4 (Furie et al. 2009) and BICLA (Wallace et al. 2014), with their
BILAG-2004 parts APPROXIMATED from SLEDAI-2K descriptors.

Both criteria need BILAG-2004 organ-domain grades (A severe … E never involved), which neither
patient records here nor the simulated read-outs carry. We therefore approximate each BILAG
domain's grade from the SLEDAI-2K descriptors that belong to it (the mapping follows the
BILAG-2004 domains, Isenberg et al. 2005 Rheumatology 44:902):

==================  ===================================================================
BILAG-2004 domain   SLEDAI-2K descriptors
==================  ===================================================================
constitutional      FEVER
mucocutaneous       RASH, ALOPECIA, MUCOSAL, VASCULITIS (cutaneous vasculitis)
neuropsychiatric    SEIZURE, PSYCHOSIS, OBS, CRANIAL, HEADACHE, CVA
musculoskeletal     ARTHRITIS, MYOSITIS
cardiorespiratory   PLEURISY, PERICARDITIS
ophthalmic          VISUAL
renal               CASTS, HEMATURIA, PROTEINURIA, PYURIA
haematological      THROMBOCYTOPENIA, LEUKOPENIA
==================  ===================================================================

(Serology — LOWCOMPLEMENT, DNA — is not a BILAG domain; the gastrointestinal domain has no
SLEDAI-2K descriptor and is treated as never involved.)

Approximate grade of a domain: **"A"** if it holds a weight-8 descriptor or its SLEDAI-2K
weights sum to ≥ 8 (e.g. casts + proteinuria), **"B"** if it holds any other positive
descriptor, otherwise inactive (C/D/E). A "new A" is an A-like domain at follow-up that was not
A-like at baseline; a "new B" is a B-like domain at follow-up that was inactive at baseline.

SRI-4 = SLEDAI reduction ≥ 4 **and** no new A and ≤ 1 new B (approximated) **and** physician
global assessment (PGA, 0–3) worsening < 0.3 (< 10 %).

BICLA ≈ every A-like baseline domain improved to B-like or better and every B-like baseline
domain to inactive (approximated BILAG improvement) **and** no new A and ≤ 1 new B **and**
SLEDAI-2K not higher than at baseline **and** PGA worsening < 0.3. BICLA's "no treatment failure"
arm is not computed here: trial analyses count rescue/prohibited medication as non-response
before calling these functions.

Furie 2009 used SELENA-SLEDAI; SLEDAI-2K scores persistent rash, alopecia, mucosal ulcers and
proteinuria as active, so it is at least as high — the 4-point reduction rule is applied to it
as in later SRI-4 analyses.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.indices._base import BoolArray, Missing, _Checker, _resolve_missing
from immunobalance.indices._sledai import SLEDAI_2K_ITEMS, SLEDAI_2K_WEIGHTS, _as_descriptors

__all__ = ["BILAG_DOMAINS_FROM_SLEDAI", "approximate_bilag_grades", "bicla", "sri4"]

BILAG_DOMAINS_FROM_SLEDAI: Mapping[str, tuple[str, ...]] = {
    "constitutional": ("FEVER",),
    "mucocutaneous": ("RASH", "ALOPECIA", "MUCOSAL", "VASCULITIS"),
    "neuropsychiatric": ("SEIZURE", "PSYCHOSIS", "OBS", "CRANIAL", "HEADACHE", "CVA"),
    "musculoskeletal": ("ARTHRITIS", "MYOSITIS"),
    "cardiorespiratory": ("PLEURISY", "PERICARDITIS"),
    "ophthalmic": ("VISUAL",),
    "renal": ("CASTS", "HEMATURIA", "PROTEINURIA", "PYURIA"),
    "haematological": ("THROMBOCYTOPENIA", "LEUKOPENIA"),
}

CITATION_SRI4 = (
    "Furie RA et al. Arthritis Rheum 2009;61:1143-1151 (doi:10.1002/art.24698); BILAG part "
    "approximated from SLEDAI-2K descriptors (immunobalance, docs/indices.md)"
)
CITATION_BICLA = (
    "Wallace DJ et al. Ann Rheum Dis 2014;73:183-190 (doi:10.1136/annrheumdis-2012-202760); "
    "BILAG-2004 grades approximated from SLEDAI-2K descriptors (immunobalance, docs/indices.md)"
)

_PGA_WORSENING = 0.3  # on the 0-3 PGA scale (10 %)
_TOL = 1e-9

# (domains, 24) weight matrix: weight of each descriptor in its domain, 0 elsewhere.
_DOMAIN_WEIGHTS = np.array(
    [
        [SLEDAI_2K_WEIGHTS[k] if k in items else 0.0 for k in SLEDAI_2K_ITEMS]
        for items in BILAG_DOMAINS_FROM_SLEDAI.values()
    ]
)
_DOMAIN_HAS_8 = np.array(
    [
        [1.0 if (k in items and SLEDAI_2K_WEIGHTS[k] == 8) else 0.0 for k in SLEDAI_2K_ITEMS]
        for items in BILAG_DOMAINS_FROM_SLEDAI.values()
    ]
)


def approximate_bilag_grades(
    descriptors: ArrayLike | Mapping[str, ArrayLike],
) -> NDArray[np.int8]:
    """Approximate BILAG-2004 grade per domain: 2 ≈ A, 1 ≈ B, 0 inactive (C/D/E).

    Parameters
    ----------
    descriptors
        SLEDAI-2K descriptors, ``(..., 24)`` or a mapping (see :func:`sledai_2k`).

    Returns
    -------
    numpy.ndarray of int8, shape ``(..., 8)``
        One grade per domain of :data:`BILAG_DOMAINS_FROM_SLEDAI`, in its order.
    """
    x = np.nan_to_num(_as_descriptors(descriptors))
    score = x @ _DOMAIN_WEIGHTS.T
    severe = (x @ _DOMAIN_HAS_8.T > 0) | (score >= 8)
    grade = np.where(severe, 2, np.where(score > 0, 1, 0))
    return grade.astype(np.int8)


def _new_domains(base: NDArray[np.int8], follow: NDArray[np.int8]) -> BoolArray:
    """No new A and at most one new B (approximate BILAG part of SRI-4 and BICLA)."""
    new_a = ((follow == 2) & (base < 2)).sum(axis=-1)
    new_b = ((follow == 1) & (base == 0)).sum(axis=-1)
    return np.asarray((new_a == 0) & (new_b <= 1))


def _inputs(
    descriptors_baseline: ArrayLike | Mapping[str, ArrayLike],
    descriptors_follow_up: ArrayLike | Mapping[str, ArrayLike],
    pga_baseline: ArrayLike,
    pga_follow_up: ArrayLike,
    what: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    b = _as_descriptors(descriptors_baseline)
    f = _as_descriptors(descriptors_follow_up)
    check = _Checker(what)
    pb = check.array("pga_baseline", pga_baseline, high=3, unit="(0-3 scale)")
    pf = check.array("pga_follow_up", pga_follow_up, high=3, unit="(0-3 scale)")
    check.done()
    return b, f, pb, pf


def sri4(
    descriptors_baseline: ArrayLike | Mapping[str, ArrayLike],
    descriptors_follow_up: ArrayLike | Mapping[str, ArrayLike],
    pga_baseline: ArrayLike,
    pga_follow_up: ArrayLike,
    *,
    missing: Missing = "raise",
) -> BoolArray:
    """SLE Responder Index 4 (BILAG part approximated; see module docstring).

    Parameters
    ----------
    descriptors_baseline, descriptors_follow_up
        SLEDAI-2K descriptors ``(..., 24)`` (or mappings) at baseline and follow-up.
    pga_baseline, pga_follow_up
        Physician global assessment on the SLE 0–3 scale (a 0–100 mm PhGA × 0.03).
    missing
        ``"raise"`` or ``"nonresponder"`` for NaN inputs.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> import numpy as np
    >>> base = np.zeros(24); base[[8, 14, 19, 20]] = 1   # arthritis, rash, low C, DNA: 10
    >>> after = np.zeros(24); after[[19, 20]] = 1         # serology only: 4
    >>> bool(sri4(base, after, 1.5, 1.2))
    True
    """
    b, f, pb, pf = _inputs(
        descriptors_baseline, descriptors_follow_up, pga_baseline, pga_follow_up, "SRI-4 input"
    )
    sb, sf = np.nan_to_num(b) @ _weights(), np.nan_to_num(f) @ _weights()
    ok = (sb - sf >= 4) & _new_domains(approximate_bilag_grades(b), approximate_bilag_grades(f))
    ok, pb, pf = np.broadcast_arrays(ok, pb, pf)
    with np.errstate(invalid="ignore"):
        ok = ok & (pf - pb < _PGA_WORSENING - _TOL)
    nan = _nan_mask(b, f, pb, pf)
    return _resolve_missing(np.asarray(ok), nan, missing, "SRI-4 input")


def bicla(
    descriptors_baseline: ArrayLike | Mapping[str, ArrayLike],
    descriptors_follow_up: ArrayLike | Mapping[str, ArrayLike],
    pga_baseline: ArrayLike,
    pga_follow_up: ArrayLike,
    *,
    missing: Missing = "raise",
) -> BoolArray:
    """BILAG-based Composite Lupus Assessment, approximated from SLEDAI-2K (module docstring).

    Parameters are as for :func:`sri4`. Treatment failure is not part of this function.

    Examples
    --------
    >>> import numpy as np
    >>> base = np.zeros(24); base[[8, 14]] = 1   # arthritis (B-like), rash (B-like)
    >>> after = np.zeros(24); after[14] = 1      # rash persists: mucocutaneous not improved
    >>> bool(bicla(base, after, 1.0, 1.0))
    False
    """
    b, f, pb, pf = _inputs(
        descriptors_baseline, descriptors_follow_up, pga_baseline, pga_follow_up, "BICLA input"
    )
    gb, gf = approximate_bilag_grades(b), approximate_bilag_grades(f)
    improved = np.all((gb == 0) | (gf < gb), axis=-1)
    sb, sf = np.nan_to_num(b) @ _weights(), np.nan_to_num(f) @ _weights()
    ok = improved & _new_domains(gb, gf) & (sf <= sb)
    ok, pb, pf = np.broadcast_arrays(ok, pb, pf)
    with np.errstate(invalid="ignore"):
        ok = ok & (pf - pb < _PGA_WORSENING - _TOL)
    nan = _nan_mask(b, f, pb, pf)
    return _resolve_missing(np.asarray(ok), nan, missing, "BICLA input")


def _weights() -> NDArray[np.float64]:
    return np.array([SLEDAI_2K_WEIGHTS[k] for k in SLEDAI_2K_ITEMS], dtype=float)


def _nan_mask(
    b: NDArray[np.float64], f: NDArray[np.float64], pb: NDArray[np.float64], pf: NDArray[np.float64]
) -> BoolArray:
    items = np.isnan(b).any(axis=-1) | np.isnan(f).any(axis=-1)
    return np.asarray(np.broadcast_to(items, pb.shape) | np.isnan(pb) | np.isnan(pf))
