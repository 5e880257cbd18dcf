"""Measurement-error models: how likely a patient's observation is, given a virtual patient.

Each model is a pure, vectorised function of the observed value (a scalar) and the virtual
population's simulated value of the same quantity (an ``(n,)`` array), returning ``(n,)`` log
likelihoods. The error a model allows is the *whole* gap between a simulated read-out and a
recorded one: assay error, within-person biological variation between visits, and inter-observer
variation — not the assay's analytic CV alone.

* continuous read-outs: Gaussian on a variance-stabilising scale — ``log`` for concentrations
  (log-normal biological variation), ``sqrt`` for counts (Anscombe: ``Var √X ≈ 1/4`` for Poisson
  counts, Anscombe FJ. Biometrika 1948;35:246-54), ``identity`` for bounded scores;
* positive/negative tests: misclassification with the assay's sensitivity and specificity
  relative to the virtual patient's latent status;
* categories (IFN signature high/low): the probability ``1 − ε`` of recording the latent category,
  ``ε`` spread evenly over the others;
* treatment history: a recorded failure of an agent (inadequate or lost response) is more likely
  for a virtual patient who does not respond to that agent in simulation — the mechanistic use of
  history (a TNF-inadequate responder is more likely a virtual patient whose disease is not
  TNF-driven).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BinaryTest",
    "CategoryModel",
    "ContinuousModel",
    "Transform",
    "TreatmentHistoryModel",
]

Transform = Literal["identity", "log", "sqrt"]


def _transform(x: NDArray[np.float64], kind: Transform, offset: float) -> NDArray[np.float64]:
    if kind == "log":
        return np.log(np.maximum(x, 0.0) + offset)
    if kind == "sqrt":
        return np.sqrt(np.maximum(x, 0.0) + offset)
    return x


@dataclass(frozen=True)
class ContinuousModel:
    """Gaussian error on a transformed scale: ``g(y) ~ N(g(x_i), sd²)``.

    Parameters
    ----------
    transform
        ``log`` (``g(x) = ln(x + offset)``), ``sqrt`` (``√(x + offset)``) or ``identity``.
    sd
        Standard deviation on the transformed scale (for ``log``, ≈ the CV of the quantity).
    offset
        Added before the transform so that zero (a count of 0, a CRP below detection) is finite.
    source
        Where ``sd`` comes from.
    """

    transform: Transform
    sd: float
    source: str
    offset: float = 0.0

    def __post_init__(self) -> None:
        if not (self.sd > 0 and math.isfinite(self.sd)):
            raise ValueError(f"sd must be positive and finite, got {self.sd!r}")
        if self.transform == "log" and self.offset < 0:
            raise ValueError("log offset must be non-negative")

    def log_likelihood(self, observed: float, simulated: ArrayLike) -> NDArray[np.float64]:
        """``log N(g(observed); g(simulated), sd²)`` per virtual patient (NaN simulated → 0).

        A virtual patient whose read-out is missing (solver failure) contributes nothing rather
        than being ruled out; the twin drops failed patients separately.
        """
        x = np.asarray(simulated, dtype=float)
        y = _transform(np.asarray(float(observed)), self.transform, self.offset)
        z = (y - _transform(x, self.transform, self.offset)) / self.sd
        ll = -0.5 * z * z - math.log(self.sd) - 0.5 * math.log(2 * math.pi)
        return np.where(np.isfinite(ll), ll, 0.0)


@dataclass(frozen=True)
class BinaryTest:
    """A positive/negative test read against a latent status with misclassification.

    ``P(test + | latent +) = sensitivity``, ``P(test + | latent −) = 1 − specificity``.
    Sensitivity and specificity here describe agreement of a single recorded result with the
    virtual patient's persistent status (assay error plus fluctuation near the cut-off).
    """

    sensitivity: float
    specificity: float
    source: str

    def __post_init__(self) -> None:
        for name in ("sensitivity", "specificity"):
            v = getattr(self, name)
            if not 0.5 < v < 1.0:
                raise ValueError(f"{name} must lie in (0.5, 1), got {v!r}")

    def log_likelihood(
        self, observed_positive: bool, latent_positive: ArrayLike
    ) -> NDArray[np.float64]:
        """``log P(observed | latent)`` per virtual patient; ``latent_positive`` may be a
        probability in [0, 1] (the virtual patient's chance of being positive)."""
        q = np.clip(np.asarray(latent_positive, dtype=float), 0.0, 1.0)
        q = np.where(np.isfinite(q), q, np.nan)
        p_pos = q * self.sensitivity + (1 - q) * (1 - self.specificity)
        p = p_pos if observed_positive else 1 - p_pos
        return np.where(np.isfinite(p), np.log(p), 0.0)


@dataclass(frozen=True)
class CategoryModel:
    """A recorded category against the virtual patient's latent category.

    ``P(recorded = c | latent = c) = 1 − error``; the error mass is spread over the other
    ``k − 1`` categories.
    """

    categories: tuple[str, ...]
    error: float
    source: str

    def __post_init__(self) -> None:
        if len(self.categories) < 2:
            raise ValueError("a category model needs at least two categories")
        if not 0.0 < self.error < 1.0 - 1.0 / len(self.categories):
            raise ValueError("error must be positive and below chance")

    def log_likelihood(self, observed: str, latent: ArrayLike) -> NDArray[np.float64]:
        """``log P(observed | latent)`` per virtual patient (latent given as category strings)."""
        if observed not in self.categories:
            raise ValueError(f"{observed!r} is not one of {list(self.categories)}")
        lat = np.asarray(latent)
        k = len(self.categories)
        same = lat == observed
        return np.where(same, math.log(1 - self.error), math.log(self.error / (k - 1)))


@dataclass(frozen=True)
class TreatmentHistoryModel:
    """A recorded treatment failure against the virtual patient's simulated response.

    ``P(recorded failure | simulated responder) = failure_if_responder`` (responders who still
    stop: loss of response through anti-drug antibodies, a stricter clinical target than the
    trial endpoint, non-adherence); ``P(recorded failure | simulated non-responder) =
    failure_if_nonresponder``.
    """

    failure_if_responder: float
    failure_if_nonresponder: float
    source: str

    def __post_init__(self) -> None:
        if not 0 < self.failure_if_responder < self.failure_if_nonresponder < 1:
            raise ValueError("need 0 < failure_if_responder < failure_if_nonresponder < 1")

    def log_likelihood(self, failed: bool, responded: ArrayLike) -> NDArray[np.float64]:
        """``log P(recorded outcome | simulated response)``; NaN response contributes 0."""
        r = np.asarray(responded, dtype=float)
        p_fail = np.where(r > 0.5, self.failure_if_responder, self.failure_if_nonresponder)
        p = p_fail if failed else 1 - p_fail
        return np.where(np.isfinite(r), np.log(p), 0.0)
