"""Clinical vignettes: for every safety rule, patients that must trigger it and near misses that
must not. Patients are written in the contract's JSON form and read by the real patient reader.

Each vignette is judged against the drug label or guideline the rule cites (see the rule's
``source``), not against the rule's own code: e.g. NYHA class 2 is not "NYHA III/IV", a 49-year-old
smoker is not ">= 50 with a CV risk factor", C44 (non-melanoma skin cancer) is not a malignancy
for the 5-year rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DAY = "2026-09-01"
_SCREENS = {
    "TB_IGRA": "negative",
    "HBSAG": "negative",
    "ANTI_HBC": "negative",
    "JCV_AB": "negative",
}


def record(
    *,
    conditions: tuple[Any, ...] = (),
    obs: dict[str, Any] | None = None,
    meds: tuple[dict[str, Any], ...] = (),
    age: float = 45,
    sex: str = "female",
    drop: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A record with negative TB/HBV/JCV screens (so screen rules stay quiet) plus the given facts.

    ``conditions`` items are ICD-10-CM codes or full condition objects; ``obs`` values are a value
    or a ``(value, unit)`` pair, all dated ``DAY``; ``drop`` removes default screens.
    """
    values: dict[str, Any] = {k: v for k, v in _SCREENS.items() if k not in drop}
    values.update(obs or {})
    observations = []
    for code, v in values.items():
        item: dict[str, Any] = {"code": code, "date": DAY}
        if isinstance(v, tuple):
            item["value"], item["unit"] = v
        else:
            item["value"] = v
        observations.append(item)
    return {
        "id": "vignette",
        "sex": sex,
        "age": age,
        "conditions": [c if isinstance(c, dict) else {"code": c} for c in conditions],
        "observations": observations,
        "medications": list(meds),
    }


def med(agent: str, *, stop: str | None = None, outcome: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"agent": agent, "start": "2025-01-01"}
    if stop:
        out["stop"] = stop
    if outcome:
        out["outcome"] = outcome
    return out


@dataclass(frozen=True)
class Vignette:
    rule: str
    regimen: tuple[str, ...]
    record: dict[str, Any] = field(hash=False)
    fires: bool
    why: str

    @property
    def id(self) -> str:
        return f"{self.rule}:{'fires' if self.fires else 'quiet'}:{self.why}"


def V(
    rule: str, regimen: str | tuple[str, ...], rec: dict[str, Any], fires: bool, why: str
) -> Vignette:
    regimen = (regimen,) if isinstance(regimen, str) else regimen
    return Vignette(rule, regimen, rec, fires, why)


