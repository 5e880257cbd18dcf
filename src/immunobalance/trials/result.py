"""The result of an in-silico trial: the contract's JSON, plus per-patient outcomes for writers.

:class:`TrialResult` *is* the contract form (``contracts/trial-spec.md``, "Result"): its
``model_dump`` is the JSON, extended with per-arm discontinuations and differences vs the
comparator. Floats are rounded to 6 significant digits so the JSON is identical on every
backend and platform. Per-patient outcomes and time courses ride along as private attributes
for the Parquet file and the HTML report.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, PrivateAttr

from immunobalance.trials import stats
from immunobalance.trials.conduct import DISCONTINUATION_REASONS
from immunobalance.trials.spec import ENDPOINT_CODES

__all__ = [
    "ArmOutcomes",
    "ArmResult",
    "Difference",
    "EndpointEstimate",
    "TrialResult",
    "estimate",
    "round_sig",
]

Kind = Literal["proportion", "mean", "rate"]


def round_sig(x: float | None, digits: int = 6) -> float | None:
    """``x`` to ``digits`` significant digits (None for NaN/None): the JSON's one rounding rule."""
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EndpointEstimate(_Model):
    """One ``CODE@WEEK`` of one arm: estimate and 95 % CI (contract form, plus counts)."""

    kind: Kind
    value: float | None
    ci95: tuple[float | None, float | None]
    n: int
    events: int | None = None
    patient_years: float | None = None
    method: str


class Difference(_Model):
    """Arm minus comparator for one ``CODE@WEEK`` (risk / mean / rate difference)."""

    vs: str
    kind: Kind
    value: float | None
    ci95: tuple[float | None, float | None]
    method: str


class ArmResult(_Model):
    name: str
    n: int
    endpoints: dict[str, EndpointEstimate]
    regimen: list[str]
    placebo: bool
    comparator: str | None
    discontinued: dict[str, int]
    solver_failures: int
    differences: dict[str, Difference] = {}


@dataclass
class ArmOutcomes:
    """Per-patient outcomes of one arm (concatenated over chunks in chunk order)."""

    patient_index: NDArray[np.int64]
    status: NDArray[np.int64]
    covariates: dict[str, NDArray[np.generic]]
    baseline: dict[str, NDArray[np.float64]]
    stop_week: NDArray[np.float64]
    stop_reason: NDArray[np.int8]
    endpoints: dict[str, tuple[NDArray[np.float64], NDArray[np.float64] | None]]
    visit_weeks: NDArray[np.float64]
    timecourse: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]]
    trajectories: dict[str, tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]]
    notes: list[str] = field(default_factory=list)
    solver_steps: int = 0


