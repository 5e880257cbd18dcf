"""Established background therapy: simulate a run-in before randomisation.

Patients of a population such as RA ``mtx_ir`` enter a trial *already on* stable methotrexate:
what is measured at screening is their disease under that drug, and only the randomised agent
starts at week 0. Starting the background drug at week 0 instead (as a naive simulation would)
counts its whole effect as trial response in every arm, inflating control arms and shrinking the
apparent benefit of the add-on.

:func:`simulate_with_run_in` therefore starts the established agents ``run_in_weeks`` before
randomisation, starts everything else at its scheduled time after it, and reports the trial
window only, with the clock reset to randomisation. The patient's sampled baseline (the virtual
population matches a published *on-treatment* baseline) is the state at entry: normalised
states (unit ``1 (baseline = 1)``) and cytokines are re-referenced to their value at
randomisation before the measurement model reads them, so week-0 read-outs are the same as
without a run-in and later ones are relative to the on-background state. Absolute states
(damage, β-cell mass, cumulative hazards, lymphocyte pools) are not re-referenced; event hazards
count from randomisation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from immunobalance.knowledge.schema import Population
from immunobalance.model.diseases.base import DiseaseModule, ReadoutContext
from immunobalance.model.result import ParameterSet, SimulationResult
from immunobalance.model.solver import (
    SolverOptions,
    default_visit_weeks,
    hazard_events,
    simulate,
)
from immunobalance.regimen import RegimenItem

__all__ = [
    "established_background",
    "established_first",
    "shared_background",
    "simulate_with_run_in",
]

_NORMALISED_UNIT = "1 (baseline = 1)"


def established_background(
    population: Population, regimens: Sequence[Sequence[RegimenItem]]
) -> tuple[frozenset[str], float]:
    """Agents established before randomisation, and for how long (weeks).

    Only a population defined as *on stable* background therapy (its
    ``background_run_in_weeks``) has a run-in, and only for its background agents that every
    regimen lists: a background agent that one arm omits is being randomised, not continued
    (e.g. TEMPO: methotrexate vs etanercept alone vs both, in DMARD-IR patients).
    """
    if population.background_run_in_weeks is None or not regimens:
        return frozenset(), 0.0
    agents = shared_background(population, [{i.agent for i in reg} for reg in regimens])
    return agents, (float(population.background_run_in_weeks.value) if agents else 0.0)


def shared_background(
    population: Population, arm_agents: Sequence[Collection[str]]
) -> frozenset[str]:
    """The population's background agents that every arm lists (continued, not randomised).

    ``arm_agents`` holds the agent keys of each arm. Whether such an agent is run in before
    randomisation is :func:`established_background`'s question; calibration also asks it of
    populations without a run-in (placebo + mycophenolate in lupus nephritis).
    """
    if not arm_agents:
        return frozenset()
    background = {str(item.get("agent")) for item in population.background_therapy}
    return frozenset(background.intersection(*arm_agents))


def established_first(
    regimen: Sequence[RegimenItem], established: Collection[str], run_in_weeks: float
) -> list[RegimenItem]:
    """The regimen on a clock that starts ``run_in_weeks`` before randomisation.

    Established agents start at the run-in's start (their interval schedule continues through
    randomisation); every other item keeps its schedule relative to randomisation.
    """
    out = []
    for item in regimen:
        if item.agent in established:
            out.append(item)
            continue
        upd: dict[str, object] = {"start_week": item.start_week + run_in_weeks}
        if item.until_week is not None:
            upd["until_week"] = item.until_week + run_in_weeks
        if item.at_weeks is not None:
            upd["at_weeks"] = tuple(w + run_in_weeks for w in item.at_weeks)
        out.append(item.model_copy(update=upd))
    return out


def _rereference(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``x / x(entry)`` per patient (a signal already 0 at entry stays as it is)."""
    entry = x[:, :1]
    safe = np.where(np.abs(entry) > 1e-12, entry, 1.0)
    return np.asarray(x / safe)


def simulate_with_run_in(
    module: DiseaseModule,
    params: ParameterSet,
    regimen: Sequence[RegimenItem],
    weeks: float,
    *,
    established: Collection[str],
    run_in_weeks: float,
    sample_weeks: NDArray[np.float64] | Sequence[float] | None = None,
    seed: int,
    patient_index: NDArray[np.int64] | None = None,
    covariates: Mapping[str, NDArray[np.float64]] | None = None,
    solver: SolverOptions | None = None,
) -> SimulationResult:
    """:func:`~immunobalance.model.simulate` for patients already on ``established`` agents.

    Same arguments and result as ``simulate`` (times relative to randomisation), plus
    ``established`` (agent keys of the regimen given since before randomisation) and
    ``run_in_weeks`` (how long before). With no established agent in the regimen, or a zero
    run-in, this *is* ``simulate``.
    """
    if run_in_weeks <= 0 or not any(i.agent in established for i in regimen):
        return simulate(
            module,
            params,
            regimen,
            weeks,
            sample_weeks=sample_weeks,
            seed=seed,
            patient_index=patient_index,
            covariates=covariates,
            solver=solver,
        )
    if sample_weeks is None:
        visits = default_visit_weeks(weeks)
    else:
        visits = np.asarray(sample_weeks, dtype=float)
    weekly = np.unique(np.concatenate([np.arange(0.0, weeks, 1.0), [weeks], visits]))
    raw = simulate(
        module,
        params,
        established_first(regimen, established, run_in_weeks),
        weeks + run_in_weeks,
        sample_weeks=run_in_weeks + weekly,
        seed=seed,
        patient_index=patient_index,
        covariates=covariates,
        solver=solver,
    )
    idx = raw.patient_index
    decl = module.declaration
    normalised = {s.name for s in decl.states if s.unit.startswith(_NORMALISED_UNIT)}
    states = {k: (_rereference(v) if k in normalised else v) for k, v in raw.states.items()}
    cytokines = {k: _rereference(v) for k, v in raw.cytokines.items()}
    signals = {**cytokines, **raw.signals}
    keep = np.searchsorted(weekly, visits)

    def at(x: Mapping[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
        return {k: v[:, keep] for k, v in x.items()}

    ctx = ReadoutContext(visits, at(states), at(signals), params, seed, idx)
    events: dict[str, list[NDArray[np.float64]]] = {
        name: hazard_events(states[hstate], weekly, seed, name, idx)
        for name, hstate in module.event_hazards.items()
    }
    events.update(
        module.threshold_events(ReadoutContext(weekly, states, signals, params, seed, idx))
    )
    return SimulationResult(
        times_week=visits,
        states=at(states),
        cytokines=at(cytokines),
        signals=at(raw.signals),
        concentrations=at(raw.concentrations),
        effect_site=at(raw.effect_site),
        readouts=module.measure(ctx),
        events=events,
        status=raw.status,
        patient_index=idx,
        ada=raw.ada,
        ada_onset_week={a: v - run_in_weeks for a, v in raw.ada_onset_week.items()},
        n_steps=raw.n_steps,
        notes=sorted(
            {
                *raw.notes,
                f"{', '.join(sorted(set(established) & {i.agent for i in regimen}))} "
                f"established {run_in_weeks:g} weeks before randomisation (run-in); "
                "read-outs relative to the on-treatment state at entry",
            }
        ),
    )
