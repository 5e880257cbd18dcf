"""RA indices against their published formulas, worked by hand, and the EULAR matrix.

Sources of truth:
* DAS28-ESR and DAS28-CRP(4): the DAS-score website (Radboud UMC, www.das-score.nl, "How to use
  the DAS28"): DAS28 = 0.56·√TJC28 + 0.28·√SJC28 + 0.70·ln(ESR) + 0.014·GH, and the 4-variable CRP
  form 0.56·√TJC28 + 0.28·√SJC28 + 0.36·ln(CRP+1) + 0.014·GH + 0.96 (CRP mg/L; minimum 0.96).
* CDAI/SDAI: Aletaha & Smolen 2005 Clin Exp Rheumatol 23(5 Suppl 39):S100 — CDAI = SJC28 +
  TJC28 + PtGA(cm) + EGA(cm); SDAI = CDAI + CRP(mg/dL); bands 2.8/10/22 and 3.3/11/26.
* EULAR response: van Gestel et al. 1996/1998, the 3×3 matrix.
* ACR20: Felson et al. 1995 Arthritis Rheum 38:727.
* Boolean remission: Felson et al. 2011; Studenic et al. 2023.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from immunobalance.errors import InvalidInputError
from immunobalance.indices import (
    AcrCoreSet,
    acr20,
    acr50,
    acr70,
    acr_eular_boolean_remission,
    cdai,
    cdai_category,
    das28_category,
    das28_crp,
    das28_esr,
    eular_response,
    eular_response_label,
    sdai,
    sdai_category,
)


def test_das28_esr_worked_example() -> None:
    # TJC28 = 9, SJC28 = 4, ESR = 40 mm/h, GH = 60 mm:
    # 0.56·3 + 0.28·2 + 0.70·ln 40 + 0.014·60 = 1.68 + 0.56 + 2.582190 + 0.84 = 5.662190
    expected = 1.68 + 0.56 + 0.70 * math.log(40) + 0.84
    assert float(das28_esr(9, 4, 40, 60)) == pytest.approx(expected, abs=1e-12)
    assert float(das28_esr(9, 4, 40, 60)) == pytest.approx(5.6622, abs=1e-4)
    assert das28_category(das28_esr(9, 4, 40, 60)).item() == "high"


def test_das28_crp_worked_example_and_units() -> None:
    # TJC28 = 4, SJC28 = 1, CRP = 2.4 mg/dL = 24 mg/L, GH = 50:
    # 0.56·2 + 0.28·1 + 0.36·ln 25 + 0.7 + 0.96 = 1.12 + 0.28 + 1.158799 + 0.7 + 0.96 = 4.218799
    assert float(das28_crp(4, 1, 24, 50)) == pytest.approx(4.2188, abs=1e-4)
    # entering mg/dL by mistake gives a different (wrong) number: the unit matters
    # (0.36·ln 3.4 = 0.440560 instead of 1.158799)
    assert float(das28_crp(4, 1, 2.4, 50)) == pytest.approx(3.5006, abs=1e-4)


def test_das28_crp_minimum_is_0_96() -> None:
    # DAS website: the 4-variable DAS28-CRP has a minimum of 0.96 (all inputs 0)
    assert float(das28_crp(0, 0, 0, 0)) == pytest.approx(0.96)


@pytest.mark.parametrize(
    ("value", "band"),
    [(2.59, "remission"), (2.6, "low"), (3.2, "low"), (3.21, "moderate"), (5.1, "moderate"),
     (5.11, "high")],
)  # fmt: skip
def test_das28_bands(value: float, band: str) -> None:
    assert das28_category(value).item() == band


def test_cdai_sdai_worked_example() -> None:
    # TJC28 = 8, SJC28 = 6, PtGA 5.0 cm, PhGA 4.0 cm: CDAI = 8 + 6 + 5 + 4 = 23 (high, > 22)
    assert float(cdai(8, 6, 50, 40)) == 23.0
    assert cdai_category(23.0).item() == "high"
    # SDAI adds CRP in mg/dL: CRP 24 mg/L = 2.4 mg/dL -> 25.4 (moderate, ≤ 26)
    assert float(sdai(8, 6, 50, 40, 24)) == pytest.approx(25.4)
    assert sdai_category(25.4).item() == "moderate"


@pytest.mark.parametrize(
    ("value", "cdai_band", "sdai_band"),
    [(2.8, "remission", "remission"), (3.3, "low", "remission"), (3.31, "low", "low"),
     (10.0, "low", "low"), (11.0, "moderate", "low"), (22.0, "moderate", "moderate"),
     (26.0, "high", "moderate"), (26.1, "high", "high")],
)  # fmt: skip
def test_cdai_sdai_bands(value: float, cdai_band: str, sdai_band: str) -> None:
    assert cdai_category(value).item() == cdai_band
    assert sdai_category(value).item() == sdai_band


def test_cdai_boundary_is_exact_despite_floating_point() -> None:
    # 1 + 0 + 0.9 + 0.9 = 2.8 exactly on paper: remission (≤ 2.8)
    assert cdai_category(cdai(1, 0, 9, 9)).item() == "remission"


# EULAR matrix (van Gestel 1996/1998): rows = current DAS28, columns = improvement.
# Each cell probed at its corners: improvement just above a cut-off and on it.
@pytest.mark.parametrize(
    ("current", "improvement", "expected"),
    [
        # current ≤ 3.2
        (3.2, 1.21, "good"), (2.0, 3.0, "good"),
        (3.2, 1.2, "moderate"), (3.0, 0.61, "moderate"),
        (3.2, 0.6, "none"), (2.0, 0.0, "none"), (2.0, -1.0, "none"),
        # 3.2 < current ≤ 5.1
        (3.21, 1.21, "moderate"), (5.1, 2.0, "moderate"),
        (5.1, 1.2, "moderate"), (3.21, 0.61, "moderate"),
        (5.1, 0.6, "none"), (4.0, 0.2, "none"),
        # current > 5.1
        (5.11, 1.21, "moderate"), (7.0, 2.5, "moderate"),
        (5.11, 1.2, "none"), (6.0, 0.61, "none"),
        (6.0, 0.6, "none"), (8.0, 0.0, "none"),
    ],
)  # fmt: skip
def test_eular_matrix_every_cell(current: float, improvement: float, expected: str) -> None:
    code = eular_response(current + improvement, current)
    assert eular_response_label(code).item() == expected


def test_eular_refuses_missing_das28() -> None:
    with pytest.raises(InvalidInputError, match="das28_current"):
        eular_response([5.0, 5.0], [3.0, np.nan])


def _core(tjc, sjc, ptga, phga, pain, haq, crp):  # type: ignore[no-untyped-def]
    return AcrCoreSet(tjc, sjc, ptga, phga, pain, haq, crp)


def test_acr20_worked_by_hand_felson_1995() -> None:
    # Baseline: TJC68 20, SJC66 12, PtGA 60, PhGA 55, pain 70, HAQ 1.50, CRP 25 mg/L.
    base = _core(20, 12, 60, 55, 70, 1.50, 25)
    # Follow-up: TJC 16 (−20 %), SJC 9 (−25 %), PtGA 48 (−20 %), PhGA 50 (−9 %),
    # pain 56 (−20 %), HAQ 1.375 (−8.3 %), CRP 20 (−20 %): joints ✓, 3 of 5 others ✓ -> ACR20.
    follow = _core(16, 9, 48, 50, 56, 1.375, 20)
    assert bool(acr20(base, follow))
    assert not bool(acr50(base, follow))
    # One fewer other measure improved (pain 57, −18.6 %) -> 2 of 5 -> not ACR20.
    assert not bool(acr20(base, _core(16, 9, 48, 50, 57, 1.375, 20)))
    # Joints short of 20 % (TJC 17, −15 %) -> not ACR20 however good the rest.
    assert not bool(acr20(base, _core(17, 0, 0, 0, 0, 0, 0)))


def test_acr70_needs_70_percent() -> None:
    base = _core(20, 10, 80, 80, 80, 2.0, 50)
    follow = _core(6, 3, 24, 24, 80, 2.0, 15)  # exactly −70 % in joints and 3 others
    assert bool(acr70(base, follow))
    assert not bool(acr70(base, _core(7, 3, 24, 24, 80, 2.0, 15)))  # TJC −65 %
    assert not bool(acr70(base, _core(6, 3, 24, 24, 80, 2.0, 16)))  # only 2 others


def test_acr_missing_is_explicit() -> None:
    base = _core([20, 20], [10, 10], 60, 60, 60, 1.5, 20)
    follow = _core([10, np.nan], [5, 5], 30, 30, 30, 0.5, 10)
    with pytest.raises(InvalidInputError, match="missing"):
        acr20(base, follow)
    assert acr20(base, follow, missing="nonresponder").tolist() == [True, False]


def test_acr_reports_every_bad_argument() -> None:
    with pytest.raises(InvalidInputError) as info:
        acr20(_core(-1, 10, 60, 60, 60, 1.5, 20), _core(10, 5, 130, 60, 60, 3.5, 20))
    paths = {p.path for p in info.value.problems}
    assert paths == {"baseline.tender_joints", "follow_up.ptga_mm", "follow_up.haq_di"}


def test_boolean_remission_2011_and_2022() -> None:
    # TJC28 1, SJC28 1, CRP 10 mg/L (= 1 mg/dL), PtGA 10 mm (= 1/10): remission in both versions
    assert bool(acr_eular_boolean_remission(1, 1, 10, 10, version="2011"))
    # PtGA 2/10 meets only the 2022 revision (Studenic 2023)
    assert not bool(acr_eular_boolean_remission(1, 1, 10, 20, version="2011"))
    assert bool(acr_eular_boolean_remission(1, 1, 10, 20, version="2022"))
    # CRP 1.1 mg/dL fails both
    assert not bool(acr_eular_boolean_remission(0, 0, 11, 0, version="2022"))


def test_das28_rejects_impossible_values_all_at_once() -> None:
    with pytest.raises(InvalidInputError) as info:
        das28_esr([29, 3], 2, 0, 101)
    assert {p.path for p in info.value.problems} == {"tjc28", "esr_mm_per_h", "ptga_mm"}
