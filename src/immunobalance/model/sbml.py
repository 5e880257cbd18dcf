"""Export a model (with a regimen's dosing events) to SBML Level 3 Version 2.

Every equation is rendered from the same declaration and pharmacology arrays the numba kernel
uses (formula strings parsed by ``libsbml.parseL3Formula``), so a tool such as libRoadRunner
reproduces our trajectories (tested). Exporters follow one pattern, ``Exporter(model).export()``,
registered by format name in :data:`EXPORTERS`.

Mapping: immune states, drug amounts and effect-site concentrations → species with rate rules
(amounts, compartment of size 1); algebraic assignments → assignment rules; each dose → an
event adding dose × F to the depot (or central) amount; anti-drug-antibody onset → an event
switching ``ada_on_<agent>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libsbml
import numpy as np
from numpy.typing import NDArray

from immunobalance.errors import ImmunobalanceError
from immunobalance.model._formula import Formula
from immunobalance.model.diseases.base import DiseaseModule
from immunobalance.model.pharmacology import PK_COLUMNS, PROCESSES
from immunobalance.model.result import ParameterSet
from immunobalance.model.solver import KernelInputs, kernel_inputs
from immunobalance.regimen import RegimenItem

__all__ = ["EXPORTERS", "SbmlExporter", "load_patient", "patient_values"]

_EFFECT_PREFIX = {0: "inh", 1: "dep", 2: "act", 3: "inf"}


class SbmlExportError(ImmunobalanceError, RuntimeError):
    """libsbml rejected something we generated (a bug, not user input)."""


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SbmlExportError(
            f"libsbml failed on {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


def _math(text: str, where: str) -> libsbml.ASTNode:
    ast = libsbml.parseL3Formula(text)
    if ast is None:
        raise SbmlExportError(f"{where}: cannot parse {text!r}: {libsbml.getLastParseL3Error()}")
    return ast


class SbmlExporter:
    """Export one virtual patient (default: the typical patient) under a regimen.

    Parameters
    ----------
    module
        Disease module.
    regimen
        Regimen items (doses become events).
    weeks
        Horizon: doses within it are exported.
    params
        One-patient :class:`ParameterSet` (default ``module.typical_parameters(1)``).
    covariates, seed, patient_index
        As for :func:`immunobalance.model.simulate` (they fix weight-based doses, PK
        variability and ADA of this patient).
    """

    def __init__(
        self,
        module: DiseaseModule,
        regimen: Sequence[RegimenItem] = (),
        weeks: float = 52.0,
        params: ParameterSet | None = None,
        covariates: Mapping[str, NDArray[np.float64]] | None = None,
        seed: int = 0,
        patient_index: int = 0,
    ) -> None:
        self.module = module
        self.regimen = list(regimen)
        self.weeks = weeks
        self.params = params if params is not None else module.typical_parameters(1)
        self.covariates = covariates
        self.seed = seed
        self.patient_index = patient_index

    def kernel_inputs(self) -> KernelInputs:
        return kernel_inputs(
            self.module,
            self.params,
            self.regimen,
            self.weeks,
            seed=self.seed,
            patient_index=np.array([self.patient_index]),
            covariates=self.covariates,
        )

    def export(self) -> str:
        """The SBML document as a string."""
        ki = self.kernel_inputs()
        decl = self.module.compiled.declaration
        doc = libsbml.SBMLDocument(3, 2)
        model = doc.createModel()
        model.setId(f"immunobalance_{decl.name}")
        model.setName(f"immunobalance immune-balance model: {decl.name}")
        model.setTimeUnits("day")
        ud = model.createUnitDefinition()
        ud.setId("day")
        u = ud.createUnit()
        u.setKind(libsbml.UNIT_KIND_SECOND)
        u.setExponent(1)
        u.setScale(0)
        u.setMultiplier(86400)
        comp = model.createCompartment()
        comp.setId("body")
        comp.setSize(1.0)
        comp.setConstant(True)
        comp.setSpatialDimensions(3)
        for fid, body in (
            ("hill", "lambda(x, k, n, piecewise(0, x <= 0, x^n / (k^n + x^n)))"),
            ("ib_min", "lambda(a, b, piecewise(a, a < b, b))"),
            ("ib_max", "lambda(a, b, piecewise(a, a > b, b))"),
        ):
            fd = model.createFunctionDefinition()
            fd.setId(fid)
            _check(fd.setMath(_math(body, fid)), fid)

        def param(pid: str, value: float, constant: bool = True) -> None:
            p = model.createParameter()
            _check(p.setId(pid), pid)
            p.setValue(float(value))
            p.setConstant(constant)

        def species(sid: str, value: float) -> None:
            s = model.createSpecies()
            _check(s.setId(sid), sid)
            s.setCompartment("body")
            s.setInitialAmount(float(value))
            s.setHasOnlySubstanceUnits(True)
            s.setBoundaryCondition(False)
            s.setConstant(False)

        def rule(var: str, text: str, rate: bool = False) -> None:
            r = model.createRateRule() if rate else model.createAssignmentRule()
            r.setVariable(var)
            _check(r.setMath(_math(text, var)), var)

        for k, name in enumerate(decl.parameter_names):
            param(name, ki.p[0, k])
        for k, s in enumerate(decl.states):
            species(s.name, ki.y0[0, k])
        # pharmacology
        agents = ki.doses.agents
        used: set[str] = set()
        for a in decl.assignments:
            used |= Formula(a.formula).names()
        for r in decl.rates:
            used |= Formula(r.formula).names()
        terms: dict[str, list[str]] = {}
        for j, ag in enumerate(agents):
            pk = ki.pk[0, j]
            for pid, v in zip(PK_COLUMNS, pk, strict=True):
                param(f"{pid}_{ag}", v)
            param(f"ada_on_{ag}", 0.0, constant=False)
            onset = ki.ada_onset_day[0, j]
            param(f"ada_onset_{ag}", onset if np.isfinite(onset) else 1e12)
            for cmt in ("depot", "central", "periph", "Ce"):
                species(f"{cmt}_{ag}", 0.0)
            p = model.createParameter()
            p.setId(f"C_{ag}")
            p.setConstant(False)
            rule(f"C_{ag}", f"central_{ag} / V1_{ag}")
            tp = int(ki.target_proc[j])
            load = "1"
            if tp >= 0 and ki.load_idx[tp] >= 0:
                load = f"load_{PROCESSES[tp]}"
            cpos = f"ib_max(C_{ag}, 0)"
            rule(f"depot_{ag}", f"-ka_{ag} * depot_{ag}", rate=True)
            rule(
                f"central_{ag}",
                f"ka_{ag} * depot_{ag} - CL_{ag} * (1 + (adaf_{ag} - 1) * ada_on_{ag}) "
                f"* C_{ag} - Q_{ag} * (C_{ag} - periph_{ag} / V2_{ag}) "
                f"- vmax_{ag} * {load} * {cpos} / (km_{ag} + {cpos})",
                rate=True,
            )
            rule(f"periph_{ag}", f"Q_{ag} * (C_{ag} - periph_{ag} / V2_{ag})", rate=True)
            # effect site (a concentration held in a unit compartment): ke0 = 0 leaves it at 0
            rule(f"Ce_{ag}", f"ke0_{ag} * (C_{ag} - Ce_{ag})", rate=True)
        effect_agents = ki.effect_site_agents()
        for m in range(ki.act_agent.shape[0]):
            ag = agents[int(ki.act_agent[m])]
            eff = int(ki.act_effect[m])
            proc = PROCESSES[int(ki.act_proc[m])]
            ec50, emax, h = (float(ki.act_ec50[m]), float(ki.act_emax[m]), float(ki.act_hill[m]))
            eid = f"e_{ag}_{m}"
            p = model.createParameter()
            p.setId(eid)
            p.setConstant(False)
            drive = f"Ce_{ag}" if ag in effect_agents else f"C_{ag}"
            cpos = f"ib_max({drive}, 0)"
            if eff == 3:
                rule(eid, f"{emax!r} * {cpos} / {ec50!r}")
            else:
                rule(eid, f"{emax!r} * hill({cpos} / {ec50!r}, 1, {h!r})")
            terms.setdefault(f"{_EFFECT_PREFIX[eff]}_{proc}", []).append(eid)
        for name in sorted(n for n in decl.external if n in used):
            if name in terms:
                p = model.createParameter()
                p.setId(name)
                p.setConstant(False)
                if name.startswith("inh_"):
                    rule(name, "1 - " + " * ".join(f"(1 - {e})" for e in terms[name]))
                else:
                    rule(name, " + ".join(terms[name]))
            else:
                param(name, 0.0)
        for a in decl.assignments:
            p = model.createParameter()
            p.setId(a.name)
            p.setConstant(False)
            rule(a.name, Formula(a.formula).render("sbml"))
        for r in decl.rates:
            rule(r.state, Formula(r.formula).render("sbml"), rate=True)
        # dosing events
        for d in range(ki.doses.times_day.shape[0]):
            ag = agents[int(ki.doses.agent_index[d])]
            cmt = "central" if ki.doses.compartment[d] == 1 else "depot"
            amt = f"dose_{d}"
            param(amt, ki.doses.amount[0, d])
            self._event(
                model,
                f"dose_event_{d}",
                f"time >= {float(ki.doses.times_day[d])!r}",
                f"{cmt}_{ag}",
                f"{cmt}_{ag} + {amt}",
            )
        for ag in agents:
            self._event(model, f"ada_event_{ag}", f"time >= ada_onset_{ag}", f"ada_on_{ag}", "1")
        errors = doc.checkInternalConsistency()
        if errors:
            raise SbmlExportError(doc.getErrorLog().toString())
        return str(libsbml.writeSBMLToString(doc))

    @staticmethod
    def _event(model: libsbml.Model, eid: str, trigger: str, var: str, value: str) -> None:
        ev = model.createEvent()
        ev.setId(eid)
        ev.setUseValuesFromTriggerTime(True)
        tr = ev.createTrigger()
        tr.setInitialValue(False)
        tr.setPersistent(True)
        _check(tr.setMath(_math(trigger, eid)), eid)
        ea = ev.createEventAssignment()
        ea.setVariable(var)
        _check(ea.setMath(_math(value, eid)), eid)


def patient_values(ki: KernelInputs, module: DiseaseModule, i: int) -> dict[str, float]:
    """Parameter and initial values of patient ``i`` under the exported SBML ids.

    A libRoadRunner user simulating a cohort from one exported file sets these per patient.
    """
    decl = module.compiled.declaration
    out: dict[str, float] = {name: float(ki.p[i, k]) for k, name in enumerate(decl.parameter_names)}
    for k, s in enumerate(decl.states):
        out[s.name] = float(ki.y0[i, k])  # set after reset(): the amount at t = 0
    for j, ag in enumerate(ki.doses.agents):
        for pid, v in zip(PK_COLUMNS, ki.pk[i, j], strict=True):
            out[f"{pid}_{ag}"] = float(v)
        onset = ki.ada_onset_day[i, j]
        out[f"ada_onset_{ag}"] = float(onset) if np.isfinite(onset) else 1e12
        out[f"ada_on_{ag}"] = 0.0  # an event may have switched it on for the previous patient
    for d in range(ki.doses.times_day.shape[0]):
        out[f"dose_{d}"] = float(ki.doses.amount[i, d])
    return out


def load_patient(rr: object, ki: KernelInputs, module: DiseaseModule, i: int) -> None:
    """Put patient ``i`` into a libRoadRunner instance of the exported model.

    Order matters: parameters (including dose amounts) are set first, then ``reset()`` — which
    fires the doses due at time 0 with the patient's amounts — then the initial state amounts.
    """
    values = patient_values(ki, module, i)
    states = set(module.compiled.declaration.state_names)
    for key, value in values.items():
        if key not in states:
            rr.setValue(key, value)  # type: ignore[attr-defined]
    rr.reset()  # type: ignore[attr-defined]
    for key in states:
        rr.setValue(key, values[key])  # type: ignore[attr-defined]


EXPORTERS = {"sbml": SbmlExporter}
