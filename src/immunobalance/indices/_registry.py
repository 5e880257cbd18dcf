"""Registry of disease-activity indices: index key → inputs, function, bands, citation.

The knowledge base lists each disease's indices by key (``Disease.indices``); this registry
turns a key into the observation keys it needs and the vectorised function that computes it,
so that "an index is present exactly when its inputs are" is decided in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from immunobalance.errors import UnknownKeyError
from immunobalance.indices._base import FloatArray, IndexSpec, _Checker, categorise
from immunobalance.indices._cdai_sdai import (
    CDAI_BANDS,
    CITATION_CDAI,
    CITATION_SDAI,
    SDAI_BANDS,
    cdai,
    sdai,
)
from immunobalance.indices._crohns import CITATION_HBI, HBI_BANDS, harvey_bradshaw
from immunobalance.indices._das28 import (
    CITATION_DAS28_CRP,
    CITATION_DAS28_ESR,
    DAS28_BANDS,
    das28_crp,
    das28_esr,
)
from immunobalance.indices._mayo import (
    CITATION_MAYO,
    CITATION_PARTIAL_MAYO,
    MAYO_BANDS,
    PARTIAL_MAYO_BANDS,
    mayo_category,
    mayo_score,
    partial_mayo_score,
)
from immunobalance.indices._ms import (
    CITATION_ARR,
    CITATION_EDSS,
    EDSS_BANDS,
    annualised_relapse_rate,
)
from immunobalance.indices._pasi import (
    CITATION_PASI,
    PASI_BANDS,
    PASI_COMPONENT_KEYS,
    pasi_from_components,
)
from immunobalance.indices._sledai import (
    CITATION_SLEDAI_2K,
    SLEDAI_2K_BANDS,
    SLEDAI_2K_ITEMS,
    sledai_2k,
)

__all__ = [
    "INDEX_REGISTRY",
    "SLEDAI_OBSERVATION_KEYS",
    "categorise_spec",
    "index_spec",
]

SLEDAI_OBSERVATION_KEYS: tuple[str, ...] = tuple(f"SLEDAI_{k}" for k in SLEDAI_2K_ITEMS)

_DAS = ("TJC28", "SJC28")
_MAYO = ("MAYO_STOOL", "MAYO_BLEED", "MAYO_ENDO", "MAYO_PGA")
_HBI = ("HBI_WELLBEING", "HBI_PAIN", "HBI_STOOLS", "HBI_MASS", "HBI_COMPLICATIONS")


def _pasi(x: Mapping[str, FloatArray]) -> FloatArray:
    if "PASI" in x and not all(k in x for k in PASI_COMPONENT_KEYS):
        return np.asarray(x["PASI"], dtype=float)
    return pasi_from_components({k: x[k] for k in PASI_COMPONENT_KEYS})


def _mayo_category(values: FloatArray, x: Mapping[str, FloatArray]) -> NDArray[np.object_]:
    return mayo_category(x["MAYO_STOOL"], x["MAYO_BLEED"], x["MAYO_ENDO"], x["MAYO_PGA"])


_SPECS: tuple[IndexSpec, ...] = (
    IndexSpec(
        key="DAS28ESR",
        name="DAS28-ESR",
        inputs=(*_DAS, "ESR", "PTGA"),
        compute=lambda x: das28_esr(x["TJC28"], x["SJC28"], x["ESR"], x["PTGA"]),
        bands=DAS28_BANDS,
        citation=CITATION_DAS28_ESR,
    ),
    IndexSpec(
        key="DAS28CRP",
        name="DAS28-CRP (4 variables, CRP mg/L)",
        inputs=(*_DAS, "CRP", "PTGA"),
        compute=lambda x: das28_crp(x["TJC28"], x["SJC28"], x["CRP"], x["PTGA"]),
        bands=DAS28_BANDS,
        citation=CITATION_DAS28_CRP,
    ),
    IndexSpec(
        key="CDAI",
        name="Clinical Disease Activity Index",
        inputs=(*_DAS, "PTGA", "PHGA"),
        compute=lambda x: cdai(x["TJC28"], x["SJC28"], x["PTGA"], x["PHGA"]),
        bands=CDAI_BANDS,
        citation=CITATION_CDAI,
    ),
    IndexSpec(
        key="SDAI",
        name="Simplified Disease Activity Index (CRP mg/dL)",
        inputs=(*_DAS, "PTGA", "PHGA", "CRP"),
        compute=lambda x: sdai(x["TJC28"], x["SJC28"], x["PTGA"], x["PHGA"], x["CRP"]),
        bands=SDAI_BANDS,
        citation=CITATION_SDAI,
    ),
    IndexSpec(
        key="PASI",
        name="Psoriasis Area and Severity Index",
        inputs=PASI_COMPONENT_KEYS,
        compute=_pasi,
        bands=PASI_BANDS,
        citation=CITATION_PASI,
        alternatives=(("PASI",),),
    ),
    IndexSpec(
        key="SLEDAI2K",
        name="SLEDAI-2K",
        inputs=SLEDAI_OBSERVATION_KEYS,
        compute=lambda x: sledai_2k({k[len("SLEDAI_") :]: x[k] for k in SLEDAI_OBSERVATION_KEYS}),
        bands=SLEDAI_2K_BANDS,
        citation=CITATION_SLEDAI_2K,
    ),
    IndexSpec(
        key="MAYO",
        name="Mayo score (full)",
        inputs=_MAYO,
        compute=lambda x: mayo_score(
            x["MAYO_STOOL"], x["MAYO_BLEED"], x["MAYO_ENDO"], x["MAYO_PGA"]
        ),
        bands=MAYO_BANDS,
        citation=CITATION_MAYO,
        categorise_with_inputs=_mayo_category,
    ),
    IndexSpec(
        key="PARTIAL_MAYO",
        name="Partial Mayo score",
        inputs=("MAYO_STOOL", "MAYO_BLEED", "MAYO_PGA"),
        compute=lambda x: partial_mayo_score(x["MAYO_STOOL"], x["MAYO_BLEED"], x["MAYO_PGA"]),
        bands=PARTIAL_MAYO_BANDS,
        citation=CITATION_PARTIAL_MAYO,
    ),
    IndexSpec(
        key="HBI",
        name="Harvey-Bradshaw Index",
        inputs=_HBI,
        compute=lambda x: harvey_bradshaw(*(x[k] for k in _HBI)),
        bands=HBI_BANDS,
        citation=CITATION_HBI,
    ),
    IndexSpec(
        key="EDSS",
        name="Expanded Disability Status Scale",
        inputs=("EDSS",),
        compute=lambda x: _edss(x["EDSS"]),
        bands=EDSS_BANDS,
        citation=CITATION_EDSS,
    ),
    IndexSpec(
        key="ARR",
        name="Annualised relapse rate (relapses in the last 12 months)",
        inputs=("RELAPSES_12M",),
        compute=lambda x: _arr_12m(x["RELAPSES_12M"]),
        bands=(),
        citation=CITATION_ARR,
    ),
)


def _edss(x: FloatArray) -> FloatArray:
    check = _Checker("EDSS input")
    e = check.array("EDSS", x, high=10)
    check.done()
    return e


def _arr_12m(relapses: FloatArray) -> FloatArray:
    return annualised_relapse_rate(relapses, 1.0)


INDEX_REGISTRY: Mapping[str, IndexSpec] = {s.key: s for s in _SPECS}


def index_spec(key: str) -> IndexSpec:
    """The registered index ``key``; :class:`UnknownKeyError` with suggestions if absent."""
    try:
        return INDEX_REGISTRY[key]
    except KeyError:
        raise UnknownKeyError("index", key, list(INDEX_REGISTRY)) from None


def categorise_spec(
    spec: IndexSpec, values: FloatArray, inputs: Mapping[str, FloatArray]
) -> NDArray[np.object_]:
    """Band names for ``values`` of ``spec`` (None where the index has no bands)."""
    if not spec.bands:
        return np.full(np.shape(values), None, dtype=object)
    if spec.categorise_with_inputs is not None:
        return spec.categorise_with_inputs(values, inputs)
    return categorise(values, spec.bands)
