"""Per-patient assessment on patients built with the Patient model."""

from __future__ import annotations

from datetime import date

import pytest

from immunobalance.errors import UnknownKeyError
from immunobalance.indices import SLEDAI_2K_ITEMS, das28_crp, das28_esr
from immunobalance.indices.assess import assess_patient, detect_disease, detect_diseases
from immunobalance.patient.model import Condition, Observation, Patient

BASE, FOLLOW = date(2026, 1, 5), date(2026, 7, 6)


def _obs(day: date, **values: float | bool | str) -> list[Observation]:
    return [Observation(code=k, value=v, date=day) for k, v in values.items()]


def _ra_patient() -> Patient:
    observations = [
        *_obs(BASE, TJC28=12, SJC28=8, ESR=42, CRP=28, PTGA=70, PHGA=65, TJC68=18, SJC66=10,
              PAIN=70, HAQ_DI=1.5),
        # CRP drawn 5 days before the follow-up clinic visit: within the 14-day window
        *_obs(date(2026, 7, 1), CRP=6, ESR=18),
        *_obs(FOLLOW, TJC28=3, SJC28=2, PTGA=30, PHGA=20, TJC68=5, SJC66=3, PAIN=30, HAQ_DI=0.75),
    ]  # fmt: skip
    return Patient(
        id="pt-ra", conditions=(Condition(code="M05.79"),), observations=tuple(observations)
    )


def test_ra_indices_at_latest_visit_and_response() -> None:
    result = assess_patient(_ra_patient())
    assert result.disease == "rheumatoid_arthritis"
    assert set(result.indices) == {"DAS28ESR", "DAS28CRP", "CDAI", "SDAI"}
    das = result.indices["DAS28CRP"]
    assert das.date == FOLLOW
    assert das.value == pytest.approx(round(float(das28_crp(3, 2, 6, 30)), 2))
    assert result.indices["CDAI"].value == 3 + 2 + 3 + 2
    assert result.indices["SDAI"].value == pytest.approx(10.6)  # CRP 6 mg/L = 0.6 mg/dL
    # EULAR on DAS28-ESR: 6.33 -> 3.81: improvement > 1.2 but current > 3.2 -> moderate
    b, f = float(das28_esr(12, 8, 42, 70)), float(das28_esr(3, 2, 18, 30))
    assert b - f > 1.2 and 3.2 < f <= 5.1
    assert result.response["EULAR"] == "moderate"
    assert result.response_basis["EULAR"].startswith("DAS28-ESR")
    # ACR: TJC68 18->5, SJC66 10->3 (−72 %, −70 %), PtGA −57 %, PhGA −69 %, pain −57 %,
    # HAQ −50 %, CRP −79 %: ACR20 and ACR50 yes; ACR70 needs 3 others ≥ 70 %: only CRP -> no
    assert (result.response["ACR20"], result.response["ACR50"], result.response["ACR70"]) == (
        True, True, False,
    )  # fmt: skip
    assert result.baseline_date == BASE


def test_index_absent_exactly_when_an_input_is() -> None:
    patient = Patient(
        id="pt",
        conditions=(Condition(code="M06.9"),),
        observations=tuple(_obs(FOLLOW, TJC28=3, SJC28=2, PTGA=30, PHGA=20)),
    )
    result = assess_patient(patient)
    assert set(result.indices) == {"CDAI"}
    assert any("DAS28ESR" in n and "ESR" in n for n in result.notes)
    assert "EULAR" not in result.response


def test_stale_labs_outside_the_window_are_not_used() -> None:
    patient = Patient(
        id="pt",
        conditions=(Condition(code="M05.79"),),
        observations=(
            *_obs(date(2026, 6, 1), CRP=10),
            *_obs(FOLLOW, TJC28=3, SJC28=2, PTGA=30, PHGA=20),
        ),
    )
    assert "SDAI" not in assess_patient(patient).indices


def test_disease_detection_is_hierarchical_and_excludes_stills() -> None:
    def with_code(code: str) -> Patient:
        return Patient(id="x", conditions=(Condition(code=code),))

    assert detect_disease(with_code("M05.79")) == "rheumatoid_arthritis"
    assert detect_disease(with_code("M06.1")) is None  # adult-onset Still's disease
    assert detect_disease(with_code("M06.4")) is None
    assert detect_disease(with_code("L40.5")) == "psoriasis"
    assert detect_disease(with_code("K51.90")) == "ulcerative_colitis"
    assert detect_disease(with_code("I50.9")) is None
    both = Patient(id="x", conditions=(Condition(code="M05.79"), Condition(code="L40.0")))
    assert detect_diseases(both) == ["rheumatoid_arthritis", "psoriasis"]


def test_no_index_disease_gives_no_indices_and_a_reason() -> None:
    result = assess_patient(Patient(id="x", conditions=(Condition(code="I50.9"),)))
    assert result.disease is None and result.indices == {} and result.notes


def test_unknown_disease_is_refused_with_suggestion() -> None:
    with pytest.raises(UnknownKeyError, match="psoriasis"):
        assess_patient(_ra_patient(), disease="psoriasiss")


def test_presymptomatic_t1d_from_autoantibodies() -> None:
    patient = Patient(
        id="relative",
        observations=tuple(_obs(FOLLOW, GADA="positive", IA2A="positive", IAA="negative",
                                HBA1C=5.9)),
    )  # fmt: skip
    result = assess_patient(patient)
    assert result.disease == "type_1_diabetes"
    assert result.indices["T1D_STAGE"].category == "stage_2"


def test_sle_sri4_and_bicla() -> None:
    def sledai(day: date, present: set[str], phga: float) -> list[Observation]:
        values: dict[str, float | bool | str] = {
            f"SLEDAI_{k}": k in present for k in SLEDAI_2K_ITEMS
        }
        return _obs(day, PHGA=phga, **values)

    patient = Patient(
        id="sle",
        conditions=(Condition(code="M32.19"),),
        observations=(
            *sledai(BASE, {"ARTHRITIS", "RASH", "LOWCOMPLEMENT", "DNA"}, 50),
            *sledai(FOLLOW, {"LOWCOMPLEMENT", "DNA"}, 40),
        ),
    )
    result = assess_patient(patient)
    assert result.indices["SLEDAI2K"].value == 4
    assert result.response["SRI4"] is True and result.response["BICLA"] is True
    assert result.response["SLEDAI2K_CHANGE"] == -6


def test_uc_mayo() -> None:
    patient = Patient(
        id="uc",
        conditions=(Condition(code="K51.90"),),
        observations=(
            *_obs(BASE, MAYO_STOOL=3, MAYO_BLEED=2, MAYO_ENDO=3, MAYO_PGA=2),
            *_obs(FOLLOW, MAYO_STOOL=1, MAYO_BLEED=0, MAYO_ENDO=1, MAYO_PGA=0),
        ),
    )
    result = assess_patient(patient)
    assert result.indices["MAYO"].value == 2 and result.indices["MAYO"].category == "remission"
    assert result.response["MAYO_RESPONSE"] is True
    assert result.response["MAYO_REMISSION"] is True
