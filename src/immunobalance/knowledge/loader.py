"""Load the bundled knowledge base (YAML in ``knowledge/data``) into typed, validated records.

Layout of ``data/``::

    agents/<agent_key>.yaml          one agent per file
    diseases/<disease_key>.yaml      one disease per file
    populations/<disease_key>.yaml   a list of that disease's populations
    biomarkers.yaml                  a list of biomarkers (observation keys)
    interactions.yaml                a list of combination rules

Adding an agent or a disease is adding a file; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from immunobalance.errors import KnowledgeBaseError, UnknownKeyError
from immunobalance.knowledge.schema import Agent, Biomarker, Disease, Interaction, Population

__all__ = ["KnowledgeBase", "data_dir", "load_knowledge_base"]

T = TypeVar("T", bound=BaseModel)


def data_dir() -> Path:
    """Directory of the bundled knowledge-base files."""
    return Path(str(resources.files("immunobalance.knowledge") / "data"))


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _validate(model: type[T], raw: Any, where: str, problems: list[str]) -> T | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{where}:{loc}: {err['msg']}")
        return None


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole knowledge base, keyed for lookup. Immutable once loaded."""

    agents: Mapping[str, Agent]
    diseases: Mapping[str, Disease]
    populations: Mapping[tuple[str, str], Population]
    biomarkers: Mapping[str, Biomarker]
    interactions: tuple[Interaction, ...]
    loinc_index: Mapping[str, str] = field(default_factory=dict)

    def agent(self, key: str) -> Agent:
        """The agent ``key``; :class:`UnknownKeyError` with suggestions if absent."""
        try:
            return self.agents[key]
        except KeyError:
            raise UnknownKeyError("agent", key, list(self.agents)) from None

    def disease(self, key: str) -> Disease:
        try:
            return self.diseases[key]
        except KeyError:
            raise UnknownKeyError("disease", key, list(self.diseases)) from None

    def population(self, disease: str, key: str) -> Population:
        self.disease(disease)
        try:
            return self.populations[(disease, key)]
        except KeyError:
            known = [k for (d, k) in self.populations if d == disease]
            raise UnknownKeyError(f"population of {disease}", key, known) from None

    def biomarker(self, key: str) -> Biomarker:
        try:
            return self.biomarkers[key]
        except KeyError:
            raise UnknownKeyError("observation code", key, list(self.biomarkers)) from None

    def biomarker_for_code(self, code: str) -> Biomarker | None:
        """Biomarker for an observation key or a mapped LOINC code; None if unmapped."""
        key = code if code in self.biomarkers else self.loinc_index.get(code)
        return self.biomarkers.get(key) if key else None

    def agents_for_disease(self, disease: str) -> list[Agent]:
        """Agents approved or studied for ``disease`` (checkpoint inhibitors never included)."""
        self.disease(disease)
        return [
            a
            for a in self.agents.values()
            if a.offered_as_treatment
            and any(ap.disease == disease and ap.status != "not_effective" for ap in a.approvals)
        ]

    def populations_for(self, disease: str | None = None) -> list[Population]:
        return [p for (d, _), p in self.populations.items() if disease in (None, d)]

    def agents_in_class(self, drug_class: str) -> list[Agent]:
        return [a for a in self.agents.values() if a.drug_class == drug_class]


def _load_dir(directory: Path, model: type[T], problems: list[str]) -> list[T]:
    records: list[T] = []
    for path in sorted(directory.glob("*.yaml")):
        raw = _read_yaml(path)
        items: Iterable[Any] = raw if isinstance(raw, list) else [raw]
        for i, item in enumerate(items):
            where = f"{path.parent.name}/{path.name}" + (f"[{i}]" if isinstance(raw, list) else "")
            record = _validate(model, item, where, problems)
            if record is not None:
                records.append(record)
    return records


@lru_cache(maxsize=4)
def load_knowledge_base(root: Path | None = None) -> KnowledgeBase:
    """Load and validate every knowledge-base file under ``root`` (default: bundled data).

    Raises
    ------
    KnowledgeBaseError
        Listing every invalid record (file, field, reason), duplicate key and dangling reference.
    """
    root = root or data_dir()
    problems: list[str] = []
    agents = _load_dir(root / "agents", Agent, problems)
    diseases = _load_dir(root / "diseases", Disease, problems)
    populations = _load_dir(root / "populations", Population, problems)
    biomarkers: list[Biomarker] = []
    if (root / "biomarkers.yaml").exists():
        biomarkers = [
            b
            for i, raw in enumerate(_read_yaml(root / "biomarkers.yaml") or [])
            if (b := _validate(Biomarker, raw, f"biomarkers.yaml[{i}]", problems)) is not None
        ]
    interactions: list[Interaction] = []
    if (root / "interactions.yaml").exists():
        interactions = [
            r
            for i, raw in enumerate(_read_yaml(root / "interactions.yaml") or [])
            if (r := _validate(Interaction, raw, f"interactions.yaml[{i}]", problems)) is not None
        ]

    def keyed(records: list[Any], kind: str, key: Any) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for r in records:
            k = key(r)
            if k in out:
                problems.append(f"duplicate {kind} {k!r}")
            out[k] = r
        return out

    kb = KnowledgeBase(
        agents=keyed(agents, "agent", lambda a: a.key),
        diseases=keyed(diseases, "disease", lambda d: d.key),
        populations=keyed(populations, "population", lambda p: (p.disease, p.key)),
        biomarkers=keyed(biomarkers, "biomarker", lambda b: b.key),
        interactions=tuple(interactions),
        loinc_index={code: b.key for b in biomarkers for code in b.loinc},
    )
    for (disease, key), _ in kb.populations.items():
        if disease not in kb.diseases:
            problems.append(f"population {key!r} names unknown disease {disease!r}")
    for d in kb.diseases.values():
        problems.extend(
            f"disease {d.key!r} standard_of_care names unknown agent {a!r}"
            for a in d.standard_of_care
            if a not in kb.agents
        )
    if problems:
        raise KnowledgeBaseError(
            "knowledge base is invalid:\n" + "\n".join(f"  {p}" for p in problems)
        )
    return kb
