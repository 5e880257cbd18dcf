"""``/kb``: the knowledge base, read-only (any role)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Query

from immunobalance.api.deps import KnowledgeBaseDep, ReadToken
from immunobalance.api.errors import error_responses
from immunobalance.api.schemas.kb import AgentSummary, IndexBand, IndexInfo
from immunobalance.indices import INDEX_REGISTRY
from immunobalance.knowledge import Agent, Disease, Population

router = APIRouter(prefix="/kb", tags=["knowledge base"], responses=error_responses())


@router.get("/agents", response_model=list[AgentSummary], responses=error_responses(404))
def list_agents(
    _: ReadToken,
    kb: KnowledgeBaseDep,
    disease: str | None = Query(None, description="only agents approved or studied for it"),
) -> list[AgentSummary]:
    """Every agent (or those for one disease), one line each."""
    agents = kb.agents_for_disease(disease) if disease else list(kb.agents.values())
    return [AgentSummary.of(a) for a in sorted(agents, key=lambda a: a.key)]


@router.get("/agents/{key}", response_model=Agent, responses=error_responses(404))
def get_agent(key: str, _: ReadToken, kb: KnowledgeBaseDep) -> Agent:
    """One agent with its pharmacology, label facts and sources (404 suggests close keys)."""
    return kb.agent(key)


@router.get("/diseases", response_model=list[Disease])
def list_diseases(_: ReadToken, kb: KnowledgeBaseDep) -> list[Disease]:
    return [kb.diseases[k] for k in sorted(kb.diseases)]


@router.get("/populations", response_model=list[Population], responses=error_responses(404))
def list_populations(
    _: ReadToken, kb: KnowledgeBaseDep, disease: str | None = Query(None)
) -> list[Population]:
    if disease is not None:
        kb.disease(disease)  # 404 with suggestions for an unknown disease
    return sorted(kb.populations_for(disease), key=lambda p: (p.disease, p.key))


@router.get("/indices", response_model=list[IndexInfo])
def list_indices(_: ReadToken) -> list[IndexInfo]:
    """Disease-activity indices with their published bands (the UI draws target bands)."""
    return [
        IndexInfo(
            key=spec.key,
            name=spec.name,
            inputs=list(spec.inputs),
            bands=[
                IndexBand(
                    name=b.name,
                    upper=None if math.isinf(b.upper) else b.upper,
                    inclusive=b.inclusive,
                )
                for b in spec.bands
            ],
            citation=spec.citation,
        )
        for spec in INDEX_REGISTRY.values()
    ]
