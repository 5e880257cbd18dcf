"""Psoriasis, SLE, UC, Crohn's, MS and T1D indices against their published definitions.

* PASI: Fredriksson & Pettersson 1978 Dermatologica 157:238 — region weights 0.1/0.2/0.3/0.4,
  severity 0–4, area 0–6 (0, <10, 10–29, 30–49, 50–69, 70–89, 90–100 %), range 0–72.
* SLEDAI-2K: Gladman et al. 2002 J Rheumatol 29:288 — item weights 8/4/2/1, maximum 105.
* SRI-4: Furie et al. 2009; BICLA: Wallace et al. 2014 (BILAG parts approximated, documented).
* Mayo: Schroeder et al. 1987 NEJM 317:1625; remission/response: ACT 1/2 (Rutgeerts 2005).
* HBI: Harvey & Bradshaw 1980 Lancet 1:514; bands Best 2006; response Vermeire 2010.
* CDAI (Crohn's): Best et al. 1976 Gastroenterology 70:439.
* EDSS progression: Hauser et al. 2017 (OPERA) rule; T1D staging: Insel et al. 2015.
"""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.errors import InvalidInputError
from immunobalance.indices import (
    SLEDAI_2K_ITEMS,
    SLEDAI_2K_WEIGHTS,
    annualised_relapse_rate,
    approximate_bilag_grades,
    bicla,
    cd_remission,
    cd_remission_from_hbi,
    cd_response,
    cd_response_from_hbi,
    cdai_cd_change_from_hbi_change,
    cdai_crohns,
    confirmed_disability_progression,
    cpeptide_auc_mean,
    cpeptide_change,
    edss_category,
    edss_progression_threshold,
    harvey_bradshaw,
    hbi_category,
    mayo_category,
    mayo_clinical_remission,
    mayo_clinical_response,
    mayo_score,
    modified_mayo_remission,
    partial_mayo_category,
    partial_mayo_score,
    pasi,
    pasi75,
    pasi90,
    pasi100,
    pasi_area_score,
    pasi_category,
    pasi_from_components,
    pooled_annualised_relapse_rate,
    sledai_2k,
    sledai_2k_category,
    sri4,
    t1d_stage,
    t1d_stage_label,
)


# ----------------------------------------------------------------------------- PASI
def test_pasi_fully_worked_example() -> None:
    # head E2 I1 D1 A2: (2+1+1)·2·0.1 = 0.8      upper E3 I2 D2 A3: 7·3·0.2 = 4.2
    # trunk E1 I1 D0 A1: 2·1·0.3 = 0.6           lower E3 I3 D2 A4: 8·4·0.4 = 12.8   → 18.4
    value = pasi([2, 3, 1, 3], [1, 2, 1, 3], [1, 2, 0, 2], [2, 3, 1, 4])
    assert float(value) == pytest.approx(18.4)
    components = {
        "PASI_H_E": 2, "PASI_H_I": 1, "PASI_H_D": 1, "PASI_H_A": 2,
        "PASI_U_E": 3, "PASI_U_I": 2, "PASI_U_D": 2, "PASI_U_A": 3,
        "PASI_T_E": 1, "PASI_T_I": 1, "PASI_T_D": 0, "PASI_T_A": 1,
        "PASI_L_E": 3, "PASI_L_I": 3, "PASI_L_D": 2, "PASI_L_A": 4,
    }  # fmt: skip
    assert float(pasi_from_components(components)) == pytest.approx(18.4)
    assert pasi_category(18.4).item() == "moderate_to_severe"


def test_pasi_range_is_0_to_72() -> None:
    assert float(pasi([4] * 4, [4] * 4, [4] * 4, [6] * 4)) == pytest.approx(72.0)
    assert float(pasi([0] * 4, [0] * 4, [0] * 4, [0] * 4)) == 0.0


def test_pasi_area_score_table() -> None:
    pct = [0, 0.5, 9.9, 10, 29, 30, 49, 50, 69, 70, 89, 90, 100]
    assert pasi_area_score(pct).tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]


def test_pasi_missing_components_are_named() -> None:
    with pytest.raises(InvalidInputError) as info:
        pasi_from_components({"PASI_H_E": 1})
    assert len(info.value.problems) == 15


def test_pasi_responses() -> None:
    assert pasi75([20, 20], [5, 5.5]).tolist() == [True, False]
    assert pasi90([20, 20], [2, 2.5]).tolist() == [True, False]
    assert pasi100([20, 20], [0, 0.1]).tolist() == [True, False]
    assert pasi_category([0, 10, 10.1]).tolist() == ["clear", "mild", "moderate_to_severe"]


