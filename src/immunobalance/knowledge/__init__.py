"""The cited knowledge base: diseases, agents, biomarkers, populations and combination rules."""

from immunobalance.knowledge.codes import icd10_matches, is_icd10cm, is_loinc, is_snomed_ct
from immunobalance.knowledge.loader import KnowledgeBase, data_dir, load_knowledge_base
from immunobalance.knowledge.schema import (
    Action,
    Agent,
    Biomarker,
    Disease,
    Interaction,
    Population,
    Sourced,
)

__all__ = [
    "Action",
    "Agent",
    "Biomarker",
    "Disease",
    "Interaction",
    "KnowledgeBase",
    "Population",
    "Sourced",
    "data_dir",
    "icd10_matches",
    "is_icd10cm",
    "is_loinc",
    "is_snomed_ct",
    "load_knowledge_base",
]
