"""Disease-activity indices and response criteria, for real and virtual patients alike.

Every index is a pure, vectorised function: NumPy arrays (or scalars) in, arrays out, with the
published formula, bands and citation in its docstring. The same functions score one patient's
visit (:func:`assess_patient`) and 10^6 simulated read-outs in an in-silico trial.

Conventions (see :mod:`immunobalance.indices._base`): NaN means missing and propagates through
scores; response criteria raise on NaN unless ``missing="nonresponder"``; impossible values
raise :class:`~immunobalance.errors.InvalidInputError` listing every bad argument. Units are in
the argument names: CRP in mg/L everywhere (SDAI converts to mg/dL itself), ESR in mm/h, global
assessments and pain on 0–100 mm VAS (SLE PGA on its 0–3 scale), C-peptide in nmol/L, glucose in
mg/dL, HbA1c in %.
"""

from immunobalance.indices._acr import (
    AcrCoreSet,
    acr20,
    acr50,
    acr70,
    acr_eular_boolean_remission,
    acr_response,
)
from immunobalance.indices._base import Band, IndexSpec, categorise
from immunobalance.indices._cdai_sdai import (
    CDAI_BANDS,
    SDAI_BANDS,
    cdai,
    cdai_category,
    sdai,
    sdai_category,
)
from immunobalance.indices._crohns import (
    CDAI_CD_PER_HBI_POINT,
    HBI_BANDS,
    cd_remission,
    cd_remission_from_hbi,
    cd_response,
    cd_response_from_hbi,
    cdai_cd_change_from_hbi_change,
    cdai_crohns,
    harvey_bradshaw,
    hbi_category,
)
from immunobalance.indices._das28 import DAS28_BANDS, das28_category, das28_crp, das28_esr
from immunobalance.indices._eular import (
    EULAR_GOOD,
    EULAR_MODERATE,
    EULAR_NONE,
    eular_response,
    eular_response_label,
)
from immunobalance.indices._mayo import (
    MAYO_BANDS,
    PARTIAL_MAYO_BANDS,
    mayo_category,
    mayo_clinical_remission,
    mayo_clinical_response,
    mayo_score,
    modified_mayo_remission,
    partial_mayo_category,
    partial_mayo_score,
)
from immunobalance.indices._ms import (
    EDSS_BANDS,
    annualised_relapse_rate,
    confirmed_disability_progression,
    edss_category,
    edss_progression_threshold,
    edss_worsened,
    pooled_annualised_relapse_rate,
)
from immunobalance.indices._pasi import (
    PASI_BANDS,
    PASI_COMPONENT_KEYS,
    PASI_REGION_WEIGHTS,
    PASI_REGIONS,
    pasi,
    pasi75,
    pasi90,
    pasi100,
    pasi_area_score,
    pasi_category,
    pasi_from_components,
    pasi_response,
)
from immunobalance.indices._registry import (
    INDEX_REGISTRY,
    index_spec,
)
from immunobalance.indices._sledai import (
    SLEDAI_2K_BANDS,
    SLEDAI_2K_ITEMS,
    SLEDAI_2K_WEIGHTS,
    sledai_2k,
    sledai_2k_category,
    sledai_descriptor_matrix,
)
from immunobalance.indices._sri import (
    BILAG_DOMAINS_FROM_SLEDAI,
    approximate_bilag_grades,
    bicla,
    sri4,
)
from immunobalance.indices._t1d import (
    T1D_STAGE_LABELS,
    cpeptide_auc_mean,
    cpeptide_change,
    t1d_stage,
    t1d_stage_label,
)

__all__ = [
    "BILAG_DOMAINS_FROM_SLEDAI",
    "CDAI_BANDS",
    "CDAI_CD_PER_HBI_POINT",
    "DAS28_BANDS",
    "EDSS_BANDS",
    "EULAR_GOOD",
    "EULAR_MODERATE",
    "EULAR_NONE",
    "HBI_BANDS",
    "INDEX_REGISTRY",
    "MAYO_BANDS",
    "PARTIAL_MAYO_BANDS",
    "PASI_BANDS",
    "PASI_COMPONENT_KEYS",
    "PASI_REGIONS",
    "PASI_REGION_WEIGHTS",
    "SDAI_BANDS",
    "SLEDAI_2K_BANDS",
    "SLEDAI_2K_ITEMS",
    "SLEDAI_2K_WEIGHTS",
    "T1D_STAGE_LABELS",
    "AcrCoreSet",
    "Band",
    "IndexSpec",
    "acr20",
    "acr50",
    "acr70",
    "acr_eular_boolean_remission",
    "acr_response",
    "annualised_relapse_rate",
    "approximate_bilag_grades",
    "bicla",
    "categorise",
    "cd_remission",
    "cd_remission_from_hbi",
    "cd_response",
    "cd_response_from_hbi",
    "cdai",
    "cdai_category",
    "cdai_cd_change_from_hbi_change",
    "cdai_crohns",
    "confirmed_disability_progression",
    "cpeptide_auc_mean",
    "cpeptide_change",
    "das28_category",
    "das28_crp",
    "das28_esr",
    "edss_category",
    "edss_progression_threshold",
    "edss_worsened",
    "eular_response",
    "eular_response_label",
    "harvey_bradshaw",
    "hbi_category",
    "index_spec",
    "mayo_category",
    "mayo_clinical_remission",
    "mayo_clinical_response",
    "mayo_score",
    "modified_mayo_remission",
    "partial_mayo_category",
    "partial_mayo_score",
    "pasi",
    "pasi75",
    "pasi90",
    "pasi100",
    "pasi_area_score",
    "pasi_category",
    "pasi_from_components",
    "pasi_response",
    "pooled_annualised_relapse_rate",
    "sdai",
    "sdai_category",
    "sledai_2k",
    "sledai_2k_category",
    "sledai_descriptor_matrix",
    "sri4",
    "t1d_stage",
    "t1d_stage_label",
]
