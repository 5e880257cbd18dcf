"""Run an in-silico trial: plan chunks, run them on a backend, reduce in chunk order, summarise.

Design (see ``docs/trials.md``):

* **Same patients on every arm.** Patient ``i`` of every arm is the same virtual patient (same
  parameters, covariates, visit noise and withdrawal draws); arms differ only by regimen. This is
  a randomised trial of one population seen under every arm (common random numbers): the
  difference between arms has no cohort-sampling noise, while each arm's interval is the one a
  real trial with that many patients per arm would report.
* **Deterministic in any layout.** Chunks have a fixed size, every draw is keyed on (seed, global
  patient index), and outcomes are reduced in (arm, chunk) order, so the JSON is bit-identical
  on the local and Dask backends and with any number of workers.
* **Nothing half-written.** Output files are written to a temporary directory next to ``--out``
  and renamed into place once complete (:mod:`.output`); Ctrl-C (``KeyboardInterrupt``, also from
  a progress callback) leaves no partial output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import immunobalance
from immunobalance.errors import InvalidSpecError, Problem
from immunobalance.trials.backends import Backend, make_backend
from immunobalance.trials.chunks import (
    DEFAULT_CHUNK_SIZE,
    ChunkOutcome,
    ChunkTask,
    plan_chunks,
    run_chunk,
)
from immunobalance.trials.cohort import VirtualCohortSource, default_cohort_source, disease_module
from immunobalance.trials.conduct import (
    TrialConduct,
    arm_ae_hazard_per_week,
    background_agents,
    default_trial_conduct,
)
from immunobalance.trials.endpoints import EVENT_NAMES, required_readouts
from immunobalance.trials.result import (
    ArmOutcomes,
    ArmResult,
    TrialResult,
    difference,
    discontinued_counts,
    endpoint_kind,
    estimate,
)
from immunobalance.trials.spec import Arm, TrialSpec

__all__ = ["ProgressCallback", "comparator_of", "is_placebo_arm", "run_trial", "visit_weeks"]

ProgressCallback = Callable[[float], None]

#: Weeks between scheduled visits (plus week 2, the endpoint weeks, 12-weekly EDSS visits and
#: efficacy-rule weeks).
VISIT_INTERVAL_WEEKS = 4.0

_EVENT_ENDPOINTS = {
    "SERIOUS_INFECTION": "serious_infection",
    "SERIOUS_INFECTION_ANY": "serious_infection",
    "ARR": "relapse",
    "RELAPSE_ANY": "relapse",
    "T1D_DIAGNOSED": "t1d_diagnosis",
}


def visit_weeks(spec: TrialSpec, conduct: TrialConduct) -> tuple[float, ...]:
    """Visit schedule: 0, 2, every 4 weeks, every 12 weeks, endpoint and rule weeks, the end."""
    w = spec.trial.weeks
    grid = {0.0, w}
    grid |= set(np.arange(0.0, w + 1e-9, VISIT_INTERVAL_WEEKS).tolist())
    grid |= set(np.arange(0.0, w + 1e-9, 12.0).tolist())
    if w >= 2:
        grid.add(2.0)
    grid |= set(spec.endpoints.at_weeks)
    grid |= {r.week for r in conduct.efficacy_rules if r.week <= w}
    return tuple(sorted(float(x) for x in grid))


def is_placebo_arm(arm: Arm, background: frozenset[str]) -> bool:
    """Contract: a placebo arm's regimen is empty or holds only background therapy."""
    return all(item.agent in background for item in arm.regimen)


def comparator_of(spec: TrialSpec, arm_index: int, background: frozenset[str]) -> str | None:
    """The arm's comparator: its ``comparator`` field, else the first placebo arm (not itself)."""
    arm = spec.arms[arm_index]
    if arm.comparator is not None:
        return arm.comparator
    if is_placebo_arm(arm, background):
        return None
    for other in spec.arms:
        if other.name != arm.name and is_placebo_arm(other, background):
            return other.name
    return None