class TrialResult(_Model):
    """Result of :func:`~immunobalance.trials.run_trial` in the contract's JSON form."""

    trial: str
    disease: str
    population: str
    seed: int
    software_version: str
    spec_sha256: str
    calibration_version: str
    conduct_version: str
    weeks: float
    arms: list[ArmResult]

    _outcomes: list[ArmOutcomes] = PrivateAttr(default_factory=list)
    _notes: list[str] = PrivateAttr(default_factory=list)

    @property
    def outcomes(self) -> list[ArmOutcomes]:
        """Per-patient outcomes per arm (spec order); empty for a result read back from JSON."""
        return self._outcomes

    @property
    def notes(self) -> list[str]:
        """Assumptions made during the run (knowledge-base fallbacks, default covariates …)."""
        return self._notes

    def to_json(self) -> dict[str, Any]:
        """The result JSON (contract form) as a dict."""
        return self.model_dump(mode="json")

    def to_json_text(self) -> str:
        """The result JSON as text (2-space indent, key order fixed): bit-identical per seed."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def estimate(
    kind: str, value: NDArray[np.float64], exposure: NDArray[np.float64] | None, code: str
) -> EndpointEstimate:
    """Point estimate and 95 % CI of one endpoint from per-patient values (NaN = excluded).

    Proportions: Wilson score; means: Student t; serious-infection rates: exact Poisson
    (Garwood) per 100 patient-years; relapse rates (ARR): quasi-Poisson over-dispersion-scaled
    interval (see :func:`~immunobalance.trials.stats.overdispersed_rate_ci`).
    """
    finite = np.isfinite(value)
    v = value[finite]
    n = int(v.size)
    if kind == "proportion":
        k = float(v.sum())
        lo, hi = stats.wilson_ci(k, n)
        return EndpointEstimate(
            kind="proportion",
            value=round_sig(k / n if n else math.nan),
            ci95=(round_sig(lo), round_sig(hi)),
            n=n,
            method="Wilson score",
        )
    if kind == "mean":
        lo, hi = stats.mean_ci(v)
        return EndpointEstimate(
            kind="mean",
            value=round_sig(float(v.mean()) if n else math.nan),
            ci95=(round_sig(lo), round_sig(hi)),
            n=n,
            method="Student t",
        )
    assert exposure is not None
    t = exposure[finite]
    events, years = float(v.sum()), float(t.sum())
    scale = 100.0 if code.startswith("SERIOUS_INFECTION") else 1.0
    rate = events / years * scale if years > 0 else math.nan
    if code == "ARR":
        lo, hi, _ = stats.overdispersed_rate_ci(v, t)
        method = "quasi-Poisson (over-dispersion scaled) / exact Poisson"
    else:
        lo, hi = stats.poisson_rate_ci(events, years)
        method = "exact Poisson (Garwood)"
    return EndpointEstimate(
        kind="rate",
        value=round_sig(rate),
        ci95=(round_sig(lo * scale), round_sig(hi * scale)),
        n=n,
        events=int(events),
        patient_years=round_sig(years),
        method=method,
    )


def difference(
    kind: str,
    code: str,
    arm: tuple[NDArray[np.float64], NDArray[np.float64] | None],
    ref: tuple[NDArray[np.float64], NDArray[np.float64] | None],
    vs: str,
) -> Difference:
    """Arm − comparator: Newcombe hybrid score (proportions), Welch t (means), Wald (rates)."""
    a, ea = arm
    b, eb = ref
    fa, fb = np.isfinite(a), np.isfinite(b)
    if kind == "proportion":
        ka, na, kb, nb = float(a[fa].sum()), int(fa.sum()), float(b[fb].sum()), int(fb.sum())
        value = ka / na - kb / nb if na and nb else math.nan
        lo, hi = stats.newcombe_difference_ci(ka, na, kb, nb)
        method = "Newcombe hybrid score"
    elif kind == "mean":
        value = float(a[fa].mean() - b[fb].mean()) if fa.any() and fb.any() else math.nan
        lo, hi = stats.welch_difference_ci(a, b)
        method = "Welch t"
    else:
        assert ea is not None and eb is not None
        scale = 100.0 if code.startswith("SERIOUS_INFECTION") else 1.0
        ka, ta, kb, tb = (
            float(a[fa].sum()),
            float(ea[fa].sum()),
            float(b[fb].sum()),
            float(eb[fb].sum()),
        )
        value = (ka / ta - kb / tb) * scale if ta > 0 and tb > 0 else math.nan
        lo, hi = stats.rate_difference_ci(ka, ta, kb, tb)
        lo, hi = lo * scale, hi * scale
        method = "Wald (Poisson variance)"
    return Difference(
        vs=vs,
        kind=kind,
        value=round_sig(value),
        ci95=(round_sig(lo), round_sig(hi)),
        method=method,
    )


def discontinued_counts(reason: NDArray[np.int8], ok: NDArray[np.bool_]) -> dict[str, int]:
    """Patients leaving randomised treatment by reason (analysed patients only)."""
    return {
        name: int(np.count_nonzero((reason == i) & ok))
        for i, name in enumerate(DISCONTINUATION_REASONS)
    }


def endpoint_kind(key: str) -> str:
    """Kind of a ``CODE@WEEK`` key."""
    return ENDPOINT_CODES[key.split("@", 1)[0]]
