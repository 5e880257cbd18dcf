"""Disease modules, one file per disease; :func:`get_disease_module` looks them up by key."""

from __future__ import annotations

from importlib import import_module

from immunobalance.errors import UnknownKeyError
from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext

__all__ = ["DISEASE_MODULES", "DiseaseModule", "ReadoutContext", "get_disease_module"]

#: disease key → "module:Class" (adding a disease = adding a file and a line here).
DISEASE_MODULES: dict[str, str] = {
    "rheumatoid_arthritis": "rheumatoid_arthritis:RheumatoidArthritis",
    "psoriasis": "psoriasis:Psoriasis",
    "systemic_lupus_erythematosus": "systemic_lupus_erythematosus:SystemicLupusErythematosus",
    "multiple_sclerosis": "multiple_sclerosis:MultipleSclerosis",
    "type_1_diabetes": "type_1_diabetes:Type1Diabetes",
    "ulcerative_colitis": "inflammatory_bowel_disease:UlcerativeColitis",
    "crohns_disease": "inflammatory_bowel_disease:CrohnsDisease",
}

_CACHE: dict[tuple[str, int], DiseaseModule] = {}


def get_disease_module(key: str, kb: KnowledgeBase | None = None) -> DiseaseModule:
    """The disease module for ``key`` (cached per knowledge base).

    Raises
    ------
    UnknownKeyError
        If no module exists for ``key`` (with did-you-mean suggestions).
    """
    if key not in DISEASE_MODULES:
        raise UnknownKeyError("disease", key, list(DISEASE_MODULES))
    cache_key = (key, id(kb))
    if cache_key not in _CACHE:
        mod_name, cls_name = DISEASE_MODULES[key].split(":")
        cls = getattr(import_module(f"immunobalance.model.diseases.{mod_name}"), cls_name)
        _CACHE[cache_key] = cls(kb)
    return _CACHE[cache_key]
