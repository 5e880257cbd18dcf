"""Which pathway multipliers a disease's calibration trials can identify.

Why: stage 2 (:func:`._fit.fit_pathway_multipliers`) reweights the virtual cohort by pathway.
Pathway weights are renormalised per patient, so raising the multiplier of a pathway that no
calibration arm acts on is a cheap way to *lower* the share of the pathways the arms do act on.
With Crohn's disease calibrated on one ustekinumab trial, v19's stage 2 put the gut-trafficking
multiplier at its bound (×4.48): it bought about one point on UNITI-1 and moved every unseen
homing blocker by ten. The trials say how much the targeted pathways matter; they say nothing
about *which* untargeted pathway takes up the rest. So only the multipliers of pathways an arm
acts on directly are fitted, and the others keep the knowledge-base prior (multiplier 1): an
unseen agent on an untargeted pathway then follows its pharmacology and the prior alone.

"Directly" is read from the agents' knowledge-base actions. A process whose own cytokine, cell
pool or integrin *is* a pathway's signal (``PATHWAY_SIGNALS`` in :mod:`immunobalance.model.core`)
targets that pathway — TNF blockade targets ``tnf``, not the IL-6 and IL-1 it lowers downstream,
which the rows see only through the network; a process
that acts across the network (JAK kinases, antiproliferatives, glucocorticoids, T-cell depletion,
checkpoints, interferon-β, …) is not mapped, and any arm using one frees every multiplier, as
before — its effect moves all pathways at once, so the trials then inform all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from immunobalance.knowledge.loader import KnowledgeBase
from immunobalance.population._rows import CalibrationRow

__all__ = ["DIRECT_PATHWAYS", "identified_pathways"]

#: Knowledge-base process → the pathways whose signal is its own target (model structure:
#: ``PATHWAY_SIGNALS`` and the cytokine assignments of :mod:`immunobalance.model.core`).
DIRECT_PATHWAYS: dict[str, frozenset[str]] = {
    "tnf": frozenset({"tnf"}),
    "il6": frozenset({"il6"}),
    "il1": frozenset({"il1"}),
    "il17": frozenset({"il17"}),
    "il12": frozenset({"il12"}),
    "il23": frozenset({"il23"}),
    "ifn_i": frozenset({"ifn_i"}),
    "baff": frozenset({"b_cell"}),
    "b_cells": frozenset({"b_cell"}),
    "plasma_cells": frozenset({"autoantibody"}),
    "costimulation": frozenset({"t_cell_costimulation"}),
    "trafficking_cns": frozenset({"cns_trafficking"}),
    "trafficking_gut": frozenset({"gut_trafficking"}),
    # PDE4 lowers TNF, IL-23 and IL-17 production and the innate signal (core pde4_f)
    "pde4": frozenset({"tnf", "il23", "il17", "innate"}),
    # SYK: B-cell receptor and Fc-receptor signalling (core fc_f and B-cell rate)
    "syk": frozenset({"b_cell", "autoantibody"}),
}


def identified_pathways(
    rows: Iterable[CalibrationRow], kb: KnowledgeBase, pathways: Iterable[str]
) -> frozenset[str]:
    """The pathways (of ``pathways``) whose multipliers the calibration ``rows`` identify.

    Every agent of every arm counts (a background an arm continues is listed in its regimen).
    A treatment-history course (:mod:`._history`) does not: it decides who enters the cohort,
    while the rows measure what the arms' agents do to it. All of ``pathways`` when any agent
    acts through a process without a direct pathway.
    """
    every = frozenset(pathways)
    agents = {str(item["agent"]) for r in rows for item in r.regimen}
    found: set[str] = set()
    for key in sorted(agents):
        for action in kb.agent(key).actions:
            direct = DIRECT_PATHWAYS.get(action.process)
            if direct is None:
                return every
            found |= direct
    return frozenset(found) & every
