"""The biomarker table and terminology maps the patient readers depend on."""

from __future__ import annotations

import pytest

from immunobalance.knowledge.codes import is_snomed_ct
from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.patient._terminology import rxnorm_map, snomed_icd10_map

KB = load_knowledge_base()


@pytest.mark.parametrize("key", sorted(KB.biomarkers))
def test_biomarker_record_is_complete(key: str) -> None:
    b = KB.biomarkers[key]
    if b.kind in {"quantity", "count", "score"}:
        assert b.range is not None, "quantitative keys need a physical range"
    if b.kind in {"categorical", "quantity_or_categorical"}:
        assert b.categories
    if b.kind == "count":
        assert b.step == 1
    for alt in b.alternatives:
        if alt.factor is not None:
            assert alt.note and len(alt.note) > 20, (
                f"{alt.unit}: a conversion factor needs its source"
            )
    if b.positive_threshold is not None:
        assert b.range is not None and b.range[0] <= b.positive_threshold <= b.range[1]


def test_loinc_codes_are_unique_across_keys() -> None:
    seen: dict[str, str] = {}
    for b in KB.biomarkers.values():
        for code in b.loinc:
            assert code not in seen, f"{code} maps to {seen[code]} and {b.key}"
            seen[code] = b.key


def test_terminology_maps_load_and_point_into_the_knowledge_base() -> None:
    snomed = snomed_icd10_map()
    assert all(is_snomed_ct(code) for code in snomed)
    for disease in KB.diseases.values():
        for code in disease.snomed:  # every disease SNOMED code maps into that disease's ICD-10-CM
            if code in snomed:
                assert any(snomed[code].icd10.startswith(rule) for rule in disease.icd10)
    assert set(rxnorm_map().values()) - set(KB.agents) <= {
        "tacrolimus",
        "cyclosporine",
        "budesonide",
    }
