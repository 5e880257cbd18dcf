"""Treatment-history selection: populations defined by the failure of an advanced therapy.

Why: a TNF-inadequate-responder population (RA ``tnf_ir``, UC/Crohn's ``moderate_severe_tnf_ir``)
is not a random draw of the disease. Its patients were *selected* by their non-response to a
TNF inhibitor, and what made them fail — disease less dependent on TNF, an effector loop far from
its switch, little expectation response — also shapes how they respond to the next agent. Allen,
Rieger & Musante (CPT Pharmacometrics Syst Pharmacol 2016;5:140-6) accept virtual patients on
every observable that defines the population; treatment history is one. So each candidate that
passes the baseline acceptance is simulated on a label regimen of the failed class (one of the
class's agents approved for the disease, drawn per candidate: trial patients failed different
agents) over the disease's primary endpoint, scored by the same endpoint code as any trial, and
kept with the probability that such a patient *records* a failure — the twin's
:data:`~immunobalance.twin._measurement.TREATMENT_HISTORY` model, so a population and a patient
with the same history are conditioned the same way:

    P(keep) = (1 − f) + f · P(failure | simulated response) / P(failure | non-response)

``f`` is the population's published fraction with that history (``PRIOR_TNF_FRACTION``; 1 when
the class is an inclusion criterion without a published fraction). Only advanced-therapy classes
(biologics, targeted synthetics) select this way; a conventional failure (methotrexate,
thiopurines) is represented by the background run-in (:mod:`immunobalance.model.run_in`).

The prior course is simulated with its own noise and PK draws (patient indices offset from every
trial index), so the selection does not reuse the visit noise the trial will see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.model import ParameterSet
from immunobalance.model import random as rnd
from immunobalance.model.diseases.base import DiseaseModule

__all__ = ["HISTORY_FRACTION_KEYS", "FailedClass", "failed_classes", "history_keep_probability"]

#: Published baseline key giving the fraction of a population that failed an agent class.
HISTORY_FRACTION_KEYS = {"tnf_inhibitor": "PRIOR_TNF_FRACTION"}
#: Prior courses use patient indices far from any trial's or pilot's (independent draws).
_HISTORY_OFFSET = 1 << 42


@dataclass(frozen=True)
class FailedClass:
    """An advanced-therapy class a population failed before entry, and how it was given."""

    drug_class: str
    fraction: float
    #: (agent key, label regimen items) of the class's agents approved for the disease.
    regimens: tuple[tuple[str, tuple[dict[str, object], ...]], ...]


def failed_classes(disease: str, population: str, kb: KnowledgeBase) -> list[FailedClass]:
    """The advanced-therapy classes whose failure defines (part of) ``population``."""
    from immunobalance.safety._select import is_advanced_therapy

    pop = kb.population(disease, population)
    background = {str(i.get("agent")) for i in pop.background_therapy}
    wanted = list(dict.fromkeys([*pop.prior_therapy, *HISTORY_FRACTION_KEYS]))
    out: list[FailedClass] = []
    for cls in wanted:
        key = HISTORY_FRACTION_KEYS.get(cls)
        row = pop.baseline.get(key) if key is not None else None
        if row is not None and row.fraction is not None:
            fraction = float(row.fraction)
        elif cls in pop.prior_therapy:
            fraction = 1.0
        else:
            continue
        agents = sorted(
            (a for a in kb.agents.values() if a.drug_class == cls and a.key not in background),
            key=lambda a: a.key,
        )
        regimens = []
        for a in agents:
            approval = a.approval_for(disease)
            if approval is None or approval.status != "approved" or not is_advanced_therapy(a):
                continue
            items, note = a.label_regimen(disease)
            if items and note is None:
                regimens.append((a.key, tuple(items)))
        if fraction > 0 and regimens:
            out.append(FailedClass(cls, fraction, tuple(regimens)))
    return out


def history_keep_probability(
    module: DiseaseModule,
    params: ParameterSet,
    covariates: Mapping[str, NDArray[np.float64]],
    cand: NDArray[np.int64],
    *,
    seed: int,
    population: str,
    classes: list[FailedClass],
    kb: KnowledgeBase,
) -> NDArray[np.float64]:
    """Probability of keeping each candidate given the population's treatment history."""
    from immunobalance.model.run_in import established_background, simulate_with_run_in
    from immunobalance.regimen import parse_regimen
    from immunobalance.trials.endpoints import ArmTrajectories, evaluate_endpoint
    from immunobalance.twin._endpoints import primary_endpoint
    from immunobalance.twin._measurement import TREATMENT_HISTORY

    endpoint = primary_endpoint(module.key, population)
    pop = kb.population(module.key, population)
    keep = np.ones(cand.shape[0])
    for cls in classes:
        u = rnd.uniforms(seed, f"history:{cls.drug_class}:agent", cand, [0])[:, 0]
        pick = np.minimum((u * len(cls.regimens)).astype(int), len(cls.regimens) - 1)
        favourable = np.full(cand.shape[0], np.nan)
        for j, (_, items) in enumerate(cls.regimens):
            rows = np.flatnonzero(pick == j)
            if rows.size == 0:
                continue
            regimen = parse_regimen([*items, *(dict(i) for i in pop.background_therapy)])
            established, run_in = established_background(pop, [regimen])
            sim = simulate_with_run_in(
                module,
                params.subset(rows),
                regimen,
                endpoint.week,
                established=established,
                run_in_weeks=run_in,
                sample_weeks=np.array([0.0, endpoint.week]),
                seed=seed,
                patient_index=cand[rows] + _HISTORY_OFFSET,
                covariates={k: v[rows] for k, v in covariates.items()},
            )
            ok = np.asarray(sim.ok)
            traj = ArmTrajectories(
                module.key,
                sim.times_week,
                sim.readouts,
                sim.events,
                np.full(rows.size, np.inf),  # a completed course: nobody stops early
                np.full(rows.size, -1, dtype=np.int8),
            ).rows(ok)
            value = evaluate_endpoint(traj, endpoint.code, endpoint.week).value
            if endpoint.favourable == "no_event":
                value = 1.0 - value
            favourable[rows[ok]] = value
        p_fail = np.where(
            favourable > 0.5,
            TREATMENT_HISTORY.failure_if_responder,
            TREATMENT_HISTORY.failure_if_nonresponder,
        )
        ratio = np.where(
            np.isfinite(favourable), p_fail / TREATMENT_HISTORY.failure_if_nonresponder, 1.0
        )
        keep *= (1.0 - cls.fraction) + cls.fraction * ratio
    return keep
