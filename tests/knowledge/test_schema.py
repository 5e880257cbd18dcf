"""Contract suite over the whole knowledge base, one test case per record.

Records are read from the bundled YAML at collection time *without* validation, so every file and
list item becomes its own test id (``agents/adalimumab.yaml``, ``populations/…[2]``) and a
curation mistake names the record it is in. The checks compare against independent truth: the
schema, the code systems' own check-digit algorithms, the unit registry, the regimen parser and
the interface contracts in ``shared/contracts`` (parsed at test time when present).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pint
import pytest
import yaml
from pydantic import BaseModel

from immunobalance.knowledge.codes import is_icd10cm, is_loinc, is_snomed_ct
from immunobalance.knowledge.loader import data_dir, load_knowledge_base
from immunobalance.knowledge.schema import (
    Agent,
    Biomarker,
    Disease,
    Interaction,
    Pathway,
    Population,
)
from immunobalance.regimen import parse_regimen
from immunobalance.units import parse_unit, ureg

DATA = data_dir()
CONTRACTS = Path(__file__).parents[3] / "shared" / "contracts"

# --------------------------------------------------------------------------- raw records


def _raw_records(pattern: str) -> list[tuple[str, Any]]:
    """(test id, raw YAML mapping) for every record in files matching ``pattern``."""
    out: list[tuple[str, Any]] = []
    for path in sorted(DATA.glob(pattern)):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(DATA))
        if isinstance(raw, list):
            out.extend((f"{where}[{i}]", item) for i, item in enumerate(raw))
        elif raw is not None:
            out.append((where, raw))
    return out


AGENTS = _raw_records("agents/*.yaml")
DISEASES = _raw_records("diseases/*.yaml")
POPULATIONS = _raw_records("populations/*.yaml")
BIOMARKERS = _raw_records("biomarkers.yaml")
INTERACTIONS = _raw_records("interactions.yaml")

ALL_RECORDS = (
    [(rid, Agent, raw) for rid, raw in AGENTS]
    + [(rid, Disease, raw) for rid, raw in DISEASES]
    + [(rid, Population, raw) for rid, raw in POPULATIONS]
    + [(rid, Biomarker, raw) for rid, raw in BIOMARKERS]
    + [(rid, Interaction, raw) for rid, raw in INTERACTIONS]
)


def _ids(records: list[tuple[str, Any]]) -> list[str]:
    return [rid for rid, _ in records]


def _params(records: list[tuple[str, Any]]) -> list[Any]:
    return [pytest.param(raw, id=rid) for rid, raw in records]


# --------------------------------------------------------------------------- contracts


def _contract(name: str) -> str | None:
    path = CONTRACTS / name
    return path.read_text(encoding="utf-8") if path.exists() else None


# Literal copies of the contract tables, used when ../shared is not beside the repository.
def _words(text: str) -> list[str]:
    return text.split()


_OBSERVATION_KEYS_LITERAL = [
    *_words(
        "TJC28 SJC28 TJC68 SJC66 ESR CRP PTGA PHGA PAIN HAQ_DI RF ACPA ANA ANTI_DSDNA C3 C4 PASI "
        "MAYO_STOOL MAYO_BLEED MAYO_ENDO MAYO_PGA HBI_WELLBEING HBI_PAIN HBI_STOOLS HBI_MASS "
        "HBI_COMPLICATIONS EDSS RELAPSES_12M GD_LESIONS HBA1C CPEPTIDE GADA IA2A ZNT8A IAA IL6 TNF "
        "IL17A IL10 IFN_SIGNATURE TREG_PCT CD19 CD4 LYMPHOCYTES NEUTROPHILS HBSAG ANTI_HBC TB_IGRA "
        "JCV_AB JCV_INDEX NYHA_CLASS EGFR ALT HEMOGLOBIN LDL SMOKING"
    ),
    *(f"PASI_{r}_{c}" for r, c in itertools.product("HUTL", "EIDA")),
    *(
        f"SLEDAI_{item}"
        for item in _words(
            "SEIZURE PSYCHOSIS OBS VISUAL CRANIAL HEADACHE CVA VASCULITIS ARTHRITIS MYOSITIS "
            "CASTS HEMATURIA PROTEINURIA PYURIA RASH ALOPECIA MUCOSAL PLEURISY PERICARDITIS "
            "LOWCOMPLEMENT DNA FEVER THROMBOCYTOPENIA LEUKOPENIA"
        )
    ),
]

_POPULATIONS_LITERAL = {
    "rheumatoid_arthritis": ["mtx_naive", "mtx_ir", "tnf_ir", "dmard_ir"],
    "psoriasis": ["moderate_severe_plaque"],
    "systemic_lupus_erythematosus": ["active_seropositive", "lupus_nephritis"],
    "multiple_sclerosis": ["relapsing"],
    "ulcerative_colitis": ["moderate_severe", "moderate_severe_tnf_ir"],
    "crohns_disease": ["moderate_severe", "moderate_severe_tnf_ir"],
    "type_1_diabetes": ["stage2_at_risk", "new_onset"],
}

_ENDPOINTS_LITERAL = _words(
    "ACR20 ACR50 ACR70 DAS28CRP_REMISSION DAS28ESR_REMISSION DAS28CRP_CHANGE EULAR_GOOD EULAR_ANY "
    "CDAI_REMISSION PASI75 PASI90 PASI100 SRI4 BICLA RENAL_RESPONSE ARR MAYO_REMISSION "
    "MAYO_RESPONSE CDAI_CD_REMISSION CD_RESPONSE T1D_DIAGNOSED CPEPTIDE_CHANGE SERIOUS_INFECTION "
    "SERIOUS_INFECTION_ANY RELAPSE_ANY CDP12 CDAI_CD_CHANGE CPEPTIDE_AUC FLARE"
)


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n## ", start + len(heading))
    return text[start : nxt if nxt != -1 else len(text)]


def _table_rows(section: str) -> Iterator[list[str]]:
    for line in section.splitlines():
        if line.startswith("|") and not re.match(r"^\|\s*-", line):
            yield [cell.strip() for cell in line.strip().strip("|").split("|")]


def _expand(token: str, meaning: str) -> list[str]:
    """Expand ``PASI_{H,U}_{E,I}`` brace products and ``SLEDAI_<ITEM>`` (items in ``meaning``)."""
    if "<ITEM>" in token:
        items = re.search(r"items:\s*([A-Z0-9_,\s]+)", meaning)
        assert items, f"no item list for {token!r} in {meaning!r}"
        return [token.replace("<ITEM>", i.strip()) for i in items.group(1).split(",") if i.strip()]
    parts = re.split(r"(\{[^}]*\})", token)
    choices = [p[1:-1].split(",") if p.startswith("{") else [p] for p in parts]
    return ["".join(c) for c in itertools.product(*choices)]


def contract_observation_keys() -> list[str]:
    """Observation keys of ``patient-record.md`` (its Observations table), or the literal copy."""
    text = _contract("patient-record.md")
    if text is None:
        return list(_OBSERVATION_KEYS_LITERAL)
    keys: list[str] = []
    for row in _table_rows(_section(text, "## Observations")):
        if row[0] == "key":
            continue
        for token in re.split(r",(?![^{]*\})", row[0]):  # commas outside {…}
            keys.extend(_expand(token.strip(), row[1]))
    return keys


def contract_populations() -> dict[str, list[str]]:
    """Population keys per disease from ``trial-spec.md``, or the literal copy."""
    text = _contract("trial-spec.md")
    if text is None:
        return dict(_POPULATIONS_LITERAL)
    out: dict[str, list[str]] = {}
    for row in _table_rows(_section(text, "## Populations")):
        if row[0] == "disease":
            continue
        out[row[0]] = re.findall(r"`([a-z0-9_]+)`", row[1])
    return out


def contract_endpoints() -> list[str]:
    text = _contract("trial-spec.md")
    if text is None:
        return list(_ENDPOINTS_LITERAL)
    codes: list[str] = []
    for row in _table_rows(_section(text, "## Endpoint codes")):
        if row[0] != "code":
            codes.extend(c.strip() for c in row[0].split(","))
    return codes


def test_contract_parsers_agree_with_literal_copies() -> None:
    """The literal fallbacks are the contract tables; drift would silently weaken CI elsewhere."""
    assert sorted(contract_observation_keys()) == sorted(_OBSERVATION_KEYS_LITERAL)
    assert contract_populations() == _POPULATIONS_LITERAL
    assert sorted(contract_endpoints()) == sorted(_ENDPOINTS_LITERAL)


# --------------------------------------------------------------------------- whole base


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    load_knowledge_base.cache_clear()
    return load_knowledge_base()


def test_knowledge_base_loads(kb) -> None:  # type: ignore[no-untyped-def]
    """Every record validates and cross-references resolve (loader raises otherwise)."""
    assert kb.diseases and kb.agents and kb.populations and kb.biomarkers


def test_every_index_disease_has_a_record() -> None:
    assert sorted(raw["key"] for _, raw in DISEASES) == sorted(_POPULATIONS_LITERAL)


def test_record_ids_are_unique() -> None:
    for records in (AGENTS, DISEASES, POPULATIONS, BIOMARKERS):
        keys = [(raw.get("disease"), raw.get("key")) for _, raw in records]
        assert len(keys) == len(set(keys))


def test_agent_files_are_named_by_key() -> None:
    for rid, raw in AGENTS:
        assert rid == f"agents/{raw['key']}.yaml"


@pytest.mark.parametrize(("model", "raw"), [pytest.param(m, r, id=i) for i, m, r in ALL_RECORDS])
def test_record_validates(model: type[BaseModel], raw: Any) -> None:
    model.model_validate(raw)


def _walk_sources(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, source) of every sourced object (Sourced, LabelNote, approvals, weights, …)."""
    if isinstance(obj, BaseModel):
        if "source" in type(obj).model_fields:
            yield path, obj.source  # type: ignore[attr-defined]
        for name in type(obj).model_fields:
            yield from _walk_sources(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_sources(v, f"{path}.{k}")
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from _walk_sources(v, f"{path}[{i}]")


_PLACEHOLDER = re.compile(r"\b(todo|tbd|fixme|xxx|placeholder|unknown source)\b", re.IGNORECASE)


@pytest.mark.parametrize(("model", "raw"), [pytest.param(m, r, id=i) for i, m, r in ALL_RECORDS])
def test_every_sourced_value_has_a_real_source(model: type[BaseModel], raw: Any) -> None:
    record = model.model_validate(raw)
    bad = [
        f"{p}: {s!r}"
        for p, s in _walk_sources(record, "")
        if len(s.strip()) < 3 or _PLACEHOLDER.search(s)
    ]
    assert not bad, bad


# --------------------------------------------------------------------------- agents


def test_knowledge_base_has_the_standard_agents() -> None:
    keys = {raw["key"] for _, raw in AGENTS}
    expected = {raw_sc for _, d in DISEASES for raw_sc in d.get("standard_of_care", [])}
    assert expected | {"tocilizumab"} <= keys


_TIME = ureg.parse_units("day").dimensionality


@pytest.mark.parametrize("raw", _params(AGENTS))
def test_agent_has_pk_potency_and_sources(raw: Any) -> None:
    agent = Agent.model_validate(raw)
    half_life = agent.pk.half_life
    assert half_life.value > 0
    assert parse_unit(half_life.unit).dimensionality == _TIME, half_life.unit
    assert agent.actions, "no action"
    for action in agent.actions:
        assert action.potency.value > 0
        parse_unit(action.potency.unit)
    assert agent.sources and all(s.strip() for s in agent.sources)


@pytest.mark.parametrize("raw", _params(AGENTS))
def test_agent_dosing_regimens_parse(raw: Any) -> None:
    agent = Agent.model_validate(raw)
    for i, dosing in enumerate(agent.dosing):
        items = [{"agent": agent.key, **item} for item in dosing.regimen]
        parsed = parse_regimen(items, path=f"{agent.key}.dosing[{i}].regimen")
        assert {item.agent for item in parsed} == {agent.key}
        assert {item.route for item in parsed} <= set(agent.routes)


# --------------------------------------------------------------------------- diseases

_PATHWAYS = set(Pathway.__args__)  # type: ignore[attr-defined]


@pytest.mark.parametrize("raw", _params(DISEASES))
def test_disease_codes_are_well_formed(raw: Any) -> None:
    disease = Disease.model_validate(raw)
    icd = [*disease.icd10, *disease.icd10_exclude, *(c for s in disease.subtypes for c in s.icd10)]
    snomed = [*disease.snomed, *(c for s in disease.subtypes for c in s.snomed)]
    assert [c for c in icd if not is_icd10cm(c)] == []
    assert [c for c in snomed if not is_snomed_ct(c)] == []
    assert disease.snomed, "disease has no SNOMED CT code"


@pytest.mark.parametrize("raw", _params(DISEASES))
def test_disease_has_a_prior_for_every_pathway(raw: Any) -> None:
    disease = Disease.model_validate(raw)
    assert set(disease.pathways) == _PATHWAYS
    for pathway, weight in disease.pathways.items():
        assert "not fitted to trial outcomes" in weight.evidence, pathway


@pytest.mark.parametrize("raw", _params(DISEASES))
def test_disease_endpoints_are_contract_codes(raw: Any) -> None:
    disease = Disease.model_validate(raw)
    assert set(disease.endpoints) <= set(contract_endpoints())


@pytest.mark.parametrize("raw", _params(DISEASES))
def test_disease_standard_of_care_agents_exist(raw: Any) -> None:
    disease = Disease.model_validate(raw)
    known = {a["key"] for _, a in AGENTS}
    assert [a for a in disease.standard_of_care if a not in known] == []


# --------------------------------------------------------------------------- populations


@pytest.mark.parametrize("raw", _params(POPULATIONS))
def test_population_background_regimen_parses(raw: Any) -> None:
    population = Population.model_validate(raw)
    parsed = parse_regimen(population.background_therapy, path=f"{population.key}.background")
    known = {a["key"] for _, a in AGENTS}
    assert [item.agent for item in parsed if item.agent not in known] == []


@pytest.mark.parametrize("raw", _params(POPULATIONS))
def test_population_baseline_is_a_distribution_with_units(raw: Any) -> None:
    population = Population.model_validate(raw)
    assert population.baseline, "no baseline characteristics"
    for key, b in population.baseline.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), key
        assert b.fraction is not None or b.mean is not None or b.median is not None, key
        if b.sd is not None:
            assert b.sd >= 0 and b.mean is not None, key
        if b.low is not None and b.high is not None:
            assert b.low <= b.high, key
        parse_unit(b.unit)