PREGNANT = ("Z33.1",)
VIGNETTES: list[Vignette] = [
    # --- TNF inhibitors: heart failure
    V(
        "tnf-heart-failure-nyha34",
        "adalimumab",
        record(conditions=("I50.22",), obs={"NYHA_CLASS": 3}),
        True,
        "I50.22 NYHA 3",
    ),
    V(
        "tnf-heart-failure-nyha34",
        "infliximab",
        record(conditions=("I50.23",), obs={"NYHA_CLASS": 4}),
        True,
        "I50.23 hierarchical NYHA 4",
    ),
    V(
        "tnf-heart-failure-nyha34",
        "etanercept",
        record(obs={"NYHA_CLASS": 3}),
        True,
        "NYHA 3 without code",
    ),
    V(
        "tnf-heart-failure-nyha34",
        "adalimumab",
        record(conditions=("I50.22",), obs={"NYHA_CLASS": 2}),
        False,
        "NYHA 2",
    ),
    V(
        "tnf-heart-failure-nyha34",
        "tocilizumab",
        record(conditions=("I50.22",), obs={"NYHA_CLASS": 3}),
        False,
        "not a TNF inhibitor",
    ),
    V(
        "tnf-heart-failure-mild",
        "golimumab",
        record(conditions=("I50.9",), obs={"NYHA_CLASS": 2}),
        True,
        "NYHA 2",
    ),
    V(
        "tnf-heart-failure-mild",
        "golimumab",
        record(conditions=("I50.9",)),
        True,
        "HF, class unknown",
    ),
    V(
        "tnf-heart-failure-mild",
        "golimumab",
        record(conditions=("I51.9",)),
        False,
        "I51 is not I50",
    ),
    V(
        "tnf-heart-failure-mild",
        "golimumab",
        record(conditions=("I50.9",), obs={"NYHA_CLASS": 3}),
        False,
        "NYHA 3 is the stricter rule",
    ),
    # --- TNF: demyelination
    V("tnf-demyelinating-disease", "adalimumab", record(conditions=("G35",)), True, "MS"),
    V(
        "tnf-demyelinating-disease",
        "certolizumab_pegol",
        record(conditions=("G37.3",)),
        True,
        "transverse myelitis G37.3",
    ),
    V(
        "tnf-demyelinating-disease",
        "adalimumab",
        record(conditions=("G40.909",)),
        False,
        "epilepsy G40",
    ),
    V(
        "tnf-demyelinating-disease",
        "natalizumab",
        record(conditions=("G35",)),
        False,
        "natalizumab treats MS",
    ),
    V(
        "tnf-optic-neuritis-or-gbs",
        "infliximab",
        record(conditions=("H46.9",)),
        True,
        "optic neuritis",
    ),
    V(
        "tnf-optic-neuritis-or-gbs",
        "infliximab",
        record(conditions=("G61.0",)),
        True,
        "Guillain-Barre",
    ),
    V(
        "tnf-optic-neuritis-or-gbs",
        "infliximab",
        record(conditions=("H47.0",)),
        False,
        "H47 other optic nerve disorder",
    ),
    V(
        "tnf-ibd-hepatosplenic-t-cell-lymphoma",
        ("infliximab", "azathioprine"),
        record(conditions=("K50.90",)),
        True,
        "Crohn's on IFX+AZA",
    ),
    V(
        "tnf-ibd-hepatosplenic-t-cell-lymphoma",
        "infliximab",
        record(conditions=("K51.90",), meds=(med("azathioprine"),)),
        True,
        "UC, current AZA continues",
    ),
    V(
        "tnf-ibd-hepatosplenic-t-cell-lymphoma",
        ("infliximab", "azathioprine"),
        record(conditions=("M05.79",)),
        False,
        "RA not IBD",
    ),
    V(
        "tnf-ibd-hepatosplenic-t-cell-lymphoma",
        "infliximab",
        record(conditions=("K50.90",), meds=(med("azathioprine", stop="2026-01-01"),)),
        False,
        "AZA stopped",
    ),
    # --- infection screens
    V("active-tuberculosis", "adalimumab", record(conditions=("A15.0",)), True, "pulmonary TB"),
    V(
        "active-tuberculosis",
        "tofacitinib",
        record(conditions=("A18.01",)),
        True,
        "TB of spine, JAK",
    ),
    V(
        "active-tuberculosis",
        "adalimumab",
        record(conditions=({"code": "A15.0", "clinical_status": "resolved"},)),
        False,
        "treated TB, resolved",
    ),
    V(
        "active-tuberculosis",
        "hydroxychloroquine",
        record(conditions=("A15.0",)),
        False,
        "HCQ not immunosuppressive",
    ),
    V(
        "latent-tuberculosis-untreated",
        "adalimumab",
        record(obs={"TB_IGRA": "positive"}),
        True,
        "IGRA positive",
    ),
    V(
        "latent-tuberculosis-untreated",
        "secukinumab",
        record(conditions=("Z22.7",), drop=("TB_IGRA",)),
        True,
        "Z22.7 coded",
    ),
    V(
        "latent-tuberculosis-untreated",
        "upadacitinib",
        record(conditions=("R76.12",), drop=("TB_IGRA",)),
        True,
        "R76.12 abnormal IGRA",
    ),
    V(
        "latent-tuberculosis-untreated",
        "adalimumab",
        record(obs={"TB_IGRA": "positive"}, meds=({"agent": "isoniazid", "start": "2026-07-01"},)),
        False,
        "on isoniazid",
    ),
    V(
        "latent-tuberculosis-untreated",
        "adalimumab",
        record(conditions=("Z22.7", "Z86.15")),
        False,
        "LTBI treated (Z86.15)",
    ),
    V("latent-tuberculosis-untreated", "adalimumab", record(), False, "IGRA negative"),
    V("tb-screen-missing", "etanercept", record(drop=("TB_IGRA",)), True, "no IGRA"),
    V(
        "tb-screen-missing",
        "baricitinib",
        record(obs={"TB_IGRA": "indeterminate"}),
        True,
        "indeterminate IGRA",
    ),
    V("tb-screen-missing", "etanercept", record(), False, "IGRA negative"),
    V(
        "tb-screen-missing",
        "rituximab",
        record(drop=("TB_IGRA",)),
        False,
        "anti-CD20 label has no TB screen",
    ),
    V(
        "tb-screen-missing",
        "etanercept",
        record(conditions=("Z22.7",), drop=("TB_IGRA",)),
        False,
        "latent TB known: other rule",
    ),
    V("serious-active-infection", "adalimumab", record(conditions=("A41.9",)), True, "sepsis"),
    V(
        "serious-active-infection",
        "methotrexate",
        record(conditions=("J18.9",)),
        True,
        "pneumonia, MTX",
    ),
    V(
        "serious-active-infection",
        "adalimumab",
        record(conditions=({"code": "J18.9", "abatement": "2026-03-01"},)),
        False,
        "pneumonia resolved before",
    ),
    V(
        "serious-active-infection",
        "adalimumab",
        record(conditions=("J06.9",)),
        False,
        "common cold J06",
    ),
    V(
        "hbv-chronic-anti-cd20",
        "rituximab",
        record(obs={"HBSAG": "positive"}),
        True,
        "HBsAg positive",
    ),
    V(
        "hbv-chronic-anti-cd20",
        "ocrelizumab",
        record(conditions=("B18.1",)),
        True,
        "B18.1 chronic HBV",
    ),
    V(
        "hbv-chronic-anti-cd20",
        "rituximab",
        record(obs={"ANTI_HBC": "positive"}),
        False,
        "resolved HBV only",
    ),
    V(
        "hbv-chronic-anti-cd20",
        "rituximab",
        record(conditions=("B18.2",)),
        False,
        "hepatitis C B18.2",
    ),
    V(
        "hbv-resolved-anti-cd20",
        "ofatumumab",
        record(obs={"ANTI_HBC": "positive"}),
        True,
        "anti-HBc positive",
    ),
    V(
        "hbv-resolved-anti-cd20",
        "ofatumumab",
        record(obs={"ANTI_HBC": "positive", "HBSAG": "positive"}),
        False,
        "chronic: stricter rule",
    ),
    V("hbv-resolved-anti-cd20", "ofatumumab", record(), False, "anti-HBc negative"),
    V(
        "hbv-chronic",
        "adalimumab",
        record(obs={"HBSAG": "positive"}),
        True,
        "HBsAg positive on TNF",
    ),
    V("hbv-chronic", "abatacept", record(conditions=("B18.0",)), True, "B18.0 with delta agent"),
    V("hbv-chronic", "adalimumab", record(), False, "HBsAg negative"),
    V("hbv-chronic", "rituximab", record(obs={"HBSAG": "positive"}), False, "anti-CD20: own rule"),
    V(
        "hbv-resolved",
        "tofacitinib",
        record(obs={"ANTI_HBC": "positive"}),
        True,
        "anti-HBc positive on JAK",
    ),
    V("hbv-resolved", "tofacitinib", record(), False, "anti-HBc negative"),
    V(
        "hbv-resolved",
        "tofacitinib",
        record(obs={"ANTI_HBC": "positive", "HBSAG": "positive"}),
        False,
        "chronic: other rule",
    ),
    V(
        "hbv-screen-missing",
        "rituximab",
        record(drop=("HBSAG", "ANTI_HBC")),
        True,
        "no HBV serology",
    ),
    V("hbv-screen-missing", "adalimumab", record(drop=("ANTI_HBC",)), True, "anti-HBc missing"),
    V("hbv-screen-missing", "adalimumab", record(), False, "both screens negative"),
    V(
        "hbv-screen-missing",
        "secukinumab",
        record(drop=("HBSAG", "ANTI_HBC")),
        False,
        "IL-17 label: no HBV screen",
    ),
    V(
        "malignancy-recent",
        "adalimumab",
        record(conditions=({"code": "C50.911", "onset": "2023-05-01", "abatement": "2024-01-01"},)),
        True,
        "breast cancer 2.7 y ago",
    ),
    V("malignancy-recent", "tofacitinib", record(conditions=("C43.9",)), True, "melanoma, undated"),
    V("malignancy-recent", "tofacitinib", record(conditions=("C96.9",)), True, "C96 range edge"),
    V(
        "malignancy-recent",
        "adalimumab",
        record(conditions=("C44.91",)),
        False,
        "C44 non-melanoma skin cancer",
    ),
    V(
        "malignancy-recent",
        "adalimumab",
        record(conditions=({"code": "C50.911", "onset": "2015-01-01", "abatement": "2016-01-01"},)),
        False,
        "cured 10 y ago",
    ),
    V(
        "malignancy-recent",
        "adalimumab",
        record(conditions=("D03.9",)),
        False,
        "melanoma in situ D03",
    ),
    # --- JAK inhibitors
    V(
        "jak-mace-age50-cv-risk",
        "tofacitinib",
        record(age=50, obs={"SMOKING": True}),
        True,
        "50-year-old smoker",
    ),
    V(
        "jak-mace-age50-cv-risk",
        "upadacitinib",
        record(age=58, conditions=("I25.2",)),
        True,
        "old MI",
    ),
    V(
        "jak-mace-age50-cv-risk",
        "baricitinib",
        record(age=61, conditions=("Z86.73",)),
        True,
        "prior stroke",
    ),
    V(
        "jak-mace-age50-cv-risk",
        "tofacitinib",
        record(age=49, obs={"SMOKING": True}),
        False,
        "age 49 smoker",
    ),
    V(
        "jak-mace-age50-cv-risk",
        "tofacitinib",
        record(age=60, obs={"SMOKING": False}),
        False,
        "60, no risk factor",
    ),
    V(
        "jak-mace-age50-cv-risk",
        "adalimumab",
        record(age=60, obs={"SMOKING": True}),
        False,
        "TNF inhibitor",
    ),
    V("jak-age-65", "filgotinib", record(age=65), True, "65"),
    V("jak-age-65", "filgotinib", record(age=64), False, "64"),
    V("jak-venous-thromboembolism", "tofacitinib", record(conditions=("I26.99",)), True, "PE"),
    V(
        "jak-venous-thromboembolism",
        "baricitinib",
        record(conditions=("Z86.718",)),
        True,
        "history of DVT",
    ),
    V(
        "jak-venous-thromboembolism",
        "tofacitinib",
        record(conditions=("I83.90",)),
        False,
        "varicose veins I83",
    ),
    V(
        "jak-lymphopenia",
        "tofacitinib",
        record(obs={"LYMPHOCYTES": (450, "cells/uL")}),
        True,
        "ALC 450/uL",
    ),
    V("jak-lymphopenia", "tofacitinib", record(obs={"LYMPHOCYTES": 0.5}), False, "ALC exactly 0.5"),
    V("jak-neutropenia", "upadacitinib", record(obs={"NEUTROPHILS": 0.9}), True, "ANC 0.9"),
    V("jak-neutropenia", "upadacitinib", record(obs={"NEUTROPHILS": 1.2}), False, "ANC 1.2"),
    V("jak-anaemia", "baricitinib", record(obs={"HEMOGLOBIN": 7.5}), True, "Hb 7.5"),
    V("jak-anaemia", "baricitinib", record(obs={"HEMOGLOBIN": (79, "g/L")}), True, "Hb 79 g/L"),
    V("jak-anaemia", "baricitinib", record(obs={"HEMOGLOBIN": 8.5}), False, "Hb 8.5"),
    V(
        "jak-anaemia",
        "tofacitinib",
        record(obs={"HEMOGLOBIN": 7.5}),
        False,
        "tofacitinib has its own limit",
    ),
    V("tofacitinib-anaemia", "tofacitinib", record(obs={"HEMOGLOBIN": 8.5}), True, "Hb 8.5"),
    V("tofacitinib-anaemia", "tofacitinib", record(obs={"HEMOGLOBIN": 9.0}), False, "Hb 9.0"),
    V("baricitinib-renal-impairment", "baricitinib", record(obs={"EGFR": 25}), True, "eGFR 25"),
    V("baricitinib-renal-impairment", "baricitinib", record(obs={"EGFR": 30}), False, "eGFR 30"),
    V("jak-pregnancy", "upadacitinib", record(conditions=PREGNANT), True, "pregnant"),
    V(
        "jak-pregnancy",
        "tofacitinib",
        record(conditions=("O09.891",)),
        True,
        "O09 high-risk pregnancy",
    ),
    V(
        "jak-pregnancy",
        "tofacitinib",
        record(conditions=({"code": "Z33.1", "abatement": "2026-03-01"},)),
        False,
        "delivered",
    ),
    V(
        "jak-gi-perforation-risk",
        "tofacitinib",
        record(conditions=("K57.32",)),
        True,
        "diverticulitis",
    ),
    V("jak-gi-perforation-risk", "tofacitinib", record(conditions=("K58.9",)), False, "IBS K58"),
    # --- IL-6R
    V(
        "il6r-diverticulitis-gi-perforation",
        "tocilizumab",
        record(conditions=("K57.20",)),
        True,
        "diverticulitis with perforation",
    ),
    V(
        "il6r-diverticulitis-gi-perforation",
        "sarilumab",
        record(conditions=("K63.1",)),
        True,
        "intestinal perforation",
    ),
    V(
        "il6r-diverticulitis-gi-perforation",
        "tocilizumab",
        record(conditions=("K59.00",)),
        False,
        "constipation",
    ),
    V(
        "il6r-diverticulitis-gi-perforation",
        "adalimumab",
        record(conditions=("K57.20",)),
        False,
        "TNF inhibitor",
    ),
    V(
        "il6r-neutropenia",
        "tocilizumab",
        record(obs={"NEUTROPHILS": (1800, "cells/uL")}),
        True,
        "ANC 1800/uL",
    ),
    V("il6r-neutropenia", "tocilizumab", record(obs={"NEUTROPHILS": 2.0}), False, "ANC 2.0"),
    V(
        "tocilizumab-thrombocytopenia",
        "tocilizumab",
        record(obs={"PLATELETS": (90000, "/mm3")}),
        True,
        "90,000/mm3",
    ),
    V(
        "tocilizumab-thrombocytopenia",
        "tocilizumab",
        record(obs={"PLATELETS": 120}),
        False,
        "120 x10^9/L",
    ),
    V(
        "sarilumab-thrombocytopenia",
        "sarilumab",
        record(obs={"PLATELETS": 120}),
        True,
        "120 x10^9/L",
    ),
    V(
        "sarilumab-thrombocytopenia",
        "sarilumab",
        record(obs={"PLATELETS": 160}),
        False,
        "160 x10^9/L",
    ),
    V("il6r-transaminases", "tocilizumab", record(obs={"ALT": 65}), True, "ALT 65 > 60"),
    V("il6r-transaminases", "tocilizumab", record(obs={"ALT": 60}), False, "ALT 60 = 1.5 x ULN"),
    # --- IL-17 / apremilast
    V("il17-crohns-disease", "secukinumab", record(conditions=("K50.10",)), True, "Crohn's"),
    V(
        "il17-crohns-disease",
        "brodalumab",
        record(conditions=("K50.90",)),
        True,
        "brodalumab Crohn's",
    ),
    V(
        "il17-crohns-disease",
        "secukinumab",
        record(conditions=("K52.9",)),
        False,
        "non-infective colitis K52",
    ),
    V(
        "il17-crohns-disease",
        "ustekinumab",
        record(conditions=("K50.10",)),
        False,
        "IL-12/23 treats Crohn's",
    ),
    V("il17-ulcerative-colitis", "ixekizumab", record(conditions=("K51.90",)), True, "UC"),
    V(
        "il17-ulcerative-colitis",
        "ixekizumab",
        record(conditions=("L40.0",)),
        False,
        "psoriasis only",
    ),
    V(
        "brodalumab-depression-suicidality",
        "brodalumab",
        record(conditions=("F33.1",)),
        True,
        "recurrent depression",
    ),
    V(
        "brodalumab-depression-suicidality",
        "brodalumab",
        record(conditions=("R45.851",)),
        True,
        "suicidal ideation",
    ),
    V(
        "brodalumab-depression-suicidality",
        "brodalumab",
        record(conditions=("F41.1",)),
        False,
        "anxiety F41",
    ),
    V(
        "brodalumab-depression-suicidality",
        "secukinumab",
        record(conditions=("F33.1",)),
        False,
        "other IL-17",
    ),
    V("apremilast-depression", "apremilast", record(conditions=("F32.A",)), True, "depression"),
    V("apremilast-depression", "apremilast", record(), False, "no depression"),
    # --- natalizumab
    V("natalizumab-pml-history", "natalizumab", record(conditions=("A81.2",)), True, "PML"),
    V("natalizumab-pml-history", "natalizumab", record(conditions=("A81.1",)), False, "SSPE A81.1"),
    V(
        "natalizumab-jcv-positive",
        "natalizumab",
        record(obs={"JCV_AB": "positive", "JCV_INDEX": 0.8}),
        True,
        "JCV+ index 0.8",
    ),
    V(
        "natalizumab-jcv-positive",
        "natalizumab",
        record(obs={"JCV_AB": "positive"}),
        True,
        "JCV+ no index",
    ),
    V("natalizumab-jcv-positive", "natalizumab", record(), False, "JCV negative"),
    V(
        "natalizumab-jcv-positive",
        "natalizumab",
        record(obs={"JCV_AB": "positive", "JCV_INDEX": 2.1}),
        False,
        "index > 1.5: stricter rule",
    ),
    V(
        "natalizumab-jcv-index-high",
        "natalizumab",
        record(obs={"JCV_AB": "positive", "JCV_INDEX": 2.1}),
        True,
        "index 2.1",
    ),
    V(
        "natalizumab-jcv-index-high",
        "natalizumab",
        record(obs={"JCV_AB": "positive", "JCV_INDEX": 1.5}),
        False,
        "index 1.5",
    ),
    V(
        "natalizumab-prior-immunosuppressant",
        "natalizumab",
        record(meds=(med("azathioprine", stop="2025-06-01", outcome="intolerance"),)),
        True,
        "prior AZA",
    ),
    V(
        "natalizumab-prior-immunosuppressant",
        "natalizumab",
        record(meds=({"agent": "mitoxantrone", "start": "2020-01-01", "stop": "2021-01-01"},)),
        True,
        "prior mitoxantrone",
    ),
    V(
        "natalizumab-prior-immunosuppressant",
        "natalizumab",
        record(meds=(med("interferon_beta_1a", stop="2025-06-01"),)),
        False,
        "prior interferon beta",
    ),
    V("jcv-screen-missing", "natalizumab", record(drop=("JCV_AB",)), True, "no JCV test"),
    V(
        "jcv-screen-missing",
        "natalizumab",
        record(drop=("JCV_AB",), obs={"JCV_INDEX": 0.3}),
        False,
        "index on record",
    ),
    V(
        "natalizumab-plus-immunosuppressant",
        ("natalizumab", "leflunomide"),
        record(),
        True,
        "with leflunomide",
    ),
    V(
        "natalizumab-plus-immunosuppressant",
        "natalizumab",
        record(meds=(med("cyclophosphamide"),)),
        True,
        "current cyclophosphamide continues",
    ),
    V(
        "natalizumab-plus-immunosuppressant",
        "natalizumab",
        record(meds=(med("adalimumab"),)),
        False,
        "current TNF is switched",
    ),
    V(
        "natalizumab-plus-immunosuppressant",
        ("natalizumab", "prednisone"),
        record(),
        False,
        "steroid taper allowed",
    ),
    # --- anti-CD20, alemtuzumab
    V(
        "anti-cd20-hypogammaglobulinaemia",
        "rituximab",
        record(conditions=("D80.1",)),
        True,
        "hypogammaglobulinaemia",
    ),
    V(
        "anti-cd20-hypogammaglobulinaemia",
        "rituximab",
        record(conditions=("D84.9",)),
        False,
        "D84 other immunodeficiency",
    ),
    V("alemtuzumab-hiv", "alemtuzumab", record(conditions=("B20",)), True, "HIV"),
    V(
        "alemtuzumab-hiv",
        "alemtuzumab",
        record(conditions=("Z21",)),
        False,
        "Z21 asymptomatic HIV is not B20",
    ),
    # --- conventional
    V("methotrexate-pregnancy", "methotrexate", record(conditions=PREGNANT), True, "pregnant"),
    V(
        "methotrexate-pregnancy",
        "methotrexate",
        record(conditions=("Z31.69",)),
        False,
        "Z31 procreative counselling",
    ),
    V("methotrexate-renal-impairment", "methotrexate", record(obs={"EGFR": 28}), True, "eGFR 28"),
    V("methotrexate-renal-impairment", "methotrexate", record(obs={"EGFR": 35}), False, "eGFR 35"),
    V(
        "methotrexate-liver-or-alcohol",
        "methotrexate",
        record(conditions=("K74.60",)),
        True,
        "cirrhosis",
    ),
    V(
        "methotrexate-liver-or-alcohol",
        "methotrexate",
        record(conditions=("F10.20",)),
        True,
        "alcohol dependence",
    ),
    V(
        "methotrexate-liver-or-alcohol",
        "methotrexate",
        record(conditions=("F10.90",)),
        False,
        "alcohol use unspecified F10.9",
    ),
    V("methotrexate-transaminases", "methotrexate", record(obs={"ALT": 130}), True, "ALT 130"),
    V("methotrexate-transaminases", "methotrexate", record(obs={"ALT": 110}), False, "ALT 110"),
    V("leflunomide-pregnancy", "leflunomide", record(conditions=PREGNANT), True, "pregnant"),
    V("leflunomide-pregnancy", "leflunomide", record(), False, "not pregnant"),
    V("leflunomide-liver", "leflunomide", record(obs={"ALT": 85}), True, "ALT 85 > 2 x ULN"),
    V(
        "leflunomide-liver",
        "leflunomide",
        record(conditions=("K75.4",)),
        True,
        "autoimmune hepatitis",
    ),
    V("leflunomide-liver", "leflunomide", record(obs={"ALT": 75}), False, "ALT 75"),
    V(
        "mycophenolate-pregnancy",
        "mycophenolate_mofetil",
        record(conditions=("O26.891",)),
        True,
        "pregnancy O26",
    ),
    V(
        "mycophenolate-pregnancy",
        "azathioprine",
        record(conditions=(*PREGNANT, "M32.14")),
        False,
        "azathioprine in LN pregnancy",
    ),
    V(
        "cyclophosphamide-pregnancy",
        "cyclophosphamide",
        record(conditions=PREGNANT),
        True,
        "pregnant",
    ),
    V("cyclophosphamide-pregnancy", "cyclophosphamide", record(), False, "not pregnant"),
    V(
        "azathioprine-pregnancy-rheumatoid-arthritis",
        "azathioprine",
        record(conditions=(*PREGNANT, "M05.79")),
        True,
        "RA, pregnant",
    ),
    V(
        "azathioprine-pregnancy-rheumatoid-arthritis",
        "azathioprine",
        record(conditions=(*PREGNANT, "M32.14")),
        False,
        "lupus nephritis, pregnant",
    ),
    V("voclosporin-renal-impairment", "voclosporin", record(obs={"EGFR": 45}), True, "eGFR 45"),
    V("voclosporin-renal-impairment", "voclosporin", record(obs={"EGFR": 46}), False, "eGFR 46"),
    V(
        "hydroxychloroquine-macular-disease",
        "hydroxychloroquine",
        record(conditions=("H35.30",)),
        True,
        "macular degeneration",
    ),
    V(
        "hydroxychloroquine-macular-disease",
        "hydroxychloroquine",
        record(conditions=("H40.9",)),
        False,
        "glaucoma",
    ),
    V("hydroxychloroquine-retinopathy-monitoring", "hydroxychloroquine", record(), True, "always"),
    V("hydroxychloroquine-retinopathy-monitoring", "methotrexate", record(), False, "other agent"),
    V("live-vaccines", "adalimumab", record(), True, "biologic"),
    V("live-vaccines", "tofacitinib", record(), True, "JAK"),
    V("live-vaccines", "hydroxychloroquine", record(), False, "HCQ is not immunosuppressive"),
    # --- checkpoint inhibitors
    V("checkpoint-inhibitor-never-offered", "pembrolizumab", record(), True, "PD-1 inhibitor"),
    V("checkpoint-inhibitor-never-offered", "ipilimumab", record(), True, "CTLA-4 inhibitor"),
    V(
        "checkpoint-inhibitor-never-offered",
        "abatacept",
        record(),
        False,
        "CTLA-4-Ig is a treatment",
    ),
    V(
        "checkpoint-inhibitor-current",
        "prednisone",
        record(conditions=("M05.79",), meds=(med("nivolumab"),)),
        True,
        "on nivolumab",
    ),
    V(
        "checkpoint-inhibitor-current",
        "adalimumab",
        record(meds=(med("ipilimumab"),)),
        True,
        "on ipilimumab",
    ),
    V(
        "checkpoint-inhibitor-current",
        "prednisone",
        record(meds=(med("pembrolizumab", stop="2025-06-01"),)),
        False,
        "stopped",
    ),
    # --- combinations
    V("two-biologics", ("adalimumab", "etanercept"), record(), True, "two TNF inhibitors"),
    V("two-biologics", ("rituximab", "belimumab"), record(), True, "anti-CD20 + BAFF"),
    V(
        "two-biologics",
        "tocilizumab",
        record(meds=(med("etanercept"),)),
        False,
        "switch, not combination",
    ),
    V(
        "two-biologics",
        ("adalimumab", "methotrexate"),
        record(),
        False,
        "biologic + MTX is standard",
    ),
    V("jak-plus-biologic", ("tofacitinib", "adalimumab"), record(), True, "JAK + TNF"),
    V(
        "jak-plus-biologic",
        "tofacitinib",
        record(meds=(med("adalimumab"),)),
        False,
        "switch from TNF to JAK",
    ),
    V(
        "jak-plus-potent-immunosuppressant",
        ("baricitinib", "azathioprine"),
        record(),
        True,
        "with azathioprine",
    ),
    V(
        "jak-plus-potent-immunosuppressant",
        "baricitinib",
        record(meds=(med("voclosporin"),)),
        True,
        "current calcineurin inhibitor",
    ),
    V(
        "jak-plus-potent-immunosuppressant",
        ("baricitinib", "methotrexate"),
        record(),
        False,
        "JAK + MTX is labelled",
    ),
    V(
        "label-combination-contraindicated",
        ("natalizumab", "methotrexate"),
        record(),
        True,
        "natalizumab + MTX",
    ),
    V(
        "label-combination-contraindicated",
        "natalizumab",
        record(meds=(med("azathioprine"),)),
        True,
        "current AZA continues",
    ),
    V(
        "label-combination-contraindicated",
        "natalizumab",
        record(meds=(med("adalimumab"),)),
        False,
        "current TNF is switched",
    ),
    V(
        "label-combination-contraindicated",
        ("vedolizumab", "methotrexate"),
        record(),
        False,
        "gut-selective integrin",
    ),
    V(
        "label-combination-not-recommended",
        ("mycophenolate_mofetil", "azathioprine"),
        record(),
        True,
        "MMF + AZA",
    ),
    V(
        "label-combination-not-recommended",
        ("voclosporin", "cyclophosphamide"),
        record(),
        True,
        "voclosporin + cyclophosphamide",
    ),
    V(
        "label-combination-not-recommended",
        ("apremilast", "tofacitinib"),
        record(),
        False,
        "no label rule for this pair",
    ),
    V(
        "label-combination-not-recommended",
        ("methotrexate", "hydroxychloroquine"),
        record(),
        False,
        "acceptable combination",
    ),
]
