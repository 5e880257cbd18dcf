"""The model as data: states, parameters, assignments and rate equations, declared once.

A :class:`Declaration` is what a disease module builds (core immune network + its organ
states); simulators and exporters take it as input (PySB style): the numba kernel is generated
from it (:mod:`immunobalance.model._codegen`), so is the SBML export (:mod:`.sbml`) and the
reference tables of ``docs/model.md`` (:mod:`.docs`). Every parameter carries a unit, a typical
value, a prior for virtual patients, bounds and a source.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special

from immunobalance.model._formula import FUNCTIONS, Formula, FormulaError

__all__ = [
    "Assignment",
    "Declaration",
    "DeclarationError",
    "Parameter",
    "Prior",
    "Rate",
    "State",
]

PriorKind = Literal["fixed", "lognormal", "normal", "logitnormal", "uniform"]


class DeclarationError(ValueError):
    """The model declaration is inconsistent (undefined name, cycle, duplicate, bad prior)."""


@dataclass(frozen=True)
class Prior:
    """Between-patient distribution of a parameter.

    ``lognormal``: median = typical value, ``cv`` = coefficient of variation
    (σ = √ln(1+cv²)); ``normal``: mean = typical, ``sd``; ``logitnormal``: for fractions,
    logit(x) ~ N(logit(typical), sd); ``uniform``: on [low, high]; ``fixed``: typical for all.
    Bounds truncate the distribution (drawn by inverse CDF on the truncated range, never clipped).
    """

    kind: PriorKind = "fixed"
    cv: float | None = None
    sd: float | None = None

    def describe(self, typical: float) -> str:
        if self.kind == "fixed":
            return "fixed"
        if self.kind == "lognormal":
            return f"lognormal, median {typical:g}, CV {self.cv:g}"
        if self.kind == "normal":
            return f"normal, mean {typical:g}, SD {self.sd:g}"
        if self.kind == "logitnormal":
            return f"logit-normal, median {typical:g}, SD(logit) {self.sd:g}"
        return "uniform on bounds"


@dataclass(frozen=True)
class Parameter:
    """A model parameter: meaning, unit, typical value, prior, bounds, source."""

    name: str
    value: float
    unit: str
    meaning: str
    source: str
    prior: Prior = Prior()
    low: float = 0.0
    high: float = math.inf
    group: str = "core"

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise DeclarationError(f"parameter name {self.name!r} is not an identifier")
        if not (self.low <= self.value <= self.high):
            raise DeclarationError(
                f"parameter {self.name}: typical value {self.value} outside bounds "
                f"[{self.low}, {self.high}]"
            )
        p = self.prior
        if p.kind == "lognormal" and (p.cv is None or p.cv <= 0 or self.value <= 0):
            raise DeclarationError(f"parameter {self.name}: lognormal needs cv > 0, value > 0")
        if p.kind in ("normal", "logitnormal") and (p.sd is None or p.sd <= 0):
            raise DeclarationError(f"parameter {self.name}: {p.kind} prior needs sd > 0")
        if p.kind == "logitnormal" and not (0 < self.value < 1):
            raise DeclarationError(f"parameter {self.name}: logitnormal needs 0 < value < 1")
        if p.kind == "uniform" and not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise DeclarationError(f"parameter {self.name}: uniform prior needs finite bounds")

    def sample(self, uniforms: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map uniforms in (0, 1) to draws of this parameter (inverse CDF, truncated to bounds)."""
        u = np.asarray(uniforms, dtype=float)
        p = self.prior
        if p.kind == "fixed":
            return np.full(u.shape, self.value)
        if p.kind == "uniform":
            return self.low + (self.high - self.low) * u
        if p.kind == "lognormal":
            assert p.cv is not None
            sigma = math.sqrt(math.log1p(p.cv**2))
            mu = math.log(self.value)
            lo = -np.inf if self.low <= 0 else (math.log(self.low) - mu) / sigma
            hi = np.inf if not math.isfinite(self.high) else (math.log(self.high) - mu) / sigma
            z = _truncated_normal(u, lo, hi)
            return np.asarray(np.exp(mu + sigma * z))
        if p.kind == "normal":
            assert p.sd is not None
            lo = (self.low - self.value) / p.sd if math.isfinite(self.low) else -np.inf
            hi = (self.high - self.value) / p.sd if math.isfinite(self.high) else np.inf
            return np.asarray(self.value + p.sd * _truncated_normal(u, lo, hi))
        assert p.sd is not None
        mu = special.logit(self.value)
        lo = (special.logit(self.low) - mu) / p.sd if self.low > 0 else -np.inf
        hi = (special.logit(self.high) - mu) / p.sd if self.high < 1 else np.inf
        return np.asarray(special.expit(mu + p.sd * _truncated_normal(u, lo, hi)))


def _truncated_normal(u: NDArray[np.float64], lo: float, hi: float) -> NDArray[np.float64]:
    a, b = special.ndtr(lo), special.ndtr(hi)
    return np.asarray(special.ndtri(a + (b - a) * u))


@dataclass(frozen=True)
class State:
    """A dynamic state: name, unit, meaning, initial value (a formula over parameters)."""

    name: str
    unit: str
    meaning: str
    initial: str = "1"
    group: str = "core"


@dataclass(frozen=True)
class Assignment:
    """An algebraic (quasi-steady-state) quantity, recomputed at every time point."""

    name: str
    formula: str
    unit: str
    meaning: str
    source: str = "model structure"
    group: str = "core"
    output: Literal["cytokine", "internal", "signal"] = "internal"


