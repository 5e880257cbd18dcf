"""Typed records of the knowledge base.

Every number carries its source: numeric facts are :class:`Sourced` values (value, unit, source),
and every record lists ``sources``. The loader validates the bundled YAML against these models at
import of the knowledge base, so a curation mistake fails loudly in the schema test, not deep in a
simulation.

The vocabularies below are the contract between the knowledge base and the engine:

* :data:`ModelProcess` names the processes of the immune-balance model an agent can act on;
* :data:`Mechanism` names *how* an agent acts (neutralise, block, deplete, ...);
* :data:`Pathway` names the immune pathways whose weights define a disease.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "PK",
    "Action",
    "Agent",
    "AgentApproval",
    "Biomarker",
    "Discontinuation",
    "Disease",
    "DiseaseSubtype",
    "Dosing",
    "Interaction",
    "LabelNote",
    "Mechanism",
    "ModelProcess",
    "Pathway",
    "PathwayWeight",
    "Population",
    "PopulationBaseline",
    "Sourced",
    "UnitAlternative",
]

ModelProcess = Literal[
    "tnf",  # TNF-α signalling (TNF neutralisation / receptor)
    "il6",  # IL-6 / IL-6R signalling
    "il1",  # IL-1 signalling
    "il17",  # IL-17A (and F) signalling
    "il12",  # IL-12 (p35/p40) → Th1 differentiation
    "il23",  # IL-23 (p19/p40) → Th17 maintenance
    "ifn_i",  # type I interferon / IFNAR
    "il2",  # IL-2 signalling (Treg survival, effector expansion)
    "baff",  # BAFF/BLyS → B-cell survival
    "costimulation",  # CD80/86–CD28 co-stimulation of T cells
    "b_cells",  # B-cell pool (CD20/CD19 depletion)
    "plasma_cells",  # plasma cells (CD38/BCMA, CAR-T partly)
    "t_cells",  # T-cell pool (CD52 depletion, anti-CD3 modulation)
    "trafficking_cns",  # α4β1 integrin: lymphocyte entry into CNS
    "trafficking_gut",  # α4β7 integrin: lymphocyte homing to gut
    "treg",  # regulatory T-cell pool (expansion / infusion)
    "pd1",  # PD-1 checkpoint (agonism restores tolerance, inhibition breaks it)
    "ctla4",  # CTLA-4 checkpoint (inhibition breaks tolerance)
    "jak1",  # JAK1 kinase (IL-6, IFN, IL-2/γc family)
    "jak2",  # JAK2 kinase (IL-6, IL-12/23, GM-CSF, EPO)
    "jak3",  # JAK3 kinase (γc cytokines: IL-2, IL-7, IL-15, IL-21)
    "tyk2",  # TYK2 kinase (IL-12, IL-23, type I IFN)
    "pde4",  # PDE4 → cAMP: lower TNF, IL-23, IL-17; higher IL-10
    "syk",  # SYK: BCR and Fc-receptor signalling
    "calcineurin",  # calcineurin/NFAT: T-cell activation, IL-2 transcription; podocyte stability
    "lymphocyte_proliferation",  # antimetabolites / alkylators: proliferating lymphocytes
    "innate_inflammation",  # glucocorticoid / aminosalicylate broad anti-inflammatory action
    "ifn_beta",  # interferon-β immunomodulation in MS
    "antigen_specific_tolerance",  # glatiramer acetate, antigen-specific approaches
]

Mechanism = Literal[
    "neutralise_cytokine",
    "block_receptor",
    "deplete_cells",
    "block_trafficking",
    "block_costimulation",
    "inhibit_kinase",
    "inhibit_pde4",
    "inhibit_calcineurin",
    "expand_treg",
    "infuse_treg",
    "modulate_cd3",
    "checkpoint_agonism",
    "checkpoint_inhibition",
    "inhibit_proliferation",
    "broad_anti_inflammatory",
    "immunomodulation",
    "cytokine_agonist",
]

Pathway = Literal[
    "tnf",
    "il6",
    "il1",
    "il17",
    "il12",
    "il23",
    "ifn_i",
    "b_cell",
    "autoantibody",
    "t_cell_costimulation",
    "th1",
    "th17",
    "treg_deficit",
    "cns_trafficking",
    "gut_trafficking",
    "innate",
]

DiseaseKey = Literal[
    "rheumatoid_arthritis",
    "systemic_lupus_erythematosus",
    "multiple_sclerosis",
    "type_1_diabetes",
    "ulcerative_colitis",
    "crohns_disease",
    "psoriasis",
]

#: The one unit of event rates in the knowledge base (labels report rates per 100 patient-years).
SERIOUS_INFECTION_RATE_UNIT = "per 100 patient-years"

DISEASE_KEYS: tuple[str, ...] = DiseaseKey.__args__  # type: ignore[attr-defined]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Sourced(_Record):
    """A number (or short fact) with its unit and the source it comes from.

    ``source`` is a citation precise enough to find the number: a label and section
    (``"Humira USPI 2021 §12.3"``), a paper with DOI or PMID, or a guideline.
    """

    value: float
    unit: str = "1"
    source: str = Field(min_length=3)
    note: str | None = None
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _range_order(self) -> Sourced:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) > high ({self.high})")
        return self


class Discontinuation(Sourced):
    """Fraction of patients stopping for adverse reactions in a controlled period of a source.

    A discontinuation fraction only means something beside its own control arm and period: the
    same 6 % is an excess over a 4 % placebo arm but none over a 7 % one, and 6 % over two years
    is a third of the hazard of 6 % over six months. ``comparator`` (the control arm's fraction
    in the same source; ``None`` where the source gives none) and ``weeks`` (the length of the
    period; ``None`` = unstated) let the trial-conduct layer turn it into an excess hazard.
    """

    comparator: float | None = Field(default=None, ge=0.0, lt=1.0)
    weeks: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _fraction(self) -> Discontinuation:
        if not 0.0 <= self.value < 1.0:
            raise ValueError(f"a discontinuation fraction lies in [0, 1), got {self.value}")
        return self


class LabelNote(_Record):
    """A boxed warning, contraindication, warning or monitoring item, with its label source."""

    text: str = Field(min_length=3)
    source: str = Field(min_length=3)


class AgentApproval(_Record):
    """Regulatory status of an agent for one disease."""

    disease: DiseaseKey
    status: Literal["approved", "investigational", "studied", "off_label", "not_effective"]
    year: int | None = Field(default=None, ge=1950, le=2030)
    region: str | None = None  # FDA, EMA
    indication: str | None = None
    source: str = Field(min_length=3)


class Dosing(_Record):
    """Label dosing for one indication, in the trial-spec regimen form."""

    disease: DiseaseKey
    regimen: list[dict[str, object]]  # validated as RegimenItems by the schema test
    label: str | None = None
    source: str = Field(min_length=3)
    standard: bool = True  # the default regimen offered for this disease


class PK(_Record):
    """Pharmacokinetics from the label or a population-PK paper.

    Clearance and volumes are for a typical adult (≈70 kg) unless ``weight_exponent`` says how
    they scale. ``model`` selects the structural model the engine uses.
    """

    model: Literal["one_compartment", "two_compartment", "tmdd", "cell_kinetics", "none"]
    molecular_weight: Sourced | None = None  # g/mol, to convert potency between mass and molar
    bioavailability: dict[str, Sourced] = Field(default_factory=dict)  # per route
    ka: Sourced | None = None  # first-order absorption rate, 1/day
    half_life: Sourced  # terminal half-life (day or hour unit)
    clearance: Sourced | None = None  # L/day (or L/h)
    volume_central: Sourced | None = None  # L
    volume_peripheral: Sourced | None = None  # L
    intercompartmental_clearance: Sourced | None = None  # L/day
    weight_exponent_clearance: float | None = None
    target_mediated: Sourced | None = None  # TMDD note/parameters (e.g. CD20 sink)
    # Michaelis–Menten capacity (mass/time) of target-mediated elimination when
    # ``target_mediated`` holds its Km (a concentration): pop-PK models of antibodies against
    # receptors (IL-6R, IL-17RA, α4β7) report the pair, in parallel with the linear clearance
    target_mediated_vmax: Sourced | None = None
    immunogenicity: Sourced | None = None  # anti-drug antibody incidence (fraction)
    immunogenicity_with_mtx: Sourced | None = None
    ada_clearance_factor: Sourced | None = None  # fold increase of CL with ADA
    specific_activity: Sourced | None = None  # IU per mg (unit "IU/mg"), for IU-dosed proteins
    # fraction of the (active moiety's) plasma concentration not bound to plasma proteins: an
    # in-vitro potency (biochemical or cellular IC50, measured nearly protein-free) acts on the
    # unbound drug, so the engine compares it with fu × total plasma concentration
    fraction_unbound: Sourced | None = None
    # equilibration half-life of an effect site (ke0 = ln 2 / t½): for an agent whose effect
    # follows a slowly accumulating active form rather than the plasma level (methotrexate
    # polyglutamates), every action is driven by the effect-site concentration
    # dCe/dt = ke0 (C − Ce), which equals the plasma average at steady state
    effect_compartment_half_life: Sourced | None = None
    note: str | None = None


class Action(_Record):
    """What an agent does to one model process, and how potently.

    ``potency`` is the concentration of half-maximal effect (IC50, EC50, or Kd for neutralising
    antibodies, where occupancy ≈ C/(C+Kd)) in a unit pint can convert (nM, ng/mL, mg/L).
    ``emax`` is the maximal fractional effect (1 = complete block) where pharmacology bounds it.
    """

    process: ModelProcess
    effect: Literal["inhibit", "deplete", "activate", "expand", "infuse"]
    potency: Sourced
    potency_kind: Literal[
        "kd",  # equilibrium binding constant (neutralising antibodies, receptor blockers)
        "biochemical_ic50",  # isolated enzyme
        "cellular_ic50",  # cell assay
        "whole_blood_ic50",  # human whole blood (protein binding included): preferred, oral
        "in_vivo_ec50",  # exposure–biomarker EC50 from a published PK/PD model
        "receptor_occupancy_ec50",
    ]
    emax: Sourced | None = None
    hill: float = Field(default=1.0, gt=0)
    note: str | None = None


class Agent(_Record):
    """One therapeutic agent: identity, pharmacology, label facts and their sources."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    brand_names: list[str] = Field(default_factory=list)
    drug_class: str = Field(alias="class", pattern=r"^[a-z][a-z0-9_]*$")
    modality: Literal[
        "monoclonal_antibody",
        "antibody_fragment",
        "fusion_protein",
        "receptor_antagonist_protein",
        "small_molecule",
        "cytokine",
        "cell_therapy",
        "peptide_polymer",
    ]
    targets: list[str] = Field(min_length=1)
    mechanism: Mechanism
    mechanism_text: str = Field(min_length=10)
    actions: list[Action] = Field(min_length=1)
    routes: list[Literal["iv", "sc", "oral", "im"]] = Field(min_length=1)
    dosing: list[Dosing] = Field(default_factory=list)
    pk: PK
    approvals: list[AgentApproval] = Field(default_factory=list)
    status: Literal["approved", "investigational", "withdrawn", "never_for_autoimmunity"]
    boxed_warnings: list[LabelNote] = Field(default_factory=list)
    contraindications: list[LabelNote] = Field(default_factory=list)
    warnings: list[LabelNote] = Field(default_factory=list)
    monitoring: list[LabelNote] = Field(default_factory=list)
    pregnancy: LabelNote | None = None
    serious_infection_rate: Sourced | None = None  # per 100 patient-years in label/pooled trials
    discontinuation_ae: Discontinuation | None = None  # fraction stopping for adverse events
    therapeutic_use: Literal["treatment", "background", "never"] = "treatment"
    sources: list[str] = Field(min_length=1)

    @field_validator("serious_infection_rate")
    @classmethod
    def _rate_unit(cls, value: Sourced | None) -> Sourced | None:
        if value is not None and value.unit != SERIOUS_INFECTION_RATE_UNIT:
            raise ValueError(
                f"serious_infection_rate unit must be {SERIOUS_INFECTION_RATE_UNIT!r}, "
                f"got {value.unit!r}"
            )
        return value

    @property
    def is_biologic(self) -> bool:
        """Biologic (protein or cell) agents: the 'no two biologics' rule applies to these."""
        return (
            self.modality
            in {
                "monoclonal_antibody",
                "antibody_fragment",
                "fusion_protein",
                "receptor_antagonist_protein",
                "cell_therapy",
            }
            and self.therapeutic_use == "treatment"
        )

    @property
    def offered_as_treatment(self) -> bool:
        """Checkpoint inhibitors are in the knowledge base to explain autoimmunity, not to treat."""
        return self.therapeutic_use != "never" and self.status != "never_for_autoimmunity"

    def approval_for(self, disease: str) -> AgentApproval | None:
        """This agent's approval record for ``disease``, if any."""
        return next((a for a in self.approvals if a.disease == disease), None)

    def label_regimen(self, disease: str) -> tuple[list[dict[str, object]], str | None]:
        """Regimen items of this agent's standard label dosing for ``disease``, and a note.

        Falls back to another disease's standard regimen (saying so in the note) when the label
        has none for ``disease``; ``([], None)`` when the agent has no dosing at all.
        """
        own = [d for d in self.dosing if d.disease == disease]
        pick = next((d for d in own if d.standard), own[0] if own else None)
        note = None
        if pick is None:
            other = [d for d in self.dosing if d.standard] or list(self.dosing)
            if not other:
                return [], None
            pick = other[0]
            note = (
                f"no label dose for this disease: the {pick.disease.replace('_', ' ')} label "
                f"regimen is used ({pick.source})"
            )
        items = [
            {"agent": self.key, **item} if "agent" not in item else dict(item)
            for item in pick.regimen
        ]
        return items, note


