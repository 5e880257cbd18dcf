"""Examples read, and JSON → FHIR → JSON round trips give back the same patient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from immunobalance.errors import InvalidRecordError
from immunobalance.patient import (
    Patient,
    parse_fhir_bundle,
    patient_to_fhir,
    patient_to_json,
    read_patient,
    read_patient_csv,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "patients"
JSON_EXAMPLES = sorted(EXAMPLES.glob("*.json"))
INDEX_DISEASE_RULES = {
    "ra": "M05",
    "psoriasis": "L40",
    "sle": "M32",
    "lupus_nephritis": "M32.14",
    "ms": "G35",
    "uc": "K51",
    "crohns": "K50",
    "t1d": "E10",
}


def _same(a: Patient, b: Patient) -> None:
    assert a.model_dump(exclude={"warnings"}) == b.model_dump(exclude={"warnings"})


def test_one_example_per_index_disease() -> None:
    names = {p.stem for p in JSON_EXAMPLES}
    assert set(INDEX_DISEASE_RULES) <= names
    for name, rule in INDEX_DISEASE_RULES.items():
        patient = read_patient(EXAMPLES / f"{name}.json")
        assert patient.has_condition(rule), name
        assert len(patient.visit_dates()) >= 2, name
        assert patient.warnings == (), (name, patient.warnings)


@pytest.mark.parametrize("path", JSON_EXAMPLES, ids=lambda p: p.stem)
def test_json_fhir_json_round_trip(path: Path) -> None:
    patient = read_patient(path)
    bundle = patient_to_fhir(patient)
    again = parse_fhir_bundle(json.loads(json.dumps(bundle)))
    _same(patient, again)
    assert patient_to_json(again) == patient_to_json(patient)
    _same(read_patient(patient_to_json(patient)), patient)


@pytest.mark.parametrize("path", JSON_EXAMPLES, ids=lambda p: p.stem)
def test_committed_fhir_example_matches_writer(path: Path) -> None:
    committed = json.loads((EXAMPLES / "fhir" / path.name).read_text())
    assert committed == patient_to_fhir(read_patient(path))
    _same(read_patient(EXAMPLES / "fhir" / path.name), read_patient(path))


def test_normalised_json_uses_default_units() -> None:
    patient = read_patient(EXAMPLES / "t1d.json")
    out = patient_to_json(patient, normalised=True)
    hba1c = [o for o in out["observations"] if o["code"] == "HBA1C"]
    assert hba1c[0]["unit"] == "%" and hba1c[0]["value"] == pytest.approx(7.457, abs=1e-3)
    assert read_patient(out).latest_value("HBA1C") == patient.latest_value("HBA1C")


def test_safety_facts_in_examples() -> None:
    tb_hf = read_patient(EXAMPLES / "ra_latent_tb_heart_failure.json")
    assert tb_hf.has_condition("Z22.7") and tb_hf.has_condition("I50")
    assert tb_hf.latest_value("NYHA_CLASS") == 3.0 and tb_hf.latest_value("TB_IGRA") == "positive"
    assert read_patient(EXAMPLES / "ms.json").latest_value("JCV_AB") == "positive"
    ra = read_patient(EXAMPLES / "ra.json")
    assert not ra.has_condition("I50") and ra.latest_value("TB_IGRA") == "negative"


# ------------------------------------------------------------------------------ CSV
def test_csv_example_reads_with_header_file() -> None:
    patient = read_patient(EXAMPLES / "csv" / "ra-csv.csv")
    assert patient.id == "pt-ra-csv" and patient.has_condition("M06")
    crp = patient.latest("CRP")
    assert crp is not None and (crp.value, crp.original_code, crp.original_unit) == (
        9.0,
        "1988-5",
        "mg/dL",
    )
    assert patient.latest_value("PTGA") == 30.0  # 3.0 cm
    assert patient.latest_value("LYMPHOCYTES") == 1.8  # 1800 cells/uL
    assert [m.agent for m in patient.medications] == ["methotrexate", "hydroxychloroquine"]
    assert read_patient_csv(EXAMPLES / "csv" / "ra-csv.csv") == patient


def _write(tmp_path: Path, rows: str, header: str | None = None) -> Path:
    path = tmp_path / "obs.csv"
    path.write_text("patient_id,code,value,unit,date\n" + rows)
    if header is not None:
        (tmp_path / "obs.patient.csv").write_text("field,value\n" + header)
    return path


def test_csv_problems_are_located_by_file_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "p1,CRP,2.4,mg/dl/h,2026-10-01\np1,TJC28,8,,2026-10-01\np1,ESR,abc,mm/h,2026-10-01\n",
        "id,p1\nsex,female\ncondition,M5@2020-01-01\n",
    )
    with pytest.raises(InvalidRecordError) as err:
        read_patient(path)
    found = {p.path: p.message for p in err.value.problems}
    assert set(found) == {"obs.csv:2 unit", "obs.csv:4 value", "obs.patient.csv:4 code"}
    assert found["obs.csv:2 unit"].startswith("'mg/dl/h' is not a unit of CRP")


def test_csv_with_several_patients_needs_patient_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,TJC28,8,,2026-10-01\nb,TJC28,2,,2026-10-01\n")
    with pytest.raises(InvalidRecordError) as err:
        read_patient(path)
    assert "2 patients" in err.value.problems[0].message
    assert read_patient(path, patient_id="b").latest_value("TJC28") == 2.0


def test_csv_needs_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,code,result\n1,CRP,3\n")
    with pytest.raises(InvalidRecordError) as err:
        read_patient(path)
    assert err.value.problems[0].path == "x.csv:1"


def test_any_source_kind(tmp_path: Path, ra_record: Any) -> None:
    bundle = patient_to_fhir(read_patient(ra_record()))
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    assert read_patient(path, fmt="fhir").id == read_patient(bundle).id == "pt-001"
    with pytest.raises(InvalidRecordError):
        read_patient(bundle, fmt="csv")