@dataclass(frozen=True)
class Rate:
    """The rate equation d(state)/dt = formula (per day), with a justification."""

    state: str
    formula: str
    meaning: str
    source: str = "model structure"


@dataclass(frozen=True)
class Declaration:
    """A complete model: the single source for the kernel, the SBML export and the docs.

    Parameters
    ----------
    name
        Model name (disease key).
    states, parameters, assignments, rates
        The model. ``assignments`` may refer to states, parameters, other assignments and the
        pharmacodynamic engagement names (:data:`external`); they are topologically sorted.
    external
        Names provided by the pharmacology layer at run time (``inh_<process>``,
        ``dep_<process>``, ``act_<process>``, ``inf_<process>``), with their meaning.
    """

    name: str
    states: tuple[State, ...]
    parameters: tuple[Parameter, ...]
    assignments: tuple[Assignment, ...]
    rates: tuple[Rate, ...]
    external: Mapping[str, str] = field(default_factory=dict)

    # -- lookups ---------------------------------------------------------------------------
    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.states]

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def rate_of(self, state: str) -> Rate:
        for r in self.rates:
            if r.state == state:
                return r
        raise KeyError(state)

    # -- editing (modules build on the core) -----------------------------------------------
    def extended(
        self,
        *,
        states: Iterable[State] = (),
        parameters: Iterable[Parameter] = (),
        assignments: Iterable[Assignment] = (),
        rates: Iterable[Rate] = (),
        replace_parameters: Mapping[str, Mapping[str, object]] | None = None,
        replace_assignments: Iterable[Assignment] = (),
        replace_rates: Iterable[Rate] = (),
        name: str | None = None,
    ) -> Declaration:
        """A new declaration with added items and replaced parameter fields / equations."""
        params = list(self.parameters) + list(parameters)
        if replace_parameters:
            known = {p.name for p in params}
            missing = set(replace_parameters) - known
            if missing:
                raise DeclarationError(f"cannot replace unknown parameters {sorted(missing)}")
            params = [
                replace(p, **replace_parameters[p.name]) if p.name in replace_parameters else p  # type: ignore[arg-type]
                for p in params
            ]
        new_assign = {a.name: a for a in replace_assignments}
        missing_a = set(new_assign) - {a.name for a in self.assignments}
        if missing_a:
            raise DeclarationError(f"cannot replace unknown assignments {sorted(missing_a)}")
        assigns = [new_assign.get(a.name, a) for a in self.assignments] + list(assignments)
        new_rates = {r.state: r for r in replace_rates}
        rates_ = [new_rates.get(r.state, r) for r in self.rates] + list(rates)
        return Declaration(
            name=name or self.name,
            states=self.states + tuple(states),
            parameters=tuple(params),
            assignments=tuple(assigns),
            rates=tuple(rates_),
            external=dict(self.external),
        )

    # -- checks ----------------------------------------------------------------------------
    def validated(self) -> Declaration:
        """Check names, formulas, and order assignments topologically; all problems at once."""
        problems: list[str] = []
        seen: dict[str, str] = {}
        for kind, names in (
            ("state", self.state_names),
            ("parameter", self.parameter_names),
            ("assignment", [a.name for a in self.assignments]),
            ("external", list(self.external)),
        ):
            for n in names:
                if n in seen:
                    problems.append(f"{kind} {n!r} duplicates a {seen[n]}")
                seen[n] = kind
                if n in FUNCTIONS or n in ("t", "time"):
                    problems.append(f"{kind} {n!r} shadows a reserved name")
        rate_states = [r.state for r in self.rates]
        for s in self.state_names:
            if rate_states.count(s) != 1:
                problems.append(f"state {s!r} has {rate_states.count(s)} rate equations (need 1)")
        for r in rate_states:
            if r not in self.state_names:
                problems.append(f"rate for unknown state {r!r}")
        defined = set(seen)
        param_names = set(self.parameter_names)

        def check(text: str, where: str, allowed: set[str]) -> set[str]:
            try:
                names = Formula(text).names()
            except FormulaError as exc:
                problems.append(f"{where}: {exc}")
                return set()
            for n in sorted(names - allowed):
                problems.append(f"{where}: unknown name {n!r}")
            return names & allowed

        for st in self.states:
            check(st.initial, f"initial({st.name})", param_names)
        deps: dict[str, set[str]] = {}
        assign_names = {a.name for a in self.assignments}
        for asg in self.assignments:
            deps[asg.name] = check(asg.formula, f"assignment {asg.name}", defined) & assign_names
        for rate in self.rates:
            check(rate.formula, f"rate {rate.state}", defined)
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(n: str, stack: tuple[str, ...]) -> None:
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                problems.append(f"assignments form a cycle: {' -> '.join((*stack, n))}")
                return
            state[n] = 1
            for d in sorted(deps.get(n, ())):
                visit(d, (*stack, n))
            state[n] = 2
            order.append(n)

        for a in self.assignments:
            visit(a.name, ())
        if problems:
            raise DeclarationError(
                f"model {self.name!r} is inconsistent:\n" + "\n".join(f"  {p}" for p in problems)
            )
        by_name = {a.name: a for a in self.assignments}
        return replace(self, assignments=tuple(by_name[n] for n in order))

    def signature(self) -> str:
        """A stable text of the whole declaration (hashed to key the compiled kernel)."""
        parts = [self.name]
        parts += [f"S {s.name} {s.initial}" for s in self.states]
        parts += [f"P {p.name}" for p in self.parameters]
        parts += [f"A {a.name} = {a.formula}" for a in self.assignments]
        parts += [f"R {r.state} = {r.formula}" for r in self.rates]
        parts += [f"X {x}" for x in self.external]
        return "\n".join(parts)
