"""Regimens: what is given, how much, by which route, and when.

A regimen is a list of :class:`RegimenItem` in the trial-spec form (``contracts/trial-spec.md``),
shared by trial specs, regimen files, patient medication histories and recommendations. Items are
validated once, here; the engine receives concrete dosing events (:class:`DosingEvents`) with the
dose resolved per virtual patient (``mg/kg`` by weight, ``mg/m2`` by body-surface area).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pint
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from immunobalance.errors import InvalidSpecError, Problem
from immunobalance.units import UnitError, parse_quantity, ureg

__all__ = [
    "DoseBasis",
    "DosingEvents",
    "RegimenItem",
    "Route",
    "body_surface_area_m2",
    "dosing_events",
    "parse_regimen",
    "regimen_label",
]

Route = Literal["iv", "sc", "oral", "im"]
DoseBasis = Literal["mass", "per_kg", "per_m2", "cells", "iu", "per_kg_cells"]

_HOURS_PER_WEEK = 168.0


class RegimenItem(BaseModel):
    """One line of a regimen: an agent, a dose, a route, and either an interval or fixed weeks.

    Parameters
    ----------
    agent
        Agent key of the knowledge base (INN, lower case, underscores).
    dose
        Quantity with unit: ``"40 mg"``, ``"8 mg/kg"`` (per kg of body weight), ``"1030 ug/m2"``
        (per m² body-surface area), ``"1e9 cells"`` (cell therapy) or ``"1 MIU"`` (IU-dosed agents).
    route
        ``iv``, ``sc``, ``oral`` (or ``im`` for intramuscular agents).
    every
        Dosing interval (``"2 weeks"``, ``"12 hours"``) from ``start_week`` until ``until_week`` or
        the end of the simulation. Mutually exclusive with ``at_weeks``.
    at_weeks
        Explicit dose times in weeks (fractional weeks allowed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str = Field(min_length=1)
    dose: str
    route: Route
    every: str | None = None
    at_weeks: tuple[float, ...] | None = None
    start_week: float = Field(default=0.0, ge=0.0)
    until_week: float | None = Field(default=None, ge=0.0)

    @field_validator("agent")
    @classmethod
    def _agent_key(cls, value: str) -> str:
        if value != value.strip().lower() or " " in value:
            raise ValueError(
                f"{value!r} is not an agent key (INN in lower case with underscores, "
                "e.g. 'certolizumab_pegol')"
            )
        return value

    @field_validator("dose")
    @classmethod
    def _dose_quantity(cls, value: str) -> str:
        _dose_basis(value)  # raises ValueError with the reason
        return value

    @field_validator("every")
    @classmethod
    def _interval(cls, value: str | None) -> str | None:
        if value is not None:
            interval_hours(value)
        return value

    @field_validator("at_weeks")
    @classmethod
    def _weeks(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("at_weeks is empty (give at least one week, e.g. [0])")
            bad = [w for w in value if not math.isfinite(w) or w < 0]
            if bad:
                raise ValueError(f"at_weeks must be non-negative finite weeks, got {bad}")
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> RegimenItem:
        if (self.every is None) == (self.at_weeks is None):
            raise ValueError(
                "give exactly one of 'every' (e.g. every = \"2 weeks\") or 'at_weeks' "
                "(e.g. at_weeks = [0, 2, 6])"
            )
        if self.at_weeks is not None and (self.start_week or self.until_week is not None):
            raise ValueError("start_week/until_week apply to 'every', not to 'at_weeks'")
        if self.until_week is not None and self.until_week <= self.start_week:
            raise ValueError(
                f"until_week ({self.until_week}) must be after start_week ({self.start_week})"
            )
        return self

    @property
    def dose_basis(self) -> DoseBasis:
        """How the dose scales with the patient (absolute mass, per kg, per m², cells, IU)."""
        return _dose_basis(self.dose)[0]

    @property
    def dose_value(self) -> float:
        """Dose magnitude in the canonical unit of its basis (mg, mg/kg, mg/m², cells, IU)."""
        return _dose_basis(self.dose)[1]

    def dose_times_weeks(self, horizon_weeks: float) -> NDArray[np.float64]:
        """Dose times in weeks within ``[0, horizon_weeks]`` (the horizon itself included)."""
        if self.at_weeks is not None:
            times = np.asarray(sorted(self.at_weeks), dtype=float)
        else:
            step = interval_hours(self.every or "") / _HOURS_PER_WEEK
            end = horizon_weeks if self.until_week is None else min(self.until_week, horizon_weeks)
            # doses at start, start+step, ... strictly before until_week (a course "until week 2"
            # of daily doses gives 14 doses), and up to the horizon when open-ended.
            n = math.floor((end - self.start_week) / step + 1e-9)
            if self.until_week is None:
                n += 1
            times = self.start_week + step * np.arange(max(n, 0), dtype=float)
        return times[times <= horizon_weeks + 1e-12]

    def label(self) -> str:
        """Human-readable one-liner, e.g. ``adalimumab 40 mg sc every 2 weeks``."""
        when = f"every {self.every}" if self.every else f"at weeks {list(self.at_weeks or [])}"
        if self.every and self.start_week:
            when += f" from week {self.start_week:g}"
        if self.every and self.until_week is not None:
            when += f" until week {self.until_week:g}"
        return f"{self.agent} {self.dose} {self.route} {when}"


def interval_hours(text: str) -> float:
    """Interval text (``"2 weeks"``, ``"12 hours"``, ``"3.5 days"``) in hours; ValueError if not."""
    try:
        q = parse_quantity(text)
        hours = float(q.to(ureg.hour).magnitude)
    except (UnitError, pint.errors.DimensionalityError) as exc:
        raise ValueError(
            f"{text!r} is not an interval (expected a time such as '2 weeks' or '12 hours')"
        ) from exc
    if not hours > 0:
        raise ValueError(f"interval {text!r} must be positive")
    return hours


def _dose_basis(text: str) -> tuple[DoseBasis, float]:
    """Classify a dose quantity and express it in the canonical unit of its basis."""
    raw = str(text).strip()
    lowered = raw.lower()
    for word, basis in (("cells/kg", "per_kg_cells"), ("cells", "cells")):
        if lowered.endswith(word):
            number = raw[: -len(word)].strip()
            try:
                value = float(number)
            except ValueError as exc:
                raise ValueError(
                    f"{text!r} is not a cell dose (expected e.g. '1e9 cells')"
                ) from exc
            if value <= 0:
                raise ValueError(f"dose {text!r} must be positive")
            return basis, value  # type: ignore[return-value]
    if lowered.endswith("miu") or lowered.endswith(" iu"):
        factor = 1e6 if lowered.endswith("miu") else 1.0
        number = raw[: -3 if factor > 1 else -2].strip()
        try:
            value = float(number) * factor
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an IU dose (expected e.g. '1 MIU')") from exc
        if value <= 0:
            raise ValueError(f"dose {text!r} must be positive")
        return "iu", value
    try:
        q = parse_quantity(raw)
    except UnitError as exc:
        raise ValueError(
            f"{text!r} is not a dose (expected e.g. '40 mg', '8 mg/kg', '1030 ug/m2')"
        ) from exc
    if q.magnitude <= 0:
        raise ValueError(f"dose {text!r} must be positive")
    for basis, unit in (("mass", "mg"), ("per_kg", "mg/kg"), ("per_m2", "mg/m**2")):
        if (
            q.check(ureg.parse_units(unit).dimensionality)
            and q.units.dimensionality == ureg.parse_units(unit).dimensionality
        ):
            return basis, float(q.to(unit).magnitude)  # type: ignore[return-value]
    raise ValueError(
        f"{text!r} has unit {q.units:~} which is not a dose unit "
        "(expected mass, mass per kg, mass per m², cells or IU)"
    )


def body_surface_area_m2(
    weight_kg: NDArray[np.float64], height_cm: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Body-surface area by Mosteller's formula, BSA = sqrt(height_cm × weight_kg / 3600).

    Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 1987;317:1098.
    """
    return np.sqrt(np.asarray(height_cm, float) * np.asarray(weight_kg, float) / 3600.0)


@dataclass(frozen=True)
class DosingEvents:
    """Concrete doses of one agent by one route, for a batch of patients.

    Attributes
    ----------
    agent, route
        Which agent and how it is given.
    times_day
        Dose times in days since the start of treatment, sorted, shape ``(n_doses,)``.
    amount
        Dose per event, per patient, shape ``(n_patients,)``, in ``amount_unit``.
    amount_unit
        ``"mg"``, ``"cells"`` or ``"IU"``.
    """

    agent: str
    route: Route
    times_day: NDArray[np.float64]
    amount: NDArray[np.float64]
    amount_unit: Literal["mg", "cells", "IU"]


def dosing_events(
    regimen: Sequence[RegimenItem],
    horizon_weeks: float,
    weight_kg: NDArray[np.float64],
    height_cm: NDArray[np.float64] | None = None,
) -> list[DosingEvents]:
    """Resolve a regimen into dosing events for each patient of a batch.

    Parameters
    ----------
    regimen
        Validated regimen items.
    horizon_weeks
        Simulation length; doses after it are dropped.
    weight_kg
        Body weight per patient (kg), shape ``(n,)``.
    height_cm
        Height per patient (cm); needed only for ``mg/m2`` doses (body-surface area).

    Raises
    ------
    InvalidSpecError
        If a ``mg/m2`` dose is given without heights.
    """
    weight = np.atleast_1d(np.asarray(weight_kg, dtype=float))
    events: list[DosingEvents] = []
    for i, item in enumerate(regimen):
        basis, value = item.dose_basis, item.dose_value
        unit: Literal["mg", "cells", "IU"] = "mg"
        if basis == "mass":
            amount = np.full_like(weight, value)
        elif basis == "per_kg":
            amount = value * weight
        elif basis == "per_m2":
            if height_cm is None:
                raise InvalidSpecError(
                    [Problem(f"regimen[{i}].dose", f"{item.dose!r} needs patient heights (BSA)")]
                )
            amount = value * body_surface_area_m2(weight, np.asarray(height_cm, float))
        elif basis == "cells":
            amount, unit = np.full_like(weight, value), "cells"
        elif basis == "per_kg_cells":
            amount, unit = value * weight, "cells"
        else:
            amount, unit = np.full_like(weight, value), "IU"
        times = item.dose_times_weeks(horizon_weeks) * 7.0
        if times.size:
            events.append(DosingEvents(item.agent, item.route, times, amount, unit))
    return events


def parse_regimen(items: Any, *, path: str = "regimen") -> list[RegimenItem]:
    """Validate a regimen given as a list of mappings; report every problem with its path.

    Raises
    ------
    InvalidSpecError
        Listing each problem as ``regimen[1].dose: '40 mgs' is not a dose ...``.
    """
    if not isinstance(items, Sequence) or isinstance(items, str | bytes):
        raise InvalidSpecError([Problem(path, f"expected a list of regimen items, got {items!r}")])
    problems: list[Problem] = []
    parsed: list[RegimenItem] = []
    for i, raw in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(where, f"expected a table/object, got {raw!r}"))
            continue
        try:
            parsed.append(RegimenItem.model_validate(dict(raw)))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, where))
    if problems:
        raise InvalidSpecError(problems, what="regimen")
    return parsed


def _pydantic_problems(exc: ValidationError, prefix: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        problems.append(Problem(f"{prefix}{loc}", msg))
    return problems


def regimen_label(regimen: Sequence[RegimenItem]) -> str:
    """One line naming a whole regimen (``placebo`` when empty)."""
    return " + ".join(item.label() for item in regimen) if regimen else "placebo"
