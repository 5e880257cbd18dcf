"""One unit of trial work: simulate a chunk of virtual patients on one arm and score them.

A chunk is a pure function of its :class:`ChunkTask`: the patients are the global indices
``start … stop−1`` and every random draw (cohort, PK variability, visit noise, events,
discontinuation) is keyed on (spec seed, global patient index), never on the chunk. So a patient's
outcome does not depend on the chunk size, on the backend, or on which worker ran the chunk, and
the same indices on every arm give the same virtual patients (arms differ only by regimen).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from immunobalance.errors import InvalidInputError
from immunobalance.trials.cohort import VirtualCohortSource, disease_module
from immunobalance.trials.conduct import TrialConduct, discontinuation
from immunobalance.trials.endpoints import ArmTrajectories, evaluate_endpoint
from immunobalance.trials.spec import ENDPOINT_CODES, TrialSpec

__all__ = ["DEFAULT_CHUNK_SIZE", "ChunkOutcome", "ChunkTask", "plan_chunks", "run_chunk"]

#: Patients per chunk. Fixed, independent of the number of workers; results do not depend on it.
DEFAULT_CHUNK_SIZE = 2048

#: The score plotted as "disease activity" per disease (a read-out or a derived score).
ACTIVITY_SCORE = {
    "rheumatoid_arthritis": "DAS28CRP",
    "psoriasis": "PASI_TOTAL",
    "systemic_lupus_erythematosus": "SLEDAI2K",
    "multiple_sclerosis": "EDSS",
    "ulcerative_colitis": "MAYO",
    "crohns_disease": "HBI",
    "type_1_diabetes": "CPEPTIDE",
}


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run one chunk (picklable)."""

    spec: TrialSpec
    arm_index: int
    chunk_index: int
    start: int
    stop: int
    visit_weeks: tuple[float, ...]
    conduct: TrialConduct
    ae_hazard_per_week: float
    cohort_source: VirtualCohortSource
    #: Background agents given since before randomisation, and for how long (weeks); see
    #: :func:`immunobalance.model.run_in.established_background`.
    established: frozenset[str] = frozenset()
    run_in_weeks: float = 0.0


@dataclass
class ChunkOutcome:
    """Per-patient outcomes of one chunk plus sums for the report's time courses."""

    arm_index: int
    chunk_index: int
    patient_index: NDArray[np.int64]
    status: NDArray[np.int64]
    covariates: dict[str, NDArray[np.generic]]
    baseline: dict[str, NDArray[np.float64]]
    stop_week: NDArray[np.float64]
    stop_reason: NDArray[np.int8]
    endpoints: dict[str, tuple[NDArray[np.float64], NDArray[np.float64] | None]]
    #: code → (sum of values, number of evaluable patients) at every visit, ok patients only.
    timecourse: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]
    #: series → (sum, sum of squares, count) at every visit, ok patients only.
    trajectories: dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]
    notes: list[str] = field(default_factory=list)
    solver_steps: int = 0