def test_population_baseline_uses_contract_keys_where_one_exists() -> None:
    """CRP is in mg/L and VAS globals in mm wherever a population reports them (contract units)."""
    contract_units = {"CRP": "mg/L", "ESR": "mm/h", "PTGA": "mm", "PHGA": "mm", "PAIN": "mm"}
    for _, raw in POPULATIONS:
        population = Population.model_validate(raw)
        for key, unit in contract_units.items():
            if key in population.baseline:
                got = parse_unit(population.baseline[key].unit)
                assert got == parse_unit(unit), (population.key, key)


@pytest.mark.parametrize(
    ("disease", "key"),
    [(d, k) for d, keys in contract_populations().items() for k in keys],
)
def test_trial_spec_population_exists(disease: str, key: str) -> None:
    assert any(r["disease"] == disease and r["key"] == key for _, r in POPULATIONS)


# --------------------------------------------------------------------------- biomarkers


@pytest.mark.parametrize("raw", _params(BIOMARKERS))
def test_biomarker_loinc_check_digits(raw: Any) -> None:
    biomarker = Biomarker.model_validate(raw)
    assert [c for c in biomarker.loinc if not is_loinc(c)] == []


@pytest.mark.parametrize("raw", _params(BIOMARKERS))
def test_biomarker_units_parse(raw: Any) -> None:
    biomarker = Biomarker.model_validate(raw)
    if biomarker.unit is None:
        return
    default = parse_unit(biomarker.unit)
    for alt in biomarker.alternatives:
        unit = parse_unit(alt.unit)
        if alt.factor is None:  # pint must convert it to the default unit by itself
            try:
                ureg.Quantity(1.0, unit).to(default)
            except pint.errors.DimensionalityError:
                pytest.fail(f"{alt.unit!r} does not convert to {biomarker.unit!r} without a factor")


@pytest.mark.parametrize("key", contract_observation_keys())
def test_contract_observation_key_is_a_biomarker(key: str) -> None:
    assert key in {raw["key"] for _, raw in BIOMARKERS}