def _preflight(spec: TrialSpec, cohort_source: VirtualCohortSource) -> None:
    """Simulate one patient briefly to check the module provides every read-out/event needed."""
    from immunobalance.model import simulate

    info = spec.trial
    module = disease_module(info.disease)
    cohort = cohort_source.draw(info.disease, info.population, np.array([0]), seed=info.seed)
    res = simulate(
        module,
        cohort.params,
        [],
        min(info.weeks, 1.0),
        sample_weeks=[0.0],
        seed=info.seed,
        patient_index=np.array([0]),
        covariates=cohort.covariates,
    )
    problems = []
    for j, code in enumerate(spec.endpoints.codes):
        missing = [k for k in required_readouts(code) if k not in res.readouts]
        if missing:
            problems.append(
                Problem(
                    f"endpoints.codes[{j}]",
                    f"{code} needs read-out(s) "
                    f"{', '.join(missing)}, which the {info.disease} model does "
                    "not simulate",
                )
            )
        kind = _EVENT_ENDPOINTS.get(code)
        if kind and not any(n in res.events for n in EVENT_NAMES[kind]):
            problems.append(
                Problem(
                    f"endpoints.codes[{j}]",
                    f"{code} needs {kind} events, which the {info.disease} model does not simulate",
                )
            )
    if problems:
        raise InvalidSpecError(problems)


def run_trial(
    spec: TrialSpec,
    *,
    backend: str | Backend = "local",
    progress: ProgressCallback | None = None,
    out_dir: Path | str | None = None,
    cohort_source: VirtualCohortSource | None = None,
    conduct: TrialConduct | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
) -> TrialResult:
    """Run the trial ``spec`` and return its result (optionally writing ``out_dir``).

    Parameters
    ----------
    spec
        A validated spec (:func:`~immunobalance.trials.load_trial_spec`).
    backend
        ``"local"`` (this process), ``"dask"`` (a Dask cluster: ``client``, ``scheduler``
        address, or a local cluster of ``n_workers`` processes), or a :class:`Backend`.
    progress
        Called with the fraction done (0–1) after each chunk; an exception it raises
        (``KeyboardInterrupt``) stops the run and nothing is written.
    out_dir
        Write the result JSON, per-patient Parquet, manifest and HTML report there
        (atomically; see :func:`~immunobalance.trials.output.write_trial_outputs`).
    cohort_source
        Where virtual patients come from (default: :func:`.cohort.default_cohort_source`).
    conduct
        Trial-conduct parameters (default: :func:`.conduct.default_trial_conduct`).
    chunk_size
        Patients per chunk; changes the work split, never a patient's outcome.

    Returns
    -------
    TrialResult
        ``.to_json()`` is the contract's result JSON; ``.outcomes`` the per-patient data.

    Raises
    ------
    InvalidSpecError
        If an endpoint needs a read-out or event the disease model does not simulate.
    InvalidInputError
        For an unknown or unavailable backend.
    """
    if chunk_size < 1:
        raise InvalidSpecError(
            [Problem("chunk_size", f"expected ≥ 1, got {chunk_size}")], what="trial run request"
        )
    runner = (
        backend
        if not isinstance(backend, str)
        else make_backend(backend, client=client, scheduler=scheduler, n_workers=n_workers)
    )
    info = spec.trial
    source = cohort_source if cohort_source is not None else default_cohort_source()
    rules = conduct if conduct is not None else default_trial_conduct(info.disease)
    background = background_agents(info.disease, info.population)
    visits = visit_weeks(spec, rules)
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.run_in import established_background

    established, run_in_weeks = established_background(
        load_knowledge_base().population(info.disease, info.population),
        [list(arm.regimen) for arm in spec.arms],
    )
    _preflight(spec, source)

    chunks = plan_chunks(info.n_per_arm, chunk_size)
    tasks = [
        ChunkTask(
            spec=spec,
            arm_index=a,
            chunk_index=c,
            start=s,
            stop=e,
            visit_weeks=visits,
            conduct=rules,
            ae_hazard_per_week=arm_ae_hazard_per_week(arm.regimen, background, rules),
            cohort_source=source,
            established=established,
            run_in_weeks=run_in_weeks,
        )
        for a, arm in enumerate(spec.arms)
        for c, (s, e) in enumerate(chunks)
    ]
    total = len(tasks)

    def done(k: int) -> None:
        if progress is not None:
            progress(k / total)

    if progress is not None:
        progress(0.0)
    outcomes = runner.map(run_chunk, tasks, done)
    arms = [
        _reduce([o for o in outcomes if o.arm_index == a], np.asarray(visits))
        for a in range(len(spec.arms))
    ]
    result = _summarise(spec, arms, background, source.calibration_version, rules.version)
    if out_dir is not None:
        from immunobalance.trials.output import write_trial_outputs

        write_trial_outputs(
            result,
            Path(out_dir),
            spec=spec,
            conduct=rules,
            backend=runner.name,
            chunk_size=chunk_size,
        )
    return result