def plan_chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), …]`` covering ``0 … n−1`` in chunks of ``chunk_size``."""
    return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]


def run_chunk(task: ChunkTask) -> ChunkOutcome:
    """Simulate and score one chunk (runs in-process or on a Dask worker)."""
    from immunobalance.model.run_in import simulate_with_run_in

    spec = task.spec
    info = spec.trial
    arm = spec.arms[task.arm_index]
    idx = np.arange(task.start, task.stop, dtype=np.int64)
    cohort = task.cohort_source.draw(info.disease, info.population, idx, seed=info.seed)
    module = disease_module(info.disease)
    visits = np.asarray(task.visit_weeks, dtype=float)
    sim = simulate_with_run_in(
        module,
        cohort.params,
        list(arm.regimen),
        info.weeks,
        established=task.established,
        run_in_weeks=task.run_in_weeks,
        sample_weeks=visits,
        seed=info.seed,
        patient_index=idx,
        covariates=cohort.covariates,
    )
    ok = sim.ok
    first_si = np.array(
        [
            e.min() if len(e) else np.inf
            for e in sim.events.get("serious_infection", [np.array([])] * idx.size)
        ]
    )
    stop_week, stop_reason = discontinuation(
        conduct=task.conduct,
        ae_hazard_per_week=task.ae_hazard_per_week,
        first_serious_infection_week=first_si,
        readouts=sim.readouts,
        times_week=sim.times_week,
        horizon_weeks=info.weeks,
        seed=info.seed,
        patient_index=idx,
    )
    traj = ArmTrajectories(
        info.disease,
        sim.times_week,
        sim.readouts,
        sim.events,
        stop_week,
        stop_reason,
        task.conduct.continuous_imputation,
    )
    # Failed patients (solver status ≠ 0) have NaN read-outs; score the others only.
    view = traj.rows(ok)
    endpoints: dict[str, tuple[NDArray[np.float64], NDArray[np.float64] | None]] = {}
    for code in spec.endpoints.codes:
        for week in spec.endpoints.at_weeks:
            ev = evaluate_endpoint(view, code, week)
            value = np.full(idx.size, np.nan)
            value[ok] = ev.value
            exposure = None
            if ev.exposure_years is not None:
                exposure = np.full(idx.size, np.nan)
                exposure[ok] = ev.exposure_years
            endpoints[f"{code}@{week:g}"] = (value, exposure)
    timecourse = _timecourse(view, spec)
    trajectories = _trajectories(view, sim, ok, info.disease)
    return ChunkOutcome(
        arm_index=task.arm_index,
        chunk_index=task.chunk_index,
        patient_index=idx,
        status=sim.status,
        covariates=dict(cohort.covariates),
        baseline={k: np.asarray(v[:, 0], dtype=float) for k, v in sim.readouts.items()},
        stop_week=stop_week,
        stop_reason=stop_reason,
        endpoints=endpoints,
        timecourse=timecourse,
        trajectories=trajectories,
        notes=sorted(set(sim.notes) | set(cohort.notes)),
        solver_steps=int(sim.n_steps.sum()) if sim.n_steps is not None else 0,
    )


def _timecourse(
    view: ArmTrajectories, spec: TrialSpec
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """Proportion and mean endpoints at every post-baseline visit (the report's time courses)."""
    t = view.times_week
    out = {}
    for code in spec.endpoints.codes:
        if ENDPOINT_CODES[code] == "rate":
            continue
        sums = np.full(t.size, np.nan)
        counts = np.zeros(t.size)
        for j in range(1, t.size):
            v = evaluate_endpoint(view, code, float(t[j])).value
            finite = np.isfinite(v)
            sums[j], counts[j] = float(v[finite].sum()), float(finite.sum())
        out[code] = (sums, counts)
    return out


def _trajectories(
    view: ArmTrajectories, sim: object, ok: NDArray[np.bool_], disease: str
) -> dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]:
    series: dict[str, NDArray[np.float64]] = {}
    score = ACTIVITY_SCORE.get(disease)
    if score is not None:
        # a score the module cannot build is simply not plotted
        with contextlib.suppress(InvalidInputError):
            series[f"score:{score}"] = view.series(score)
    rows = np.flatnonzero(ok)
    for k, v in sim.readouts.items():  # type: ignore[attr-defined]
        series[f"readout:{k}"] = v[rows]
    for k, v in sim.cytokines.items():  # type: ignore[attr-defined]
        series[f"cytokine:{k}"] = v[rows]
    for k, v in sim.concentrations.items():  # type: ignore[attr-defined]
        series[f"concentration:{k}"] = v[rows]
    out = {}
    for name, x in series.items():
        x = np.asarray(x, dtype=float)
        finite = np.isfinite(x)
        xz = np.where(finite, x, 0.0)
        out[name] = (xz.sum(axis=0), (xz * xz).sum(axis=0), finite.sum(axis=0).astype(float))
    return out
