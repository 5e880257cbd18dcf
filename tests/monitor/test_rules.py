"""Treat-to-target decision rules, one clinical vignette per guideline branch.

Each vignette is built so the guideline text alone decides the expected action; the source is
named above each group. Index values are computed by the indices module from raw inputs (CDAI =
TJC28 + SJC28 + PTGA/10 + PHGA/10, Aletaha & Smolen 2005), never given to the rule directly.
"""

from __future__ import annotations

from typing import Any

import pytest

from immunobalance.indices import SLEDAI_2K_ITEMS
from immunobalance.monitor import review_visit
from immunobalance.patient import parse_patient_dict
from immunobalance.patient.model import Patient


def _patient(
    code: str,
    visits: dict[str, dict[str, Any]],
    medications: list[dict[str, Any]],
    *,
    extra: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> Patient:
    observations = [
        {"code": k, "value": v, "date": when}
        for when, values in visits.items()
        for k, v in values.items()
    ]
    return parse_patient_dict(
        {
            "id": "vignette",
            "sex": "female",
            "birth_date": "1970-01-01",
            "weight_kg": 70,
            "conditions": [{"code": code, "system": "icd10"}],
            "observations": [*observations, *extra],
            "medications": medications,
        }
    )


def _cdai_inputs(tjc: int, sjc: int, ptga: float, phga: float) -> dict[str, Any]:
    return {"TJC28": tjc, "SJC28": sjc, "PTGA": ptga, "PHGA": phga}


ADALIMUMAB = {
    "agent": "adalimumab",
    "dose": "40 mg",
    "every": "2 weeks",
    "route": "sc",
    "start": "2026-01-01",
}


def _mtx(dose: str = "25 mg", start: str = "2026-01-01") -> dict[str, Any]:
    return {
        "agent": "methotrexate",
        "dose": dose,
        "every": "1 week",
        "route": "oral",
        "start": start,
    }


PREDNISONE = {
    "agent": "prednisone",
    "dose": "5 mg",
    "every": "1 day",
    "route": "oral",
    "start": "2026-01-01",
}


# ------------------------------------------------------------ rheumatoid arthritis (EULAR 2022)
# Smolen JS et al. Ann Rheum Dis 2023;82:3-18 items 2-4, 7-12; Aletaha D et al. Ann Rheum Dis
# 2016;75:1479-1485 (>= 50 % CDAI improvement at 3 months).
BASE_CDAI_30 = _cdai_inputs(10, 8, 60, 60)  # CDAI 30 (high)


def test_ra_under_50_percent_improvement_at_3_months_on_biologic_switches_class() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-04-05": _cdai_inputs(8, 6, 30, 30)},
        [ADALIMUMAB, _mtx()],
    )  # CDAI 20: 33 % better, moderate
    review = review_visit(p)
    assert review.assessment.indices["CDAI"].value == pytest.approx(20.0)
    assert review.action.kind == "switch_class"
    assert review.action.at_target is False
    assert any("Aletaha" in s for s in review.action.sources)


def test_ra_at_least_50_percent_improvement_at_3_months_continues() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-04-05": _cdai_inputs(5, 4, 15, 15)},
        [ADALIMUMAB, _mtx()],
    )  # CDAI 12: 60 % better, moderate
    review = review_visit(p)
    assert review.assessment.indices["CDAI"].category == "moderate"
    assert review.action.kind == "continue"
    assert review.action.at_target is False


def test_ra_too_early_to_judge_continues() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-02-15": _cdai_inputs(9, 8, 40, 40)},
        [ADALIMUMAB, _mtx()],
    )
    assert review_visit(p).action.kind == "continue"


def test_ra_methotrexate_below_optimal_dose_is_escalated() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-07-10": _cdai_inputs(6, 5, 20, 20)},
        [_mtx("15 mg")],
    )  # CDAI 15 at 6 months on MTX 15 mg/week
    action = review_visit(p).action
    assert action.kind == "optimise_dose"
    assert "25 mg/week" in action.summary


