"""Mechanistic consistency over calibrated virtual populations (pharmacology, not outcomes).

Each check encodes a documented mechanism, not a trial figure: TNF blockade is not beneficial in
MS (The Lenercept MS Study Group. Neurology 1999;53:457-65), IL-17 blockade worsens Crohn's
disease (IL-17 protects the gut barrier; Hueber W et al. Gut 2012;61:1693-700), checkpoint
inhibition breaks tolerance (Postow MA et al. N Engl J Med 2018;378:158-68), and a monoclonal
antibody's effect rises monotonically with dose in the label range.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from immunobalance.model import get_disease_module, simulate
from immunobalance.population import sample_virtual_population
from immunobalance.regimen import parse_regimen


def _mean_inflammation(disease: str, population: str, regimen: list[dict], weeks: float = 24):
    vp = sample_virtual_population(disease, population, 100, seed=4)
    module = get_disease_module(disease)
    res = simulate(
        module,
        vp.params,
        parse_regimen(regimen),
        weeks,
        sample_weeks=np.array([0.0, weeks]),
        seed=4,
        covariates=vp.covariates,
    )
    return float(np.nanmean(res.states["I"][:, -1]))


def test_tnf_blockade_is_not_beneficial_in_ms():
    none = _mean_inflammation("multiple_sclerosis", "relapsing", [])
    ada = _mean_inflammation(
        "multiple_sclerosis",
        "relapsing",
        [{"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"}],
    )
    assert ada >= none


def test_il17_blockade_worsens_crohns_disease():
    none = _mean_inflammation("crohns_disease", "moderate_severe", [])
    sec = _mean_inflammation(
        "crohns_disease",
        "moderate_severe",
        [{"agent": "secukinumab", "dose": "300 mg", "route": "sc", "every": "4 weeks"}],
    )
    assert sec > none


def test_checkpoint_inhibition_worsens_autoimmunity():
    none = _mean_inflammation("rheumatoid_arthritis", "mtx_ir", [])
    nivo = _mean_inflammation(
        "rheumatoid_arthritis",
        "mtx_ir",
        [{"agent": "nivolumab", "dose": "240 mg", "route": "iv", "every": "2 weeks"}],
    )
    assert nivo > none


@pytest.mark.parametrize("agent", ["adalimumab"])
def test_dose_response_is_monotone_in_label_range(agent):
    levels = [
        _mean_inflammation(
            "rheumatoid_arthritis",
            "mtx_ir",
            [{"agent": agent, "dose": dose, "route": "sc", "every": "2 weeks"}],
        )
        for dose in ("10 mg", "20 mg", "40 mg", "80 mg")
    ]
    assert all(b <= a for a, b in pairwise(levels))
