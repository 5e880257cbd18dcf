"""What every disease module provides, and the machinery they share.

A disease is a *data + module* change: its knowledge-base record gives the pathway priors; its
module (one file in this package) adds organ states and equations to the core network, sets
disease-specific parameter values, and maps latent states to clinical read-outs (the
measurement model). Nothing in the engine core changes. See ``docs/model.md``, "Adding a
disease".
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numpy.typing import NDArray

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.knowledge.schema import Disease
from immunobalance.model import random as rnd
from immunobalance.model.core import core_declaration
from immunobalance.model.declaration import Declaration, Parameter, Prior
from immunobalance.model.pharmacology import AgentPharmacology, agent_pharmacology
from immunobalance.model.result import ParameterSet

if TYPE_CHECKING:
    from immunobalance.model._codegen import CompiledModel

__all__ = ["DiseaseModule", "ReadoutContext"]

#: Between-patient spread of pathway weights around the disease prior (lognormal CV).
PATHWAY_CV = 0.5


@dataclass
class ReadoutContext:
    """What a measurement model sees: latent trajectories, parameters and noise streams."""

    times_week: NDArray[np.float64]
    states: Mapping[str, NDArray[np.float64]]
    signals: Mapping[str, NDArray[np.float64]]
    params: ParameterSet
    seed: int
    patient_index: NDArray[np.int64]

    def p(self, name: str) -> NDArray[np.float64]:
        """Parameter ``name`` as a column ``(n, 1)`` (broadcasts over time)."""
        return self.params[name][:, None]

    def normal(self, stream: str) -> NDArray[np.float64]:
        """Visit noise ``(n, t)``: keyed by patient and visit hour, so independent of the grid.

        Scaled by ``noise_scale`` (1 = the declared per-item SDs), the disease-level size of
        visit-to-visit variation that the population layer calibrates.
        """
        z = rnd.normals(self.seed, f"readout:{stream}", self.patient_index, self._visit_hours)
        return np.asarray(z * self.noise)

    @property
    def _visit_hours(self) -> NDArray[np.int64]:
        """Visit times in whole hours: the counter of every visit-level stream, so a draw
        belongs to its visit whatever the sampling grid around it."""
        return np.round(self.times_week * 168.0).astype(np.int64)

    @property
    def noise(self) -> NDArray[np.float64]:
        """``noise_scale`` as a column ``(n, 1)`` (1 where the module does not declare it)."""
        if "noise_scale" not in self.params:
            return np.ones((self.patient_index.shape[0], 1))
        return self.p("noise_scale")

    def activity_fluctuation(self, cv: NDArray[np.float64]) -> NDArray[np.float64]:
        """Visit-level factor ``exp(s·z − s²/2)`` (mean 1, CV ``cv``) on the latent activity.

        Why: disease activity itself fluctuates between visits, and all items of a visit move
        with it together — unlike item noise, which is independent per item. A composite that
        needs *every* item low (Mayo remission) is reached through such shared lows, and a
        patient enrolled at a screening high regresses towards its own mean on every item at
        once. Not scaled by ``noise_scale``: its size is a measured biological variation.
        """
        z = rnd.normals(self.seed, "readout:ACTIVITY", self.patient_index, self._visit_hours)
        s = np.sqrt(np.log1p(np.asarray(cv) ** 2))
        return np.asarray(np.exp(s * z - 0.5 * s * s))

    def uniform(self, stream: str) -> NDArray[np.float64]:
        return rnd.uniforms(self.seed, f"readout:{stream}", self.patient_index, self._visit_hours)

    def patient_uniform(self, stream: str) -> NDArray[np.float64]:
        """A per-patient (time-invariant) uniform ``(n, 1)``."""
        return rnd.uniforms(self.seed, f"patient:{stream}", self.patient_index, [0])

    def placebo(self, kind: str) -> NDArray[np.float64]:
        """Expectation factor ``1 − p·(1 − exp(−t/τ))`` (1 at baseline) for ``subjective`` or
        ``objective`` items."""
        t = np.maximum(self.times_week, 0.0)[None, :]
        return 1.0 - self.p(f"placebo_{kind}") * (1.0 - np.exp(-t / self.p("placebo_tau_week")))

    # measurement helpers ---------------------------------------------------------------
    def count(
        self, stream: str, mean: NDArray[np.float64], cv: float, hi: float
    ) -> NDArray[np.float64]:
        """An integer count with visit-to-visit noise, within [0, hi]."""
        m = np.maximum(mean, 0.0)
        s = cv * self.noise
        noisy = m * np.exp(cv * self.normal(stream) - 0.5 * s**2) + 0.5 * self.normal(stream + "+")
        return np.clip(np.round(noisy), 0.0, hi)

    def score(
        self,
        stream: str,
        mean: NDArray[np.float64],
        sd: float,
        lo: float,
        hi: float,
        step: float = 1.0,
    ) -> NDArray[np.float64]:
        """An ordinal/continuous score: mean + N(0, sd), rounded to ``step``, within [lo, hi]."""
        raw = mean + sd * self.normal(stream)
        return np.clip(np.round(raw / step) * step, lo, hi)

    def lognormal(self, stream: str, mean: NDArray[np.float64], cv: float) -> NDArray[np.float64]:
        s = math.sqrt(math.log1p(cv**2))
        s_eff = s * self.noise
        return np.asarray(mean * np.exp(s * self.normal(stream) - 0.5 * s_eff * s_eff))


def measurement_parameters() -> list[Parameter]:
    """Placebo / expectation hooks shared by all diseases (calibrated by the population layer)."""
    return [
        Parameter(
            "placebo_subjective",
            0.15,
            "1",
            "maximal expectation (placebo) improvement of patient-reported items",
            "calibrated on placebo arms of "
            "shared/reference/calibration-trials.csv (population layer)",
            Prior("logitnormal", sd=0.5),
            0.0,
            0.9,
            "readout",
        ),
        Parameter(
            "placebo_objective",
            0.05,
            "1",
            "maximal placebo/regression improvement of assessor-measured items",
            "as placebo_subjective",
            Prior("logitnormal", sd=0.5),
            0.0,
            0.9,
            "readout",
        ),
        Parameter(
            "noise_scale",
            1.0,
            "1",
            "multiplier of every visit-to-visit noise SD of the read-outs (1 = the per-item "
            "SDs the module declares); how much of a response threshold noise decides",
            "calibrated on shared/reference/calibration-trials.csv (population layer, stage 0)",
            Prior(),
            0.1,
            5.0,
            "readout",
        ),
        Parameter(
            "placebo_tau_week",
            4.0,
            "week",
            "time constant of the placebo response",
            "model assumption",
            Prior("lognormal", cv=0.3),
            0.5,
            26.0,
            "readout",
        ),
    ]


class DiseaseModule(ABC):
    """Base class of disease modules.

    Subclasses set :attr:`key`, :attr:`tissue_bdc` and implement :meth:`extend` (organ states,
    equations, parameter values), :meth:`readout_parameters` and :meth:`readouts`. Optional:
    :attr:`event_hazards` (cumulative-hazard states that generate events) and
    :meth:`threshold_events`.
    """

    key: ClassVar[str]
    #: Antibody biodistribution coefficient of the target organ (value, source).
    tissue_bdc: ClassVar[tuple[float, str]]
    #: Baseline read-out → the read-out parameter it is proportional to at the untreated
    #: steady state. The population layer moves that parameter's typical value so that
    #: candidates are centred on a population's published baseline before acceptance.
    baseline_scales: ClassVar[dict[str, str]] = {}
    #: Event name → cumulative-hazard state.
    event_hazards: ClassVar[dict[str, str]] = {"serious_infection": "H_inf"}

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb if kb is not None else load_knowledge_base()
        self.disease: Disease = self.kb.disease(self.key)
        self.pathways: tuple[str, ...] = tuple(
            p for p, w in self.disease.pathways.items() if w.weight > 0
        )
        self._pharm: dict[str, AgentPharmacology] = {}

    # -- model ----------------------------------------------------------------------------
    @abstractmethod
    def extend(self, core: Declaration) -> Declaration:
        """Add organ states/equations and disease-specific parameter values to the core."""

    @abstractmethod
    def readout_parameters(self) -> list[Parameter]:
        """Measurement-model parameters (baseline scales, noise), with priors and sources."""

    @abstractmethod
    def readouts(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        """Clinical read-outs ``(n, t)`` keyed by observation key."""

    def measure(self, ctx: ReadoutContext) -> dict[str, NDArray[np.float64]]:
        """:meth:`readouts`, each within the physical range of its observation key (KB).

        Why: lab read-outs carry multiplicative visit noise, and at a calibrated noise scale its
        far tail can reach values no instrument reports (a CRP of 1 200 mg/L, an ESR above the
        200 mm Westergren column), which the index code rightly rejects as invalid input. A
        measurement saturates at what the instrument can show.
        """
        out = self.readouts(ctx)
        for key, values in out.items():
            marker = self.kb.biomarkers.get(key)
            if marker is not None and marker.range is not None:
                out[key] = np.clip(values, marker.range[0], marker.range[1])
        return out

    def threshold_events(self, ctx: ReadoutContext) -> dict[str, list[NDArray[np.float64]]]:
        """Events defined by a state crossing a threshold (e.g. T1D diagnosis)."""
        return {}

    @cached_property
    def declaration(self) -> Declaration:
        return self.extend(core_declaration(self.key, list(self.pathways))).validated()

    @cached_property
    def compiled(self) -> CompiledModel:
        from immunobalance.model._codegen import compile_model

        return compile_model(self.declaration)

    @cached_property
    def all_parameters(self) -> tuple[Parameter, ...]:
        return (
            self.declaration.parameters
            + tuple(measurement_parameters())
            + tuple(self.readout_parameters())
        )

    def pharmacology(self, agent_key: str) -> AgentPharmacology:
        """The agent's PK/PD in this disease's tissue (cached)."""
        if agent_key not in self._pharm:
            self._pharm[agent_key] = agent_pharmacology(
                self.kb.agent(agent_key), self.tissue_bdc[0]
            )
        return self._pharm[agent_key]

    # -- virtual patients -----------------------------------------------------------------
    def pathway_prior(self) -> dict[str, float]:
        """Knowledge-base pathway weights, normalised to sum 1."""
        raw = {p: self.disease.pathways[p].weight for p in self.pathways}  # type: ignore[index]
        total = sum(raw.values())
        return {p: w / total for p, w in raw.items()}

    def typical_parameters(self, n: int = 1) -> ParameterSet:
        """Every parameter at its typical value; pathway weights at the normalised KB prior."""
        values = {p.name: np.full(n, p.value) for p in self.all_parameters}
        for pw, w in self.pathway_prior().items():
            values[f"w_{pw}"] = np.full(n, w)
        return ParameterSet(values, self.pathways)

    def sample_parameters(
        self,
        n: int,
        *,
        seed: int,
        overrides: Mapping[str, float | NDArray[np.float64]] | None = None,
        patient_index: NDArray[np.int64] | None = None,
    ) -> ParameterSet:
        """Draw ``n`` virtual patients from the declared priors.

        Each parameter has its own counter-based stream, so patient ``i`` gets the same values
        whatever the batch it is drawn in (give ``patient_index`` for chunks). Pathway weights
        are the KB prior times lognormal(CV 0.5) noise, renormalised (a Dirichlet-like draw).

        Raises
        ------
        InvalidInputError
            Naming every unknown override or override of the wrong shape.
        """
        idx = np.arange(n, dtype=np.int64) if patient_index is None else np.asarray(patient_index)
        if idx.shape != (n,):
            raise InvalidInputError(
                [Problem("patient_index", f"expected shape ({n},)")], what="sampling request"
            )
        values: dict[str, NDArray[np.float64]] = {}
        for p in self.all_parameters:
            if p.group == "pathway":
                continue
            u = rnd.uniforms(seed, f"param:{p.name}", idx, [0])[:, 0]
            values[p.name] = p.sample(u)
        sigma = math.sqrt(math.log1p(PATHWAY_CV**2))
        raw = {
            pw: w * np.exp(sigma * rnd.normals(seed, f"pathway:{pw}", idx, [0])[:, 0])
            for pw, w in self.pathway_prior().items()
        }
        total = np.sum(list(raw.values()), axis=0)
        for pw, w in raw.items():
            values[f"w_{pw}"] = w / total
        ps = ParameterSet(values, self.pathways)
        if overrides:
            problems = []
            for k, v in overrides.items():
                if k not in values:
                    problems.append(Problem(f"overrides.{k}", "unknown parameter"))
                elif np.ndim(v) not in (0, 1) or (np.ndim(v) == 1 and np.shape(v)[0] != n):
                    problems.append(Problem(f"overrides.{k}", f"expected a scalar or ({n},) array"))
            if problems:
                raise InvalidInputError(problems, what="parameter overrides")
            ps = ps.with_values(**dict(overrides))
        return ps

    def baseline_readouts(
        self,
        params: ParameterSet,
        *,
        seed: int,
        patient_index: NDArray[np.int64] | None = None,
        covariates: Mapping[str, NDArray[np.float64]] | None = None,
    ) -> dict[str, NDArray[np.float64]]:
        """Read-outs at the untreated baseline visit (week 0), shape ``(n,)`` each.

        The baseline is the patient's exact untreated equilibrium, so no simulation is needed
        beyond one evaluation; used to accept/reject virtual patients against a population.
        """
        from immunobalance.model.solver import simulate

        res = simulate(
            self,
            params,
            [],
            0.0,
            sample_weeks=np.array([0.0]),
            seed=seed,
            patient_index=patient_index,
            covariates=covariates,
        )
        return {k: v[:, 0] for k, v in res.readouts.items()}
