"""Which pathway multipliers stage 2 may move: those the calibration arms' agents act on."""

from __future__ import annotations

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module
from immunobalance.model.core import PATHWAY_SIGNALS
from immunobalance.model.pharmacology import PROCESSES
from immunobalance.population._identified import DIRECT_PATHWAYS, identified_pathways
from immunobalance.population._rows import CalibrationRow

KB = load_knowledge_base()


def _rows(disease: str, *agents: str) -> list[CalibrationRow]:
    """A placebo arm and one arm per agent (the dose is irrelevant to the question)."""
    pop = next(k for (d, k) in KB.populations if d == disease)
    arms = [("placebo", ())] + [
        (a, ({"agent": a, "dose": "1 mg", "every": "1 week"},)) for a in agents
    ]
    return [
        CalibrationRow(
            "T", disease, pop, arm, reg, "X", 6, 0.0, None if arm == "placebo" else "placebo", ""
        )
        for arm, reg in arms
    ]


def _pathways(disease: str) -> tuple[str, ...]:
    return get_disease_module(disease).pathways


def test_a_cytokine_antibody_identifies_only_the_pathways_it_neutralises() -> None:
    """Ustekinumab binds p40, shared by IL-12 and IL-23: its trial says how much those two
    pathways matter, nothing about which other pathway carries the rest."""
    got = identified_pathways(
        _rows("crohns_disease", "ustekinumab"), KB, _pathways("crohns_disease")
    )
    assert got == {a.process for a in KB.agent("ustekinumab").actions} == {"il12", "il23"}


def test_arms_of_different_mechanisms_add_their_pathways() -> None:
    got = identified_pathways(
        _rows("ulcerative_colitis", "infliximab", "vedolizumab"),
        KB,
        _pathways("ulcerative_colitis"),
    )
    assert got == {"tnf", "gut_trafficking"}


def test_a_network_wide_agent_frees_every_pathway() -> None:
    """A JAK inhibitor acts through IL-6, IL-12/23, type I IFN and γc signalling at once: its
    trial informs all of them, so every multiplier stays free."""
    assert not all(a.process in DIRECT_PATHWAYS for a in KB.agent("tofacitinib").actions)
    got = identified_pathways(
        _rows("rheumatoid_arthritis", "tofacitinib"), KB, _pathways("rheumatoid_arthritis")
    )
    assert got == set(_pathways("rheumatoid_arthritis"))


def test_placebo_alone_identifies_no_pathway() -> None:
    assert identified_pathways(_rows("psoriasis"), KB, _pathways("psoriasis")) == frozenset()


def test_every_direct_process_names_pathways_the_model_knows() -> None:
    assert set(DIRECT_PATHWAYS) <= set(PROCESSES)
    assert set().union(*DIRECT_PATHWAYS.values()) <= set(PATHWAY_SIGNALS)