def test_ra_csdmard_failure_with_poor_prognosis_adds_a_biologic() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-07-10": _cdai_inputs(6, 5, 20, 20)},
        [_mtx("25 mg")],
        extra=[{"code": "ACPA", "value": 150, "date": "2026-01-01"}],
    )
    action = review_visit(p).action
    assert action.kind == "add"
    assert "bDMARD" in action.summary
    assert any("ACPA positive" in r for r in action.reasons)


def test_ra_csdmard_failure_without_poor_prognosis_changes_csdmard() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-07-10": _cdai_inputs(6, 5, 20, 20)},
        [_mtx("25 mg")],
        extra=[{"code": "ACPA", "value": "negative", "date": "2026-01-01"}],
    )
    action = review_visit(p).action
    assert action.kind == "add"
    assert "csDMARD" in action.summary


def test_ra_sustained_remission_tapers_the_biologic() -> None:
    remission = _cdai_inputs(0, 0, 10, 5)  # CDAI 1.5
    p = _patient(
        "M05.79",
        {"2026-01-01": remission, "2026-04-01": remission, "2026-07-15": remission},
        [ADALIMUMAB, _mtx()],
    )
    action = review_visit(p).action
    assert action.kind == "taper"
    assert "adalimumab" in action.summary


def test_ra_sustained_remission_on_glucocorticoid_tapers_it_first() -> None:
    remission = _cdai_inputs(0, 0, 10, 5)
    p = _patient(
        "M05.79",
        {"2026-01-01": remission, "2026-04-01": remission, "2026-07-15": remission},
        [ADALIMUMAB, _mtx(), PREDNISONE],
    )
    action = review_visit(p).action
    assert action.kind == "taper"
    assert "glucocorticoid" in action.summary


def test_ra_short_remission_continues() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-04-01": _cdai_inputs(0, 0, 10, 5)},
        [ADALIMUMAB, _mtx()],
    )
    action = review_visit(p).action
    assert action.kind == "continue" and action.at_target is True


def test_ra_low_activity_is_at_target() -> None:
    p = _patient(
        "M05.79",
        {"2026-01-01": BASE_CDAI_30, "2026-07-01": _cdai_inputs(3, 2, 15, 15)},
        [ADALIMUMAB, _mtx()],
    )  # CDAI 8: low
    action = review_visit(p).action
    assert (action.kind, action.at_target, action.index) == ("continue", True, "CDAI")


def test_ra_without_a_composite_index_asks_for_one() -> None:
    p = _patient("M05.79", {"2026-01-01": {"CRP": 12}}, [_mtx()])
    assert review_visit(p).action.kind == "review"


# ------------------------------------------------------------ psoriasis (European consensus)
# Mrowietz U et al. Arch Dermatol Res 2011;303:1-10.
GUSELKUMAB = {
    "agent": "guselkumab",
    "dose": "100 mg",
    "every": "8 weeks",
    "route": "sc",
    "start": "2026-01-01",
}


@pytest.mark.parametrize(
    ("pasi_now", "when", "kind"),
    [
        (4.0, "2026-04-23", "continue"),  # week 16, 80 % better: PASI75
        (8.0, "2026-04-23", "optimise_dose"),  # 60 %: PASI50 but not PASI75
        (14.0, "2026-04-23", "switch_class"),  # 30 %: below PASI50
        (14.0, "2026-02-12", "continue"),  # week 6: still induction
    ],
)
def test_psoriasis_treatment_goals(pasi_now: float, when: str, kind: str) -> None:
    p = _patient("L40.0", {"2026-01-01": {"PASI": 20.0}, when: {"PASI": pasi_now}}, [GUSELKUMAB])
    assert review_visit(p).action.kind == kind


def test_psoriasis_moderate_severe_without_systemic_therapy_starts_one() -> None:
    p = _patient("L40.0", {"2026-01-01": {"PASI": 15.0}}, [])
    assert review_visit(p).action.kind == "add"