# ----------------------------------------------------------------------------- SLE
def _descriptors(*present: str) -> np.ndarray:
    return np.array([1.0 if k in present else 0.0 for k in SLEDAI_2K_ITEMS])


def test_sledai_2k_weights_and_maximum() -> None:
    # Gladman 2002: eight 8-point, six 4-point, seven 2-point and three 1-point items; max 105
    weights = list(SLEDAI_2K_WEIGHTS.values())
    assert (weights.count(8), weights.count(4), weights.count(2), weights.count(1)) == (8, 6, 7, 3)
    assert float(sledai_2k(np.ones(24))) == 105.0


def test_sledai_2k_worked_example() -> None:
    # arthritis 4 + rash 2 + low complement 2 + anti-dsDNA 2 + leukopenia 1 = 11 -> high
    value = sledai_2k(_descriptors("ARTHRITIS", "RASH", "LOWCOMPLEMENT", "DNA", "LEUKOPENIA"))
    assert float(value) == 11.0
    assert sledai_2k_category([0, 5, 6, 10, 11, 19, 20]).tolist() == [
        "no_activity", "mild", "moderate", "moderate", "high", "high", "very_high",
    ]  # fmt: skip


def test_sri4_definition() -> None:
    base = _descriptors("ARTHRITIS", "RASH", "LOWCOMPLEMENT", "DNA")  # 10
    better = _descriptors("LOWCOMPLEMENT", "DNA")  # 4: reduction 6
    assert bool(sri4(base, better, 1.0, 1.2))  # PGA +0.2 < 0.3
    assert not bool(sri4(base, better, 1.0, 1.3))  # PGA +0.3: worsening ≥ 10 %
    # reduction only 2 (rash resolved): not SRI-4
    assert not bool(sri4(base, _descriptors("ARTHRITIS", "LOWCOMPLEMENT", "DNA"), 1.0, 1.0))
    # reduction ≥ 4 but a new 8-point item (vasculitis ~ new BILAG A) appears: not SRI-4
    base2 = _descriptors("ARTHRITIS", "MYOSITIS", "CASTS", "HEMATURIA", "PROTEINURIA", "PYURIA")
    assert not bool(sri4(base2, _descriptors("VASCULITIS"), 1.0, 1.0))


def test_bilag_approximation_grades() -> None:
    grades = approximate_bilag_grades(_descriptors("SEIZURE", "ARTHRITIS", "CASTS", "PROTEINURIA"))
    # order: constitutional, mucocutaneous, neuro, musculoskeletal, cardioresp, ophthalmic, renal,
    # haematological -> neuro A (8-point item), MSK B, renal A (4 + 4 = 8)
    assert grades.tolist() == [0, 0, 2, 1, 0, 0, 2, 0]


def test_bicla_requires_every_domain_to_improve() -> None:
    base = _descriptors("ARTHRITIS", "RASH")
    assert bool(bicla(base, _descriptors(), 1.0, 1.0))
    assert not bool(bicla(base, _descriptors("RASH"), 1.0, 1.0))
    assert not bool(bicla(base, _descriptors(), 1.0, 1.5))  # PGA worse


# ----------------------------------------------------------------------------- UC
def test_mayo_scores_and_bands() -> None:
    assert float(mayo_score(2, 1, 2, 2)) == 7.0
    assert float(partial_mayo_score(2, 1, 2)) == 5.0
    cats = mayo_category(
        [0, 1, 2, 1, 3, 3], [0, 1, 0, 1, 3, 3], [0, 0, 0, 2, 3, 2], [0, 0, 0, 1, 2, 3]
    )
    assert cats.tolist() == ["remission", "remission", "mild", "mild", "severe", "severe"]
    assert partial_mayo_category([1, 2, 4, 5, 6, 7]).tolist() == [
        "remission", "mild", "mild", "moderate", "moderate", "severe",
    ]  # fmt: skip


def test_mayo_remission_and_response_act_definitions() -> None:
    assert mayo_clinical_remission([1, 2], [1, 0], [0, 0], [0, 0]).tolist() == [True, False]
    assert modified_mayo_remission([1, 1], [0, 1], [1, 1]).tolist() == [True, False]
    # baseline 9 (bleeding 2) -> 6 (bleeding 1): −3 and −33 % with bleeding −1: response
    # baseline 12 -> 9: −3 but −25 %: no response
    assert mayo_clinical_response([9, 12], [6, 9], [2, 3], [1, 1]).tolist() == [True, False]


