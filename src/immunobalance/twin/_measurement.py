"""The measurement-error model of each observation kind the twin can read (with sources).

Standard deviations are on the model's transformed scale and describe a *single recorded visit*
against the virtual patient's simulated read-out: assay error plus within-person variation plus
inter-observer variation. Where no published figure applies they are stated model assumptions;
they set how sharply an observation selects virtual patients, never an outcome.
"""

from __future__ import annotations

from immunobalance.twin._likelihood import (
    BinaryTest,
    CategoryModel,
    ContinuousModel,
    TreatmentHistoryModel,
)

__all__ = [
    "AUTOANTIBODY_TEST",
    "CONTINUOUS_MODELS",
    "DESCRIPTOR_TEST",
    "GENOTYPE_TEST",
    "GROUPS",
    "IFN_SIGNATURE_MODEL",
    "SHARED_EPITOPE_ALLELES",
    "SIMULATED_UNIT_FACTOR",
    "TREATMENT_HISTORY",
    "group_of",
]

_ASSUMED = "model assumption (stated; sets selectivity, not outcomes)"
_COUNT = ContinuousModel(
    "sqrt",
    0.75,
    "Anscombe FJ. Biometrika 1948;35:246-54 (√ count: Poisson SD 0.5), inflated "
    "1.5× for inter-observer variation of joint/lesion counts (model assumption)",
    offset=0.375,
)
_VAS = ContinuousModel("identity", 15.0, _ASSUMED + "; visit-to-visit SD of 0-100 mm VAS items")

#: observation key → Gaussian model on a transformed scale.
CONTINUOUS_MODELS: dict[str, ContinuousModel] = {
    "CRP": ContinuousModel(
        "log",
        0.42,
        "within-subject biological CV of CRP 42 % (Ricós C et al. Scand J Clin Lab "
        "Invest 1999;59:491-500, biological-variation database)",
        offset=0.5,
    ),
    "ESR": ContinuousModel("log", 0.25, _ASSUMED, offset=1.0),
    "TJC28": _COUNT,
    "SJC28": _COUNT,
    "TJC68": _COUNT,
    "SJC66": _COUNT,
    "PTGA": _VAS,
    "PHGA": _VAS,
    "PAIN": _VAS,
    "HAQ_DI": ContinuousModel(
        "identity",
        0.25,
        "about the HAQ-DI minimal important difference 0.22 (Wells GA et al. "
        "J Rheumatol 1993;20:557-60)",
    ),
    "PASI": ContinuousModel("sqrt", 0.6, _ASSUMED, offset=0.375),
    "MAYO_STOOL": ContinuousModel("identity", 0.6, _ASSUMED),
    "MAYO_BLEED": ContinuousModel("identity", 0.6, _ASSUMED),
    "MAYO_ENDO": ContinuousModel("identity", 0.5, _ASSUMED),
    "MAYO_PGA": ContinuousModel("identity", 0.6, _ASSUMED),
    "HBI_WELLBEING": ContinuousModel("identity", 0.8, _ASSUMED),
    "HBI_PAIN": ContinuousModel("identity", 0.8, _ASSUMED),
    "HBI_STOOLS": _COUNT,
    "HBI_MASS": ContinuousModel("identity", 0.8, _ASSUMED),
    "EDSS": ContinuousModel(
        "identity", 0.5, _ASSUMED + "; inter-rater EDSS differences of 0.5-1 step are common"
    ),
    "RELAPSES_12M": _COUNT,
    "C3": ContinuousModel("log", 0.15, _ASSUMED),
    "C4": ContinuousModel("log", 0.2, _ASSUMED),
    "ANTI_DSDNA": ContinuousModel("log", 0.4, _ASSUMED, offset=1.0),
    "UPCR": ContinuousModel("log", 0.3, _ASSUMED, offset=0.01),
    "EGFR": ContinuousModel("log", 0.1, _ASSUMED),
    "CPEPTIDE": ContinuousModel("log", 0.2, _ASSUMED, offset=0.01),
    "HBA1C": ContinuousModel("identity", 0.3, _ASSUMED),
    "TREG_PCT": ContinuousModel("log", 0.25, _ASSUMED),
    "IL6": ContinuousModel("log", 0.5, _ASSUMED, offset=0.5),
    "TNF": ContinuousModel("log", 0.5, _ASSUMED, offset=0.5),
    "IL17A": ContinuousModel("log", 0.5, _ASSUMED, offset=0.5),
    "IL10": ContinuousModel("log", 0.5, _ASSUMED, offset=0.5),
    "DISEASE_DURATION_Y": ContinuousModel(
        "log", 0.2, "onset dates are often approximate (model assumption)", offset=0.5
    ),
}

#: Factor from the knowledge-base unit of a patient observation to the unit the engine simulates
#: (the engine simulates UPCR in g/g, the trial-endpoint unit; records carry mg/g).
SIMULATED_UNIT_FACTOR: dict[str, float] = {"UPCR": 1e-3}

AUTOANTIBODY_TEST = BinaryTest(
    0.95,
    0.95,
    "agreement of one recorded result with a persistent serostatus (assay error and "
    "titres near the cut-off; model assumption)",
)
DESCRIPTOR_TEST = BinaryTest(0.9, 0.95, _ASSUMED + "; SLEDAI descriptor recording")
GENOTYPE_TEST = BinaryTest(0.99, 0.99, "HLA typing accuracy (model assumption)")
IFN_SIGNATURE_MODEL = CategoryModel(
    ("high", "low"),
    0.1,
    _ASSUMED + "; a single IFN gene signature result against the patient's stable status",
)

#: Recorded failure vs simulated response to that agent.
TREATMENT_HISTORY = TreatmentHistoryModel(
    0.25,
    0.85,
    "model assumption: responders still stop (secondary loss of response, treat-to-target goals "
    "stricter than the trial endpoint, adherence) about a quarter of the time; a simulated "
    "non-responder is recorded as a failure in most cases",
)

#: HLA-DRB1 shared-epitope alleles (Gregersen PK, Silver J, Winchester RJ. Arthritis Rheum
#: 1987;30:1205-13; Raychaudhuri S et al. Nat Genet 2012;44:291-6).
SHARED_EPITOPE_ALLELES = frozenset(
    {"01:01", "01:02", "04:01", "04:04", "04:05", "04:08", "10:01", "14:02"}
)

#: Observation key → the group its influence is reported under (reasons name groups).
GROUPS: dict[str, str] = {
    **{k: "seropositivity" for k in ("RF", "ACPA", "ANA", "ANTI_DSDNA_POSITIVE")},
    **{k: "inflammation markers" for k in ("CRP", "ESR")},
    **{k: "serology and complement" for k in ("ANTI_DSDNA", "C3", "C4")},
    **{k: "islet autoantibodies" for k in ("GADA", "IA2A", "ZNT8A", "IAA")},
    "IFN_SIGNATURE": "type I interferon signature",
    "TREG_PCT": "regulatory T cells",
    **{k: "serum cytokines" for k in ("IL6", "TNF", "IL17A", "IL10")},
    "HLA_SHARED_EPITOPE": "HLA-DRB1 shared epitope",
    "DISEASE_DURATION_Y": "disease duration",
    **{k: "kidney involvement" for k in ("UPCR", "EGFR")},
}


def group_of(key: str) -> str:
    """The reporting group of an evidence key (``history:<agent>`` → prior therapy)."""
    if key.startswith("history:"):
        return f"prior {key.split(':', 1)[1]}"
    return GROUPS.get(key, "disease activity")
