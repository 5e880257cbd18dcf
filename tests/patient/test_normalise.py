"""Unit conversions and value rules against hand-checked values and published tables."""

from __future__ import annotations

import pytest

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.patient.normalise import ObservationValueError, normalise_value, reads_positive


def bm(key: str):
    return load_knowledge_base().biomarker(key)


def test_crp_mg_per_dl_to_mg_per_l() -> None:
    # 1 dL = 0.1 L, so 2.4 mg/dL = 24 mg/L (the contract's own example)
    norm = normalise_value(bm("CRP"), 2.4, "mg/dL")
    assert norm.value == pytest.approx(24.0)
    assert norm.unit == "mg/L"
    assert (norm.original_value, norm.original_unit) == (2.4, "mg/dL")


def test_default_unit_when_absent_keeps_no_original() -> None:
    norm = normalise_value(bm("CRP"), 24, None)
    assert (norm.value, norm.unit, norm.original_value) == (24.0, "mg/L", None)


def test_c_peptide_ng_per_ml_to_nmol_per_l() -> None:
    # 1 ng/mL = 1e-6 g/L; / 3020.3 g/mol = 3.311e-10 mol/L = 0.331 nmol/L
    assert normalise_value(bm("CPEPTIDE"), 1, "ng/mL").value == pytest.approx(0.331, abs=5e-4)
    assert normalise_value(bm("CPEPTIDE"), 1, "ug/L").value == pytest.approx(0.331, abs=5e-4)
    assert normalise_value(bm("CPEPTIDE"), 300, "pmol/L").value == 0.3


@pytest.mark.parametrize(
    ("ifcc", "ngsp"),
    # NGSP/IFCC conversion table (IFCC = 10.929 x (NGSP - 2.15), Hoelzel 2004): 48 ↔ 6.5 is the
    # ADA diagnostic threshold; 42 ↔ 6.0, 53 ↔ 7.0, 64 ↔ 8.0, 75 ↔ 9.0 are the printed table rows.
    [(48, 6.5), (42, 6.0), (53, 7.0), (64, 8.0), (75, 9.0)],
)
def test_hba1c_ifcc_to_ngsp(ifcc: float, ngsp: float) -> None:
    assert normalise_value(bm("HBA1C"), ifcc, "mmol/mol").value == pytest.approx(ngsp, abs=0.05)


def test_hba1c_ratio_units_are_not_converted_by_dimension() -> None:
    # pint alone would read 48 mmol/mol as 4.8 % and 0.065 (a fraction) as 6.5 %; neither is allowed
    with pytest.raises(ObservationValueError) as err:
        normalise_value(bm("HBA1C"), 0.065, "1")
    assert err.value.field == "unit"


def test_unit_error_names_key_and_expected_dimension() -> None:
    with pytest.raises(ObservationValueError) as err:
        normalise_value(bm("CRP"), 2.4, "mg/dl/h")
    assert err.value.field == "unit"
    assert err.value.message.startswith(
        "'mg/dl/h' is not a unit of CRP (expected mass/volume, e.g. mg/L"
    )


@pytest.mark.parametrize(
    ("key", "value", "unit", "expected"),
    [
        ("LYMPHOCYTES", 1500, "cells/uL", 1.5),  # 1500 /µL × 10^6 µL/L = 1.5 × 10^9/L
        ("LYMPHOCYTES", 1.5, "10*3/uL", 1.5),
        ("LYMPHOCYTES", 800, "/mm3", 0.8),
        ("CD4", 0.5, "10*9/L", 500.0),
        ("CD19", 12, "cells/mm3", 12.0),
        ("C3", 0.9, "g/L", 90.0),
        ("GLUCOSE_FASTING", 7.0, "mmol/L", 126.1),  # ADA: 7.0 mmol/L ≈ 126 mg/dL
        ("LDL", 2.6, "mmol/L", 100.5),  # 2.6 mmol/L ≈ 100 mg/dL
        ("UPCR", 50, "mg/mmol", 442.0),  # 50 mg/mmol × 8.84 = 442 mg/g
        ("PTGA", 6.8, "cm", 68.0),
        ("ALT", 1, "ukat/L", 60.0),
        ("ESR", 30, "mm/h", 30.0),
        ("EGFR", 90, "mL/min/{1.73_m2}", 90.0),
    ],
)
def test_hand_checked_conversions(key: str, value: float, unit: str, expected: float) -> None:
    assert normalise_value(bm(key), value, unit).value == pytest.approx(expected, abs=0.06)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("TJC28", 29, "outside the physical range 0-28"),
        ("TJC28", 2.5, "steps of 1"),
        ("EDSS", 3.25, "steps of 0.5"),
        ("MAYO_ENDO", 4, "outside the physical range 0-3"),
        ("CRP", -1, "outside the physical range"),
        ("CRP", float("nan"), "finite"),
        ("CRP", "high", "must be a number"),
        ("SLEDAI_RASH", "maybe", "true or false"),
        ("TB_IGRA", 3, "must be 'positive' or 'negative' or 'indeterminate'"),
    ],
)
def test_bad_values(key: str, value: object, message: str) -> None:
    with pytest.raises(ObservationValueError) as err:
        normalise_value(bm(key), value)
    assert err.value.field == "value"
    assert message in err.value.message


def test_categories_booleans_and_titres() -> None:
    assert normalise_value(bm("ACPA"), "POS").value == "positive"
    assert normalise_value(bm("HBSAG"), "Non-reactive").value == "negative"
    assert normalise_value(bm("SLEDAI_DNA"), "yes").value is True
    assert normalise_value(bm("SMOKING"), False).value is False
    ana = normalise_value(bm("ANA"), "1:160")
    assert (ana.value, ana.original_value) == (160.0, "1:160")
    with pytest.raises(ObservationValueError):
        normalise_value(bm("SLEDAI_RASH"), True, "mg")


def test_reads_positive_uses_cited_threshold() -> None:
    acpa = bm("ACPA")
    assert acpa.positive_threshold == 20
    assert reads_positive(acpa, 154.0) is True
    assert reads_positive(acpa, 12.0) is False
    assert reads_positive(acpa, "negative") is False
    assert reads_positive(bm("TB_IGRA"), "indeterminate") is None