# ------------------------------------------------------------ SLE (DORIS 2021, LLDAS, EULAR 2023)
HCQ = {
    "agent": "hydroxychloroquine",
    "dose": "400 mg",
    "every": "1 day",
    "route": "oral",
    "start": "2024-01-01",
}
MMF = {
    "agent": "mycophenolate_mofetil",
    "dose": "1000 mg",
    "every": "12 hours",
    "route": "oral",
    "start": "2024-06-01",
}


def _sledai(present: set[str], phga: float | None) -> dict[str, Any]:
    values: dict[str, Any] = {f"SLEDAI_{i}": i in present for i in SLEDAI_2K_ITEMS}
    if phga is not None:
        values["PHGA"] = phga
    return values


def test_sle_serological_activity_only_is_doris_remission() -> None:
    # clinical SLEDAI excludes low complement and anti-dsDNA (DORIS 2021)
    quiet = _sledai({"LOWCOMPLEMENT", "DNA"}, phga=10)
    p = _patient("M32.9", {"2026-01-01": quiet, "2026-04-01": quiet}, [HCQ])
    review = review_visit(p)
    assert review.assessment.indices["SLEDAI2K"].value == 4
    assert review.action.at_target is True and review.action.kind == "continue"
    assert any("DORIS remission" in r for r in review.action.reasons)


def test_sle_sustained_remission_on_mmf_tapers_it_keeping_hcq() -> None:
    quiet = _sledai(set(), phga=5)
    p = _patient(
        "M32.9", {"2026-01-01": quiet, "2026-04-01": quiet, "2026-07-20": quiet}, [HCQ, MMF]
    )
    action = review_visit(p).action
    assert action.kind == "taper" and "mycophenolate_mofetil" in action.summary


def test_sle_lldas_on_7_5_mg_prednisone_tapers_it_to_5() -> None:
    low = _sledai({"RASH"}, phga=20)  # SLEDAI 2, PGA 0.6
    pred = {**PREDNISONE, "dose": "7.5 mg"}
    p = _patient("M32.9", {"2026-01-01": low, "2026-04-01": low}, [HCQ, pred])
    action = review_visit(p).action
    assert action.kind == "taper" and "prednisone" in action.summary


def test_sle_on_10_mg_prednisone_is_not_lldas_and_adds_a_biologic() -> None:
    # LLDAS needs prednisone <= 7.5 mg/day (Franklyn 2016); > 5 mg/day dependence -> biologic
    low = _sledai({"RASH"}, phga=20)
    pred = {**PREDNISONE, "dose": "10 mg"}
    p = _patient("M32.9", {"2026-01-01": low, "2026-04-01": low}, [HCQ, pred])
    action = review_visit(p).action
    assert (action.kind, action.at_target) == ("add", False)


def test_sle_persistent_activity_on_hcq_adds_a_biologic() -> None:
    active = _sledai({"ARTHRITIS", "RASH"}, phga=50)  # SLEDAI 6
    p = _patient("M32.9", {"2025-06-01": active, "2026-04-01": active}, [HCQ])
    action = review_visit(p).action
    assert action.kind == "add" and "belimumab" in action.summary


def test_sle_without_pga_cannot_be_judged() -> None:
    p = _patient("M32.9", {"2026-01-01": _sledai(set(), phga=None)}, [HCQ])
    assert review_visit(p).action.kind == "review"


# ------------------------------------------------------------ IBD (STRIDE-II)
VEDOLIZUMAB = {
    "agent": "vedolizumab",
    "dose": "300 mg",
    "every": "8 weeks",
    "route": "iv",
    "start": "2026-01-01",
}


def _mayo(stool: int, bleed: int, pga: int) -> dict[str, Any]:
    return {"MAYO_STOOL": stool, "MAYO_BLEED": bleed, "MAYO_PGA": pga}


