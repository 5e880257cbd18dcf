"""Knowledge-base listings. Full records use the knowledge-base models themselves
(:class:`~immunobalance.knowledge.Agent`, ``Disease``, ``Population``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from immunobalance.knowledge import Agent

__all__ = ["AgentSummary", "IndexBand", "IndexInfo"]


class AgentSummary(BaseModel):
    """One line of the agent list: identity, target and the diseases it is approved/studied in."""

    model_config = ConfigDict(populate_by_name=True)

    key: str
    name: str
    drug_class: str = Field(alias="class")
    modality: str
    targets: list[str]
    mechanism: str
    status: str
    routes: list[str]
    diseases: list[str]

    @classmethod
    def of(cls, agent: Agent) -> AgentSummary:
        return cls(
            key=agent.key,
            name=agent.name,
            drug_class=agent.drug_class,
            modality=agent.modality,
            targets=list(agent.targets),
            mechanism=agent.mechanism,
            status=agent.status,
            routes=list(agent.routes),
            diseases=sorted({a.disease for a in agent.approvals}),
        )


class IndexBand(BaseModel):
    """One published activity band: values up to ``upper`` (``None``: no upper limit)."""

    name: str
    upper: float | None
    inclusive: bool


class IndexInfo(BaseModel):
    """A disease-activity index: its inputs, published bands and citation (for target bands)."""

    key: str
    name: str
    inputs: list[str]
    bands: list[IndexBand]
    citation: str
