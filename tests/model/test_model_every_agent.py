"""Contract suite over every agent: each can be simulated in its disease from its record alone.

"Every agent of the knowledge base can be simulated in a trial of its disease, including agents
absent from the calibration file (their effect then follows from their pharmacology alone)."
For every (agent, disease) pair the knowledge base offers, the agent's label regimen is simulated
on a few virtual patients: the solve must succeed, read-outs must stay finite, drug exposure must
appear after the first dose, and the agent must move at least one of the model processes its
record says it acts on.
"""

from __future__ import annotations

import numpy as np
import pytest

from immunobalance.knowledge import load_knowledge_base
from immunobalance.model import get_disease_module, simulate
from immunobalance.regimen import parse_regimen

KB = load_knowledge_base()
OFFERED = ("approved", "studied", "investigational", "off_label")


def _pairs() -> list[tuple[str, str]]:
    pairs = []
    for agent in KB.agents.values():
        if not agent.offered_as_treatment:
            continue
        for approval in agent.approvals:
            if approval.status in OFFERED:
                pairs.append((agent.key, approval.disease))
    return sorted(set(pairs))


def _label_regimen(agent_key: str, disease: str) -> list:
    agent = KB.agent(agent_key)
    dosings = [d for d in agent.dosing if d.disease == disease] or list(agent.dosing)
    assert dosings, f"{agent_key} has no label dosing to simulate"
    dosing = next((d for d in dosings if d.standard), dosings[0])
    items = [{"agent": agent_key, **item} for item in dosing.regimen]
    return parse_regimen(items)


@pytest.mark.parametrize(("agent_key", "disease"), _pairs())
def test_every_offered_agent_simulates_in_its_disease(agent_key: str, disease: str) -> None:
    module = get_disease_module(disease)
    params = module.sample_parameters(3, seed=11)
    regimen = _label_regimen(agent_key, disease)
    weeks = 12.0
    res = simulate(module, params, regimen, weeks, sample_weeks=np.linspace(0, weeks, 13), seed=3)
    assert res.ok.all(), res.status_messages
    for key, values in res.readouts.items():
        assert np.isfinite(np.asarray(values, dtype=float)).all(), key
    if agent_key in res.concentrations:
        exposure = np.asarray(res.concentrations[agent_key])
        assert (exposure[:, 1:] > 0).any(), "no exposure after dosing"
    # The agent acts: untreated and treated latent trajectories differ somewhere.
    untreated = simulate(module, params, [], weeks, sample_weeks=np.linspace(0, weeks, 13), seed=3)
    moved = any(
        not np.allclose(res.states[name], untreated.states[name], rtol=1e-6, atol=1e-9)
        for name in res.states
    )
    assert moved, f"{agent_key} changed no state of the {disease} model"