@pytest.mark.parametrize(
    ("now", "when", "extra_meds", "kind"),
    [
        (_mayo(2, 2, 2), "2026-04-20", [], "switch_class"),  # PRO2 5 -> 4 at 3.6 months
        (_mayo(1, 1, 1), "2026-08-01", [], "optimise_dose"),  # response, no remission at 7 m
        (_mayo(1, 0, 1), "2026-08-01", [PREDNISONE], "taper"),  # remission on a steroid
        (_mayo(1, 0, 0), "2026-08-01", [], "continue"),  # steroid-free clinical remission
    ],
)
def test_uc_stride_ii_targets(
    now: dict[str, Any], when: str, extra_meds: list[dict[str, Any]], kind: str
) -> None:
    p = _patient("K51.90", {"2026-01-01": _mayo(3, 2, 2), when: now}, [VEDOLIZUMAB, *extra_meds])
    assert review_visit(p).action.kind == kind


def test_crohns_remission_needs_normal_crp() -> None:
    hbi_low = {
        "HBI_WELLBEING": 0,
        "HBI_PAIN": 1,
        "HBI_STOOLS": 2,
        "HBI_MASS": 0,
        "HBI_COMPLICATIONS": 0,
    }  # HBI 3
    hbi_high = {**hbi_low, "HBI_STOOLS": 9}  # HBI 10
    meds = [{**VEDOLIZUMAB}]
    raised = _patient(
        "K50.90", {"2026-01-01": hbi_high, "2026-08-01": {**hbi_low, "CRP": 20}}, meds
    )
    normal = _patient("K50.90", {"2026-01-01": hbi_high, "2026-08-01": {**hbi_low, "CRP": 2}}, meds)
    assert review_visit(raised).action.at_target is False
    assert review_visit(normal).action.kind == "continue"


# ------------------------------------------------------------ MS (NEDA-3, ECTRIMS/EAN 2018)
OCRELIZUMAB = {
    "agent": "ocrelizumab",
    "dose": "600 mg",
    "every": "24 weeks",
    "route": "iv",
    "start": "2025-01-01",
}


def test_ms_breakthrough_after_onset_period_escalates() -> None:
    p = _patient(
        "G35",
        {
            "2025-01-01": {"EDSS": 2.0},
            "2026-03-01": {"EDSS": 2.0, "GD_LESIONS": 2, "RELAPSES_12M": 0},
        },
        [OCRELIZUMAB],
    )
    assert review_visit(p).action.kind == "switch_class"


def test_ms_neda_continues() -> None:
    p = _patient(
        "G35",
        {
            "2025-01-01": {"EDSS": 2.0},
            "2026-03-01": {"EDSS": 2.0, "GD_LESIONS": 0, "RELAPSES_12M": 0},
        },
        [OCRELIZUMAB],
    )
    action = review_visit(p).action
    assert action.kind == "continue" and action.at_target is True


def test_ms_activity_in_onset_period_does_not_count_as_failure() -> None:
    early = {**OCRELIZUMAB, "start": "2026-01-01"}
    p = _patient(
        "G35", {"2026-01-01": {"EDSS": 2.0}, "2026-03-01": {"GD_LESIONS": 1, "EDSS": 2.0}}, [early]
    )
    assert review_visit(p).action.kind == "continue"


def test_ms_edss_worsening_by_the_threshold_is_activity() -> None:
    # from EDSS 2.0 the threshold is +1.0 (Kappos/Hauser definition): 3.0 is progression
    p = _patient(
        "G35",
        {
            "2025-01-01": {"EDSS": 2.0},
            "2026-03-01": {"EDSS": 3.0, "GD_LESIONS": 0, "RELAPSES_12M": 0},
        },
        [OCRELIZUMAB],
    )
    assert review_visit(p).action.kind == "switch_class"


# ------------------------------------------------------------ T1D (ADA 2024)
@pytest.mark.parametrize(("hba1c", "kind"), [(8.2, "optimise_dose"), (6.6, "continue")])
def test_t1d_stage_3_hba1c_target(hba1c: float, kind: str) -> None:
    p = _patient("E10.9", {"2026-01-01": {"HBA1C": hba1c}}, [])
    assert review_visit(p).action.kind == kind
