"""Containers: the parameters of a batch of virtual patients, and what a simulation returns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["STATUS_MESSAGES", "ParameterSet", "SimulationResult"]

#: Solver status codes per virtual patient, with what to do about them.
STATUS_MESSAGES = {
    0: "ok",
    1: "step budget exhausted: raise SolverOptions.max_steps or check for extreme parameters",
    2: "non-finite derivative: a parameter draw is outside the model's domain (check bounds)",
    3: "step size underflow: the trajectory is too stiff for these parameters (loosen rtol)",
}


class ParameterSet(Mapping[str, NDArray[np.float64]]):
    """Parameters of ``n`` virtual patients: name → array of shape ``(n,)``.

    Pathway weights are ordinary entries ``w_<pathway>``; :attr:`pathway_weights` returns them as
    an ``(n, k)`` matrix in the order of :attr:`pathways`.
    """

    def __init__(
        self, values: Mapping[str, NDArray[np.float64]], pathways: tuple[str, ...]
    ) -> None:
        arrays = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in values.items()}
        sizes = {a.shape[0] for a in arrays.values()}
        if len(sizes) > 1:
            raise ValueError(f"parameter arrays differ in length: {sorted(sizes)}")
        self._values = arrays
        self.pathways = tuple(pathways)
        self.n = sizes.pop() if sizes else 0

    def __getitem__(self, key: str) -> NDArray[np.float64]:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def pathway_weights(self) -> NDArray[np.float64]:
        """``(n, k)`` pathway weights, columns in :attr:`pathways` order."""
        return np.stack([self._values[f"w_{p}"] for p in self.pathways], axis=1)

    def subset(self, rows: NDArray[np.int64] | slice) -> ParameterSet:
        """The parameters of some patients (e.g. those accepted on baseline)."""
        return ParameterSet({k: v[rows] for k, v in self._values.items()}, self.pathways)

    def with_values(self, **values: float | NDArray[np.float64]) -> ParameterSet:
        """A copy with some parameters replaced (scalars broadcast to all patients)."""
        new = dict(self._values)
        for k, v in values.items():
            if k not in new:
                raise KeyError(f"unknown parameter {k!r}")
            new[k] = np.broadcast_to(np.asarray(v, dtype=float), (self.n,)).copy()
        return ParameterSet(new, self.pathways)


@dataclass
class SimulationResult:
    """Trajectories of a batch of virtual patients under one regimen.

    Attributes
    ----------
    times_week
        Sample times (weeks), shape ``(t,)``.
    states
        Model state → ``(n, t)`` (normalised immune states, damage, β-cell mass …).
    cytokines
        Cytokine signal → ``(n, t)`` (1 = the patient's untreated baseline).
    signals
        Other algebraic quantities (pathway signals, drive, infection hazard …) → ``(n, t)``.
    concentrations
        Agent → plasma concentration ``(n, t)`` in mg/L (cells for cell therapies).
    effect_site
        Agent → effect-site concentration ``(n, t)`` in mg/L, for the agents whose actions
        follow an effect compartment (``pk.effect_compartment_half_life``; e.g. methotrexate).
    readouts
        Clinical read-out key (``contracts/patient-record.md`` observation keys) → ``(n, t)``.
    events
        Event name → list (one per patient) of event times in weeks.
    status
        Solver status per patient (0 ok; see :data:`STATUS_MESSAGES`); failed patients have NaN
        trajectories and do not affect the others.
    ada
        Agent → whether the patient formed anti-drug antibodies; ``ada_onset_week`` their onset.
    notes
        Assumptions used for this run (knowledge-base fallbacks, default covariates …).
    """

    times_week: NDArray[np.float64]
    states: dict[str, NDArray[np.float64]]
    cytokines: dict[str, NDArray[np.float64]]
    signals: dict[str, NDArray[np.float64]]
    concentrations: dict[str, NDArray[np.float64]]
    readouts: dict[str, NDArray[np.float64]]
    events: dict[str, list[NDArray[np.float64]]]
    status: NDArray[np.int64]
    patient_index: NDArray[np.int64]
    ada: dict[str, NDArray[np.bool_]] = field(default_factory=dict)
    effect_site: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    ada_onset_week: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    n_steps: NDArray[np.int64] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.status.shape[0])

    @property
    def ok(self) -> NDArray[np.bool_]:
        return np.asarray(self.status == 0)

    @property
    def status_messages(self) -> list[str]:
        """One message per patient (``"ok"`` or what went wrong and how to fix it)."""
        return [STATUS_MESSAGES.get(int(s), f"status {int(s)}") for s in self.status]

    def event_counts(self, name: str, by_week: float | None = None) -> NDArray[np.int64]:
        """Number of events ``name`` per patient (up to ``by_week`` if given)."""
        lists = self.events[name]
        if by_week is None:
            return np.array([len(e) for e in lists], dtype=np.int64)
        return np.array([int(np.sum(e <= by_week)) for e in lists], dtype=np.int64)