class PathwayWeight(_Record):
    """How much one immune pathway drives a disease (prior weight in [0, 1]), with evidence."""

    weight: float = Field(ge=0.0, le=1.0)
    evidence: str = Field(min_length=10)
    source: str = Field(min_length=3)


class DiseaseSubtype(_Record):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    definition: str
    icd10: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    source: str = Field(min_length=3)


class Disease(_Record):
    """One index disease: codes, subtypes, driving pathways, organ, indices and sources."""

    key: DiseaseKey
    name: str
    icd10: list[str] = Field(min_length=1)
    icd10_exclude: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    subtypes: list[DiseaseSubtype] = Field(default_factory=list)
    target_organ: Literal["synovium", "skin", "gut", "cns", "islets", "kidney", "multi_organ"]
    pathways: dict[Pathway, PathwayWeight]
    indices: list[str] = Field(min_length=1)
    response_criteria: list[str] = Field(default_factory=list)
    endpoints: list[str] = Field(min_length=1)
    standard_of_care: list[str] = Field(default_factory=list)  # agent keys
    sources: list[str] = Field(min_length=1)

    @field_validator("icd10", "icd10_exclude")
    @classmethod
    def _icd10_codes(cls, codes: list[str]) -> list[str]:
        from immunobalance.knowledge.codes import is_icd10cm

        bad = [c for c in codes if not is_icd10cm(c)]
        if bad:
            raise ValueError(f"not ICD-10-CM codes: {bad}")
        return codes


