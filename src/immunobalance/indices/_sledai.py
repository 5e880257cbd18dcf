"""SLEDAI-2K: Systemic Lupus Erythematosus Disease Activity Index 2000 (Gladman et al. 2002).

The score is the sum of the weights of the 24 descriptors present (in the last 30 days)::

    weight 8: seizure, psychosis, organic brain syndrome, visual disturbance, cranial nerve
              disorder, lupus headache, cerebrovascular accident, vasculitis
    weight 4: arthritis, myositis, urinary casts, haematuria, proteinuria, pyuria
    weight 2: rash, alopecia, mucosal ulcers, pleurisy, pericarditis, low complement,
              increased DNA binding
    weight 1: fever, thrombocytopenia, leukopenia

Range 0–105. SLEDAI-2K differs from the original SLEDAI (Bombardier 1992) only in scoring
persistent rash, alopecia, mucosal ulcers and proteinuria (not just new or recurrent ones).

Bands (Griffiths, Mosca & Gordon 2005): 0 no activity, 1–5 mild, 6–10 moderate, 11–19 high,
≥ 20 very high.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.indices._base import Band, FloatArray, categorise

__all__ = [
    "SLEDAI_2K_BANDS",
    "SLEDAI_2K_ITEMS",
    "SLEDAI_2K_WEIGHTS",
    "sledai_2k",
    "sledai_2k_category",
    "sledai_descriptor_matrix",
]

SLEDAI_2K_WEIGHTS: Mapping[str, int] = {
    "SEIZURE": 8,
    "PSYCHOSIS": 8,
    "OBS": 8,  # organic brain syndrome
    "VISUAL": 8,
    "CRANIAL": 8,
    "HEADACHE": 8,
    "CVA": 8,
    "VASCULITIS": 8,
    "ARTHRITIS": 4,
    "MYOSITIS": 4,
    "CASTS": 4,
    "HEMATURIA": 4,
    "PROTEINURIA": 4,
    "PYURIA": 4,
    "RASH": 2,
    "ALOPECIA": 2,
    "MUCOSAL": 2,
    "PLEURISY": 2,
    "PERICARDITIS": 2,
    "LOWCOMPLEMENT": 2,
    "DNA": 2,
    "FEVER": 1,
    "THROMBOCYTOPENIA": 1,
    "LEUKOPENIA": 1,
}
SLEDAI_2K_ITEMS: tuple[str, ...] = tuple(SLEDAI_2K_WEIGHTS)
_WEIGHTS = np.array([SLEDAI_2K_WEIGHTS[k] for k in SLEDAI_2K_ITEMS], dtype=float)

SLEDAI_2K_BANDS: tuple[Band, ...] = (
    Band("no_activity", 0.0),
    Band("mild", 5.0),
    Band("moderate", 10.0),
    Band("high", 19.0),
    Band("very_high", np.inf),
)

CITATION_SLEDAI_2K = (
    "Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291 (PMID 11838846); "
    "Bombardier C et al. Arthritis Rheum 1992;35:630-640; bands: Griffiths B, Mosca M, "
    "Gordon C. Best Pract Res Clin Rheumatol 2005;19:685-708"
)


def sledai_descriptor_matrix(descriptors: Mapping[str, ArrayLike]) -> NDArray[np.float64]:
    """Stack the 24 descriptors (keys of :data:`SLEDAI_2K_ITEMS`) into a ``(..., 24)`` array.

    Values are booleans (or 0/1; NaN for not assessed).

    Raises
    ------
    InvalidInputError
        Naming every missing or unknown descriptor key.
    """
    problems = [
        Problem(k, "SLEDAI-2K descriptor missing") for k in SLEDAI_2K_ITEMS if k not in descriptors
    ]
    problems += [
        Problem(k, f"not a SLEDAI-2K descriptor (expected one of {SLEDAI_2K_ITEMS})")
        for k in descriptors
        if k not in SLEDAI_2K_WEIGHTS
    ]
    if problems:
        raise InvalidInputError(problems, what="SLEDAI-2K descriptors")
    parts = [np.asarray(descriptors[k], dtype=float) for k in SLEDAI_2K_ITEMS]
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _as_descriptors(descriptors: ArrayLike | Mapping[str, ArrayLike]) -> NDArray[np.float64]:
    x = (
        sledai_descriptor_matrix(descriptors)
        if isinstance(descriptors, Mapping)
        else np.asarray(descriptors, dtype=float)
    )
    problems = []
    if x.ndim == 0 or x.shape[-1] != len(SLEDAI_2K_ITEMS):
        problems.append(Problem("descriptors", f"expected shape (..., 24), got {x.shape}"))
    elif np.any(~np.isnan(x) & (x != 0) & (x != 1)):
        problems.append(Problem("descriptors", "expected booleans (0/1 or True/False)"))
    if problems:
        raise InvalidInputError(problems, what="SLEDAI-2K descriptors")
    return x


def sledai_2k(descriptors: ArrayLike | Mapping[str, ArrayLike]) -> FloatArray:
    """SLEDAI-2K total: sum of the weights of the descriptors present.

    Parameters
    ----------
    descriptors
        Boolean array ``(..., 24)`` in :data:`SLEDAI_2K_ITEMS` order, or a mapping from each
        of the 24 item keys to a boolean array.

    Returns
    -------
    numpy.ndarray
        SLEDAI-2K, 0–105; NaN where any descriptor is NaN (not assessed).

    Examples
    --------
    >>> float(sledai_2k({k: k in {"ARTHRITIS", "RASH", "DNA", "LOWCOMPLEMENT"}
    ...                  for k in SLEDAI_2K_ITEMS}))
    10.0
    """
    x = _as_descriptors(descriptors)
    return np.asarray(x @ _WEIGHTS)


def sledai_2k_category(values: ArrayLike) -> NDArray[np.object_]:
    """SLEDAI-2K band: no_activity (0), mild (1–5), moderate (6–10), high (11–19), very_high."""
    return categorise(values, SLEDAI_2K_BANDS)
