"""JSON patient records: valid records read, invalid ones list every problem with its path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from immunobalance.errors import InvalidRecordError
from immunobalance.patient import parse_patient_dict, read_patient


def problems(record: Any) -> dict[str, str]:
    with pytest.raises(InvalidRecordError) as err:
        parse_patient_dict(record)
    return {p.path: p.message for p in err.value.problems}


def test_contract_example_reads_and_normalises(ra_record: Callable[..., dict[str, Any]]) -> None:
    patient = parse_patient_dict(ra_record())
    assert patient.id == "pt-001"
    assert patient.has_condition("M05")
    crp = patient.latest("CRP", on_or_before=date(2026, 4, 1))
    assert crp is not None and (crp.value, crp.unit, crp.original_unit) == (24.0, "mg/L", "mg/dL")
    assert patient.latest_value("TB_IGRA") == "negative"
    assert patient.visit_dates()[-1] == date(2026, 10, 1)
    assert [m.agent for m in patient.medications] == ["methotrexate"]
    assert patient.genetics["HLA-DRB1"] == ["*04:01", "*15:01"]
    assert patient.warnings == ()


def test_every_problem_is_reported_at_once_with_its_path(
    ra_record: Callable[..., dict[str, Any]],
) -> None:
    record = ra_record()
    record["sex"] = "F?"
    record["observations"][1]["code"] = "TJC82"
    record["observations"][2]["value"] = 40  # SJC28 of 40
    record["observations"].append(
        {"code": "CRP", "value": 2.4, "unit": "mg/dl/h", "date": "2026-10-01"}
    )
    record["observations"].append({"code": "ESR", "value": 20, "date": "2026-02-30"})
    record["conditions"].append({"code": "M5", "system": "icd10"})
    record["medications"][0]["every"] = "weekly"
    record["medications"][0]["outcome"] = "failed"
    record["weight"] = 70
    found = problems(record)
    n = len(record["observations"])
    assert found == {
        "sex": "'F?' is not a sex (expected female, male, other or unknown)",
        "observations[1].code": "unknown observation code 'TJC82'; "
        "did you mean 'TJC68' or 'TJC28'?",
        "observations[2].value": "SJC28 40 is outside the physical range 0-28",
        f"observations[{n - 2}].unit": "'mg/dl/h' is not a unit of CRP (expected mass/volume, "
        "e.g. mg/L; also mg/dL, ug/mL)",
        f"observations[{n - 1}].date": "'2026-02-30' is not a date (day is out of range for month)",
        "conditions[1].code": "'M5' is not an ICD-10-CM code (e.g. 'M05.79', 'I50')",
        "medications[0].every": "'weekly' is not a quantity "
        "(expected '<number> <unit>', e.g. '40 mg')",
        "medications[0].outcome": "'failed' is not an outcome (expected one of adverse_event, "
        "inadequate_response, intolerance, loss_of_response, ongoing, remission)",
        "weight": "unknown field; did you mean 'weight_kg'? (expected one of age, age_years, "
        "allergies, birth_date, conditions, genetics, height_cm, id, medications, observations, "
        "sex, warnings, weight_kg)",
    }


def test_error_message_lists_problems_as_path_colon_reason(
    ra_record: Callable[..., dict[str, Any]],
) -> None:
    record = ra_record()
    record["observations"][0]["unit"] = "mg"
    with pytest.raises(InvalidRecordError) as err:
        parse_patient_dict(record)
    assert "observations[0].unit: TB_IGRA is categorical and takes no unit, got 'mg'" in str(
        err.value
    )
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda r: r.pop("id"), "id"),
        (lambda r: r.update(observations="CRP 24"), "observations"),
        (lambda r: r["observations"][0].pop("date"), "observations[0].date"),
        (lambda r: r["observations"][0].pop("value"), "observations[0].value"),
        (lambda r: r.update(birth_date="1968/04/02"), "birth_date"),
        (lambda r: r.update(age=-3), "age"),
        (lambda r: r["medications"][0].update(dose="twenty mg"), "medications[0].dose"),
        (lambda r: r["medications"][0].update(route="nasal"), "medications[0].route"),
        (lambda r: r["medications"][0].update(stop="2020-01-01"), "medications[0].stop"),
        (lambda r: r["conditions"][0].update(system="read"), "conditions[0].system"),
        (
            lambda r: r["conditions"][0].update(system="snomed", code="69896005"),
            "conditions[0].code",
        ),
        (lambda r: r.update(genetics={"HLA-B27": 1}), "genetics.HLA-B27"),
    ],
)
def test_single_problem_paths(
    ra_record: Callable[..., dict[str, Any]], mutate: Any, path: str
) -> None:
    record = copy.deepcopy(ra_record())
    mutate(record)
    assert list(problems(record)) == [path]


def test_loinc_codes_map_to_keys_and_are_remembered(
    ra_record: Callable[..., dict[str, Any]],
) -> None:
    record = ra_record()
    record["observations"].append(
        {"code": "1988-5", "value": 1.1, "unit": "mg/dL", "date": "2026-11-01"}
    )
    crp = parse_patient_dict(record).latest("CRP")
    assert crp is not None and (crp.value, crp.original_code) == (11.0, "1988-5")


def test_snomed_condition_maps_to_icd10_rule(ra_record: Callable[..., dict[str, Any]]) -> None:
    record = ra_record()
    record["conditions"] = [{"code": "84114007", "system": "snomed"}]  # heart failure
    patient = parse_patient_dict(record)
    assert patient.has_condition("I50")
    assert patient.conditions[0].icd10_equivalent == "I50.9"


def test_record_without_index_disease_reads_fine(ra_record: Callable[..., dict[str, Any]]) -> None:
    record = ra_record()
    record["conditions"] = [{"code": "I10", "system": "icd10"}]
    assert parse_patient_dict(record).conditions[0].code == "I10"


def test_brand_name_resolves_to_agent_and_unknown_agent_warns(
    ra_record: Callable[..., dict[str, Any]],
) -> None:
    record = ra_record()
    record["medications"] = [{"agent": "Humira"}, {"agent": "lisinopril"}]
    patient = parse_patient_dict(record)
    assert [m.agent for m in patient.medications] == ["adalimumab", "lisinopril"]
    assert any("'lisinopril' is not in the knowledge base" in w for w in patient.warnings)


def test_read_patient_sources(ra_record: Callable[..., dict[str, Any]], tmp_path: Any) -> None:
    import json

    record = ra_record()
    path = tmp_path / "p.json"
    path.write_text(json.dumps(record))
    by_path = read_patient(path)
    assert read_patient(str(path)) == by_path
    assert read_patient(json.dumps(record)) == by_path
    assert read_patient(record) == by_path
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x",\n "sex": }')
    with pytest.raises(InvalidRecordError) as err:
        read_patient(bad)
    assert err.value.problems[0].path == "bad.json:2:9"
    with pytest.raises(InvalidRecordError):
        read_patient(tmp_path / "missing.json")


def test_read_patient_from_stdin(
    ra_record: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(ra_record("pt-stdin"))))
    assert read_patient("-").id == "pt-stdin"
