"""EULAR response criteria on DAS28 (van Gestel et al. 1996, DAS28 version 1998).

A patient's response depends on both the improvement ΔDAS28 = baseline − current and the
level reached (current DAS28):

=====================  ===========  =================  ===========
current DAS28          Δ > 1.2      0.6 < Δ ≤ 1.2      Δ ≤ 0.6
=====================  ===========  =================  ===========
≤ 3.2                  good         moderate           none
> 3.2 and ≤ 5.1        moderate     moderate           none
> 5.1                  moderate     none               none
=====================  ===========  =================  ===========

The same matrix is applied to DAS28-ESR and DAS28-CRP (as trials do); see the DAS28 discordance
note in :mod:`immunobalance.indices._das28`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.indices._base import _Checker

__all__ = [
    "EULAR_GOOD",
    "EULAR_MODERATE",
    "EULAR_NONE",
    "eular_response",
    "eular_response_label",
]

EULAR_NONE, EULAR_MODERATE, EULAR_GOOD = 0, 1, 2
_EPS = 1e-9
_LABELS = np.array(["none", "moderate", "good"], dtype=object)

CITATION_EULAR = (
    "van Gestel AM et al. Arthritis Rheum 1996;39:34-40 (doi:10.1002/art.1780390105); DAS28 "
    "cut-offs: van Gestel AM et al. Arthritis Rheum 1998;41:1845-1850; Fransen J, van Riel PLCM. "
    "Clin Exp Rheumatol 2005;23(5 Suppl 39):S93-S99"
)


def eular_response(das28_baseline: ArrayLike, das28_current: ArrayLike) -> NDArray[np.int8]:
    """EULAR response code per patient: 0 none, 1 moderate, 2 good.

    Parameters
    ----------
    das28_baseline, das28_current
        DAS28 (ESR or CRP, the same form at both visits) at baseline and now.

    Returns
    -------
    numpy.ndarray of int8
        :data:`EULAR_NONE`, :data:`EULAR_MODERATE` or :data:`EULAR_GOOD`.

    Raises
    ------
    InvalidInputError
        A DAS28 is missing (NaN) or negative: a response cannot be graded without both scores.

    Examples
    --------
    >>> eular_response([6.0, 6.0, 4.0], [3.0, 5.5, 3.3]).tolist()
    [2, 0, 1]
    """
    check = _Checker("EULAR response input")
    b = check.array("das28_baseline", das28_baseline, high=10)
    c = check.array("das28_current", das28_current, high=10)
    why = "a EULAR response needs DAS28 at both visits"
    check.require_present("das28_baseline", b, why)
    check.require_present("das28_current", c, why)
    check.done()
    b, c = np.broadcast_arrays(b, c)
    delta = b - c
    # Cut-offs are compared with a 1e-9 tolerance so that 4.4 − 3.2 counts as exactly 1.2.
    large = delta > 1.2 + _EPS
    medium = (delta > 0.6 + _EPS) & ~large
    low_now = c <= 3.2 + _EPS
    high_now = c > 5.1 + _EPS
    good = large & low_now
    moderate = (large & ~low_now) | (medium & ~high_now)
    out = np.full(b.shape, EULAR_NONE, dtype=np.int8)
    out[moderate] = EULAR_MODERATE
    out[good] = EULAR_GOOD
    return out


def eular_response_label(codes: ArrayLike) -> NDArray[np.object_]:
    """``"none"``, ``"moderate"`` or ``"good"`` for EULAR response codes."""
    return np.asarray(_LABELS[np.asarray(codes, dtype=np.intp)], dtype=object)