# ----------------------------------------------------------------------------- Crohn's
def test_harvey_bradshaw_worked_example_and_bands() -> None:
    # well-being 1 + pain 2 + 4 liquid stools + no mass + 1 complication = 8 -> moderate
    assert float(harvey_bradshaw(1, 2, 4, 0, 1)) == 8.0
    assert hbi_category([4, 5, 7, 8, 16, 17]).tolist() == [
        "remission", "mild", "mild", "moderate", "moderate", "severe",
    ]  # fmt: skip


def test_cdai_crohns_best_1976_weights() -> None:
    # 2·20 + 5·10 + 7·14 + 20·1 + 30·0 + 10·0 + 6·(47 − 40) + 5 = 40+50+98+20+42+5 = 255
    assert float(cdai_crohns(20, 10, 14, 1, 0, 0, 40, 5, male=True)) == 255.0
    # a woman with the same haematocrit: expected 42 %, so 6·2 = 12 instead of 42 -> 225
    assert float(cdai_crohns(20, 10, 14, 1, 0, 0, 40, 5, male=False)) == 225.0
    assert cd_remission([149, 150]).tolist() == [True, False]
    assert cd_response([300, 300], [200, 201]).tolist() == [True, False]


def test_hbi_surrogates_vermeire_2010() -> None:
    assert cd_remission_from_hbi([4, 5]).tolist() == [True, False]
    assert cd_response_from_hbi([10, 10], [7, 8]).tolist() == [True, False]
    assert float(cdai_cd_change_from_hbi_change(-3)) == -81.0  # 27 per point (Best 2006)


# ----------------------------------------------------------------------------- MS
def test_arr() -> None:
    assert annualised_relapse_rate([2, 0], [2.0, 1.0]).tolist() == [1.0, 0.0]
    # 4 relapses over 5.5 patient-years
    assert pooled_annualised_relapse_rate([1, 0, 3], [2.0, 2.0, 1.5]) == pytest.approx(4 / 5.5)
    with pytest.raises(InvalidInputError, match="years"):
        annualised_relapse_rate(1, 0)


def test_edss_progression_rule() -> None:
    assert edss_progression_threshold([0, 1.0, 5.5, 6.0, 7.5]).tolist() == [1.5, 1.0, 1.0, 0.5, 0.5]
    weeks = [0, 12, 24, 36]
    cases = np.array([
        [0.0, 1.5, 1.5, 1.5],  # from 0: +1.5 confirmed 12 weeks later -> yes
        [0.0, 1.0, 1.0, 1.0],  # from 0: +1.0 is not enough -> no
        [3.0, 4.0, 3.5, 4.0],  # reached, then fell back at the confirming visit -> no
        [6.0, 6.0, 6.5, 6.5],  # > 5.5: +0.5 confirmed -> yes
        [2.0, 2.0, 2.0, 3.0],  # worsening at the last visit, never confirmed -> no
    ])  # fmt: skip
    assert confirmed_disability_progression(cases, weeks).tolist() == [
        True, False, False, True, False,
    ]  # fmt: skip
    assert edss_category([3.5, 4.0, 6.0, 7.0]).tolist() == [
        "fully_ambulatory", "limited_ambulation", "walking_aid", "wheelchair_or_bed",
    ]  # fmt: skip


# ----------------------------------------------------------------------------- T1D
def test_t1d_staging_insel_2015() -> None:
    stage = t1d_stage(
        [2, 2, 2, 2, 3, 1, 0, 2],
        [5.4, 5.7, 6.4, 6.5, np.nan, 5.0, 5.0, 5.4],
        fpg_mg_dl=[90, 90, 90, 90, 110, np.nan, np.nan, 90],
        hba1c_baseline_pct=[np.nan] * 7 + [4.9],  # 4.9 -> 5.4 is a ≥ 10 % rise
    )
    assert stage.tolist() == [1, 2, 2, 3, 2, 0, 0, 2]
    assert t1d_stage_label([1, 3, -1]).tolist() == ["stage_1", "stage_3", "indeterminate"]
    assert int(t1d_stage(0, 5.0, diagnosed=True)) == 3


def test_cpeptide() -> None:
    # TrialNet 2-h MMTT: trapezoid AUC / 120 min
    auc = cpeptide_auc_mean([0, 30, 60, 90, 120], [0.2, 0.6, 0.8, 0.7, 0.5])
    assert float(auc) == pytest.approx(73.5 / 120)
    assert float(cpeptide_change(0.6, 0.45)) == pytest.approx(-0.15)