class PopulationBaseline(_Record):
    """Published baseline distribution of one characteristic in a trial population."""

    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    low: float | None = None  # range or IQR bounds
    high: float | None = None
    fraction: float | None = Field(default=None, ge=0, le=1)  # for binary traits
    unit: str = "1"
    source: str = Field(min_length=3)


class Population(_Record):
    """A trial population of ``contracts/trial-spec.md`` with its published baseline."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    disease: DiseaseKey
    name: str
    description: str
    inclusion: list[str] = Field(default_factory=list)
    background_therapy: list[dict[str, object]] = Field(default_factory=list)  # regimen items
    #: How long the background therapy has been given before randomisation (weeks), when the
    #: population is defined as *on stable* background therapy: trials simulate that run-in so
    #: the background drug's effect is part of the entry state, not of the trial response.
    background_run_in_weeks: Sourced | None = None
    prior_therapy: list[str] = Field(default_factory=list)  # agent classes failed before entry
    baseline: dict[str, PopulationBaseline]
    sources: list[str] = Field(min_length=1)


class UnitAlternative(_Record):
    """An accepted unit and how it converts to the default (pint, or an affine/molar factor)."""

    unit: str
    factor: float | None = None  # value_default = value * factor (+ offset) when not pint-able
    offset: float = 0.0
    note: str | None = None


class Biomarker(_Record):
    """An observation key of ``contracts/patient-record.md``: codes, units, range, uses."""

    key: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str
    loinc: list[str] = Field(default_factory=list)
    kind: Literal["quantity", "count", "score", "boolean", "categorical", "quantity_or_categorical"]
    unit: str | None = None  # UCUM default unit
    alternatives: list[UnitAlternative] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    range: tuple[float, float] | None = None  # physical range in the default unit
    informs: list[
        Literal["activity", "prognosis", "response_prediction", "safety_screen", "diagnosis"]
    ] = Field(min_length=1)
    diseases: list[DiseaseKey] = Field(default_factory=list)
    positive_threshold: float | None = None  # value at/above which a quantity reads "positive"
    step: float | None = Field(default=None, gt=0)  # resolution of an ordinal scale/count (1, 0.5)
    source: str = Field(min_length=3)


class Interaction(_Record):
    """A combination rule: standard, not recommended or contraindicated, with its source.

    ``a`` and ``b`` are agent keys or class keys (``class:tnf_inhibitor``); ``any_biologic``
    matches every biologic/targeted synthetic agent.
    """

    a: str
    b: str
    kind: Literal["standard", "acceptable", "not_recommended", "contraindicated"]
    reason: str = Field(min_length=10)
    source: str = Field(min_length=3)


class KnowledgeBaseMeta(_Record):
    version: str
    updated: date
