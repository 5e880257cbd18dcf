"""Properties over random patients and regimens (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunobalance.knowledge.loader import load_knowledge_base
from immunobalance.patient import parse_patient_dict
from immunobalance.safety import rank_allowed, screen_agent, screen_regimen
from immunobalance.safety._select import is_advanced_therapy

KB = load_knowledge_base()
AGENTS = sorted(KB.agents)
CODES = [
    "I50.22", "G35", "G37.3", "A15.0", "Z22.7", "B18.1", "Z33.1", "C50.911", "C44.91", "K57.32",
    "K50.90", "K51.90", "I26.99", "I25.2", "Z86.73", "E11.9", "I10", "F33.1", "A81.2", "B20",
    "K74.60", "F10.20", "M05.79", "M32.14", "H35.30", "D80.1", "J18.9",
]  # fmt: skip
_DAY = "2026-09-01"


@st.composite
def patients(draw: st.DrawFn) -> dict[str, Any]:
    obs: list[dict[str, Any]] = []

    def maybe(code: str, value: st.SearchStrategy[Any]) -> None:
        if draw(st.booleans()):
            obs.append({"code": code, "value": draw(value), "date": _DAY})

    cat = st.sampled_from(["positive", "negative"])
    for code in ("TB_IGRA", "HBSAG", "ANTI_HBC", "JCV_AB"):
        maybe(code, cat)
    maybe("NYHA_CLASS", st.integers(1, 4))
    maybe("NEUTROPHILS", st.floats(0.1, 8))
    maybe("LYMPHOCYTES", st.floats(0.1, 4))
    maybe("HEMOGLOBIN", st.floats(6, 16))
    maybe("PLATELETS", st.floats(20, 450))
    maybe("ALT", st.floats(5, 300))
    maybe("EGFR", st.floats(10, 120))
    maybe("JCV_INDEX", st.floats(0.1, 4))
    maybe("SMOKING", st.booleans())
    meds = [
        {"agent": a, "start": "2025-01-01"}
        for a in draw(st.lists(st.sampled_from(AGENTS), max_size=3, unique=True))
    ]
    return {
        "id": "random",
        "age": draw(st.integers(18, 90)),
        "sex": draw(st.sampled_from(["female", "male"])),
        "conditions": [{"code": c} for c in draw(st.lists(st.sampled_from(CODES), max_size=5))],
        "observations": obs,
        "medications": meds,
    }


regimens = st.lists(st.sampled_from(AGENTS), min_size=1, max_size=3, unique=True)
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(record=patients(), regimen=regimens)
def test_status_is_the_worst_finding(record: dict[str, Any], regimen: list[str]) -> None:
    a = screen_regimen(parse_patient_dict(record, kb=KB), regimen, KB)
    outcomes = {f.outcome for f in a.findings}
    assert (a.status == "contraindicated") == ("contraindicated" in outcomes)
    assert (a.status == "caution") == ("caution" in outcomes and "contraindicated" not in outcomes)
    assert (a.status == "recommended") == (outcomes <= {"monitor"})
    assert all(set(f.agents) & (set(a.regimen) | set(a.continuing)) for f in a.findings)


@SETTINGS
@given(record=patients(), regimen=regimens)
def test_a_contraindicated_agent_contraindicates_every_regimen_holding_it(
    record: dict[str, Any], regimen: list[str]
) -> None:
    patient = parse_patient_dict(record, kb=KB)
    whole = screen_regimen(patient, regimen, KB)
    for agent in regimen:
        alone = screen_agent(patient, agent, KB)
        own = [f for f in alone.findings if f.outcome == "contraindicated" and len(f.agents) == 1]
        if own:
            assert whole.status == "contraindicated"


@SETTINGS
@given(record=patients(), regimen=regimens)
def test_a_switch_is_not_a_combination(record: dict[str, Any], regimen: list[str]) -> None:
    a = screen_regimen(parse_patient_dict(record, kb=KB), regimen, KB)
    if any(is_advanced_therapy(KB.agent(k)) for k in regimen):
        assert not any(is_advanced_therapy(KB.agent(k)) for k in a.continuing)


@SETTINGS
@given(
    record=patients(),
    options=st.lists(regimens, min_size=1, max_size=8),
    scores=st.lists(st.floats(0, 1), min_size=8, max_size=8),
)
def test_rank_allowed_never_ranks_a_contraindicated_option(
    record: dict[str, Any], options: list[list[str]], scores: list[float]
) -> None:
    patient = parse_patient_dict(record, kb=KB)
    assessed = [(screen_regimen(patient, r, KB), s) for r, s in zip(options, scores, strict=False)]
    ranked = rank_allowed(assessed, score=lambda o: o[1], status=lambda o: o[0].status)
    assert len(ranked) == len(assessed)
    ranks = [r.rank for r in ranked if r.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))
    for r in ranked:
        assert (
            (r.rank is None)
            == (r.status == "contraindicated")
            == (r.option[0].status == "contraindicated")
        )
    allowed_scores = [r.option[1] for r in ranked if r.rank is not None]
    assert allowed_scores == sorted(allowed_scores, reverse=True)


def test_rank_allowed_reads_assessments_directly() -> None:
    patient = parse_patient_dict({"id": "p", "conditions": [{"code": "G35"}]}, kb=KB)
    a = screen_regimen(patient, ["adalimumab"], KB)  # contraindicated in MS
    b = screen_regimen(patient, ["ocrelizumab"], KB)
    ranked = rank_allowed([a, b], score=lambda o: 1.0 if o is a else 0.0)
    assert [(r.rank, r.option.regimen) for r in ranked] == [
        (1, ("ocrelizumab",)),
        (None, ("adalimumab",)),
    ]