def _reduce(chunks: list[ChunkOutcome], visits: np.ndarray) -> ArmOutcomes:
    """Concatenate per-patient arrays and add time-course sums, in chunk order."""
    chunks = sorted(chunks, key=lambda o: o.chunk_index)
    first = chunks[0]

    def cat(get: Callable[[ChunkOutcome], np.ndarray]) -> np.ndarray:
        return np.concatenate([get(o) for o in chunks])

    endpoints: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for key, (_, exp) in first.endpoints.items():
        values = np.concatenate([o.endpoints[key][0] for o in chunks])
        exposure = (
            np.concatenate([np.asarray(o.endpoints[key][1]) for o in chunks])
            if exp is not None
            else None
        )
        endpoints[key] = (values, exposure)
    timecourse = {}
    for code in first.timecourse:
        sums = np.sum([o.timecourse[code][0] for o in chunks], axis=0)
        counts = np.sum([o.timecourse[code][1] for o in chunks], axis=0)
        timecourse[code] = (sums, counts)
    trajectories: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for name in first.trajectories:
        parts = [o.trajectories[name] for o in chunks if name in o.trajectories]
        s0, s1, s2 = (np.sum([p[i] for p in parts], axis=0) for i in range(3))
        trajectories[name] = (s0, s1, s2)
    return ArmOutcomes(
        patient_index=cat(lambda o: o.patient_index),
        status=cat(lambda o: o.status),
        covariates={k: np.concatenate([o.covariates[k] for o in chunks]) for k in first.covariates},
        baseline={k: np.concatenate([o.baseline[k] for o in chunks]) for k in first.baseline},
        stop_week=cat(lambda o: o.stop_week),
        stop_reason=cat(lambda o: o.stop_reason),
        endpoints=endpoints,
        visit_weeks=visits,
        timecourse=timecourse,
        trajectories=trajectories,
        notes=sorted({n for o in chunks for n in o.notes}),
        solver_steps=sum(o.solver_steps for o in chunks),
    )


def _summarise(
    spec: TrialSpec,
    arms: list[ArmOutcomes],
    background: frozenset[str],
    calibration_version: str,
    conduct_version: str,
) -> TrialResult:
    keys = spec.endpoint_keys()
    names = [a.name for a in spec.arms]
    results = []
    for a, (arm, out) in enumerate(zip(spec.arms, arms, strict=True)):
        ok = out.status == 0
        endpoints = {
            k: estimate(endpoint_kind(k), *out.endpoints[k], code=k.split("@")[0]) for k in keys
        }
        comparator = comparator_of(spec, a, background)
        diffs = {}
        if comparator is not None:
            ref = arms[names.index(comparator)]
            diffs = {
                k: difference(
                    endpoint_kind(k),
                    k.split("@")[0],
                    out.endpoints[k],
                    ref.endpoints[k],
                    comparator,
                )
                for k in keys
            }
        results.append(
            ArmResult(
                name=arm.name,
                n=int(ok.sum()),
                endpoints=endpoints,
                regimen=[item.label() for item in arm.regimen],
                placebo=is_placebo_arm(arm, background),
                comparator=comparator,
                discontinued=discontinued_counts(out.stop_reason, ok),
                solver_failures=int((~ok).sum()),
                differences=diffs,
            )
        )
    result = TrialResult(
        trial=spec.trial.name,
        disease=spec.trial.disease,
        population=spec.trial.population,
        seed=spec.trial.seed,
        software_version=immunobalance.__version__,
        spec_sha256=spec.sha256,
        calibration_version=calibration_version,
        conduct_version=conduct_version,
        weeks=spec.trial.weeks,
        arms=results,
    )
    result._outcomes = arms
    result._notes = sorted({n for o in arms for n in o.notes})
    return result
