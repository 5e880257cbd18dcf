"""Terminology maps the readers need: SNOMED CT → ICD-10-CM, RxNorm → agent, names → agent.

The maps are cited data files in ``knowledge/data`` (``snomed_icd10.yaml``, ``rxnorm.yaml``);
this module only loads and validates them (codes well-formed, ICD-10-CM targets valid) and
matches free-text medication names against the knowledge base's agents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from immunobalance.errors import KnowledgeBaseError
from immunobalance.knowledge.codes import is_icd10cm, is_snomed_ct
from immunobalance.knowledge.loader import KnowledgeBase, data_dir

__all__ = ["AgentMatcher", "SnomedTarget", "rxnorm_map", "snomed_icd10_map"]


@dataclass(frozen=True)
class SnomedTarget:
    icd10: str
    display: str


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if not isinstance(raw, dict) or not isinstance(raw.get("map"), list):
        raise KnowledgeBaseError(f"{path.name}: expected a mapping with a 'map' list")
    rows: list[dict[str, Any]] = raw["map"]
    return rows


@lru_cache(maxsize=4)
def snomed_icd10_map(root: Path | None = None) -> Mapping[str, SnomedTarget]:
    """SNOMED CT concept id → ICD-10-CM target (``knowledge/data/snomed_icd10.yaml``)."""
    path = (root or data_dir()) / "snomed_icd10.yaml"
    out: dict[str, SnomedTarget] = {}
    problems: list[str] = []
    for i, row in enumerate(_read(path)):
        sct, icd = str(row.get("snomed", "")), str(row.get("icd10", ""))
        if not is_snomed_ct(sct):
            problems.append(f"snomed_icd10.yaml map[{i}]: {sct!r} is not a SNOMED CT id")
        if not is_icd10cm(icd):
            problems.append(f"snomed_icd10.yaml map[{i}]: {icd!r} is not an ICD-10-CM code")
        out[sct] = SnomedTarget(icd, str(row.get("display", "")))
    if problems:
        raise KnowledgeBaseError("\n".join(problems))
    return out


@lru_cache(maxsize=4)
def rxnorm_map(root: Path | None = None) -> Mapping[str, str]:
    """RxNorm ingredient RxCUI → agent key (``knowledge/data/rxnorm.yaml``)."""
    path = (root or data_dir()) / "rxnorm.yaml"
    out: dict[str, str] = {}
    for i, row in enumerate(_read(path)):
        rxcui, agent = str(row.get("rxcui", "")), str(row.get("agent", ""))
        if not re.fullmatch(r"\d{1,8}", rxcui) or not re.fullmatch(r"[a-z][a-z0-9_]*", agent):
            raise KnowledgeBaseError(f"rxnorm.yaml map[{i}]: bad row {row!r}")
        out[rxcui] = agent
    return out


def agent_key(text: str) -> str:
    """The key form of a drug name: lower case, words joined by underscores."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


class AgentMatcher:
    """Find the knowledge-base agent a medication name or code refers to.

    Names are matched as whole words against each agent's key, INN and brand names, so
    ``"Humira 40 MG/0.4ML Pen"`` and ``"adalimumab-atto"`` find ``adalimumab``; the longest
    name wins (``"interferon beta-1a"`` over ``"interferon"``).
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        names: dict[str, str] = {}
        for agent in kb.agents.values():
            for name in (agent.key, agent.name, *agent.brand_names):
                names[agent_key(name)] = agent.key
        for mapped in set(rxnorm_map().values()):
            names.setdefault(agent_key(mapped), mapped)
        # longest names first so multi-word names beat their prefixes
        self._names = sorted(names.items(), key=lambda kv: -len(kv[0]))

    def known(self, key: str) -> bool:
        """True when ``key`` is an agent of the knowledge base or of the RxNorm map."""
        return key in self.kb.agents or key in rxnorm_map().values()

    def by_rxnorm(self, rxcui: str) -> str | None:
        return rxnorm_map().get(rxcui)

    def by_name(self, text: str) -> str | None:
        """Agent key named in ``text`` (whole-word match), or None."""
        words = f"_{agent_key(text)}_"
        for name, key in self._names:
            if name and f"_{name}_" in words:
                return key
        return None
