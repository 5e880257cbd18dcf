"""Simulated read-outs stay within what an instrument can report (knowledge-base ranges).

With a wide visit-noise scale the multiplicative lab noise has a long tail; the raw read-out
model reaches values no assay reports, and the measured ones saturate at the observation key's
physical range (CRP 0–1000 mg/L, ESR 0–200 mm/h: ``knowledge/data/biomarkers.yaml``).
"""

from __future__ import annotations

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module
from immunobalance.model.solver import simulate

N = 3000


def test_lab_read_outs_saturate_at_the_instrument_range() -> None:
    module = get_disease_module("rheumatoid_arthritis")
    params = module.sample_parameters(N, seed=3, overrides={"noise_scale": 6.0, "crp_0": 200.0})
    res = simulate(module, params, [], 2.0, sample_weeks=[0.0, 1.0, 2.0], seed=3)
    kb = load_knowledge_base()
    for key in ("CRP", "ESR"):
        low, high = kb.biomarker(key).range  # type: ignore[misc]
        values = res.readouts[key]
        assert values.min() >= low and values.max() <= high, key
    # the tail is really there: the read-out model alone would exceed the CRP range
    crp_high = kb.biomarker("CRP").range[1]  # type: ignore[index]
    assert (res.readouts["CRP"] == crp_high).any()
