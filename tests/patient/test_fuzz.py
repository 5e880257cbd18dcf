"""Fuzzing: a mutated record either reads or fails with InvalidRecordError — never a traceback."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunobalance.errors import InvalidRecordError
from immunobalance.patient import Patient, parse_fhir_bundle, parse_patient_dict, read_patient

EXAMPLES = Path(__file__).parents[2] / "examples" / "patients"
RECORDS = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
BUNDLES = [json.loads(p.read_text()) for p in sorted((EXAMPLES / "fhir").glob("*.json"))[:3]]

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "mg/dl/h",
            "%",
            "mmol/mol",
            "10*9/L",
            "cells",
            "{",
            "1:",
            "2026-02-30",
            "2026-10-01",
            "positive",
            "POS",
            "",
            " ",
            "-",
            "1e400",
            "nan",
            "M05.79",
            "69896004",
            "1988-5",
            "weekly",
            "2 fortnights",
            "40 mg",
            "sc",
            "[IU]/mL",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, sources: list[dict[str, Any]]) -> Any:
    record = copy.deepcopy(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(record)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            if action == "replace":
                record = draw(junk)
            continue
        parent = record
        for key in path[:-1]:
            parent = parent[key]
        if action == "replace":
            parent[path[-1]] = draw(junk)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(junk)
        else:
            parent.append(draw(junk))
    return record


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated(RECORDS))
def test_mutated_json_records_never_crash(record: Any) -> None:
    try:
        assert isinstance(parse_patient_dict(record), Patient)
    except InvalidRecordError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


@FUZZ
@given(mutated(BUNDLES))
def test_mutated_fhir_bundles_never_crash(bundle: Any) -> None:
    try:
        assert isinstance(parse_fhir_bundle(bundle), Patient)
    except InvalidRecordError as exc:
        assert exc.problems


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60).map(lambda t: "{" + t))
def test_random_json_text_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidRecordError):
        read_patient(text)


def test_bundle_type_that_is_not_a_string_is_a_problem_not_a_crash() -> None:
    """Regression (found by the fuzzer in CI): ``"type": [...]`` raised TypeError (unhashable)."""
    bundle = {"resourceType": "Bundle", "type": ["collection"], "entry": []}
    with pytest.raises(InvalidRecordError) as info:
        parse_fhir_bundle(bundle)
    assert any(p.path == "type" for p in info.value.problems)
