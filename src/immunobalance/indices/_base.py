"""What every index provides, and the array conventions all index functions share.

Array conventions (every public function of :mod:`immunobalance.indices`):

* inputs are NumPy arrays or scalars, broadcast together; outputs are NumPy arrays of the
  broadcast shape (0-d for scalar inputs), so one call scores 10^6 virtual patients;
* a **missing** input is ``NaN``: scores propagate it (the score is ``NaN``); response criteria,
  which return booleans, raise unless the caller chooses ``missing="nonresponder"`` (the
  non-responder imputation of trial analyses) — never a silent choice;
* an **impossible** input (a negative count, a VAS above 100 mm, ESR of 0) raises
  :class:`~immunobalance.errors.InvalidInputError` naming every offending argument at once,
  with how many entries are wrong and the first one; values are never clipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from immunobalance.errors import InvalidInputError, Problem

__all__ = [
    "Band",
    "IndexSpec",
    "Missing",
    "categorise",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Missing = Literal["raise", "nonresponder"]
_EPS = 1e-9


@dataclass(frozen=True)
class Band:
    """One published activity band: values up to ``upper`` (``<`` or ``≤``) belong to it.

    Bands are listed from lowest to highest; the last one has ``upper = inf``.
    """

    name: str
    upper: float
    inclusive: bool = True  # value <= upper (True) or value < upper (False)


def categorise(values: ArrayLike, bands: Sequence[Band]) -> NDArray[np.object_]:
    """Map index values to band names; ``None`` where the value is missing (NaN).

    Parameters
    ----------
    values
        Index values, any shape.
    bands
        Ordered bands (lowest first) with their published cut-offs.

    Returns
    -------
    numpy.ndarray of object
        Band name per value (``None`` for NaN).

    Examples
    --------
    >>> from immunobalance.indices import DAS28_BANDS
    >>> categorise([2.59, 2.6, 3.2, 5.11], DAS28_BANDS).tolist()
    ['remission', 'low', 'low', 'high']
    """
    x = np.asarray(values, dtype=float)
    index = np.full(x.shape, len(bands) - 1, dtype=np.intp)
    assigned = np.zeros(x.shape, dtype=bool)
    for i, band in enumerate(bands[:-1]):
        # 1e-9 tolerance: a CDAI of 1 + 0.9 + 0.9 is 2.8 even if floating point says 2.8000…03
        inside = (x <= band.upper + _EPS) if band.inclusive else (x < band.upper - _EPS)
        take = inside & ~assigned
        index[take] = i
        assigned |= take
    names = np.array([b.name for b in bands], dtype=object)
    out: NDArray[np.object_] = np.empty(x.shape, dtype=object)
    out[...] = names[index]
    out[np.isnan(x)] = None
    return out


class _Checker:
    """Collects range problems of several arguments, then raises them together."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.problems: list[Problem] = []

    def array(
        self,
        name: str,
        value: ArrayLike,
        *,
        low: float = 0.0,
        high: float = np.inf,
        low_open: bool = False,
        unit: str = "",
    ) -> FloatArray:
        """``value`` as a float array, recording a problem if a finite entry is out of range."""
        try:
            x = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            self.problems.append(Problem(name, f"expected numbers, got {value!r}"))
            return np.asarray(np.nan)
        finite = ~np.isnan(x)
        below = (x <= low) if low_open else (x < low)
        bad = finite & (below | (x > high))
        if bad.any():
            first = np.unravel_index(int(np.argmax(bad)), x.shape) if x.ndim else ()
            where = f" (first at index {tuple(int(i) for i in first)})" if x.ndim else ""
            lo = f"> {low:g}" if low_open else f">= {low:g}"
            bounds = f"{lo} and <= {high:g}" if np.isfinite(high) else lo
            u = f" {unit}" if unit else ""
            got = x[bad].flat[0]
            self.problems.append(
                Problem(
                    name,
                    f"{int(bad.sum())} value(s) out of range{where}: expected {bounds}{u}, "
                    f"got {got:g}",
                )
            )
        return x

    def require_present(self, name: str, x: FloatArray, why: str) -> None:
        """Record a problem if ``x`` has missing (NaN) entries that ``why`` cannot accept."""
        n = int(np.isnan(x).sum())
        if n:
            self.problems.append(Problem(name, f"{n} value(s) missing (NaN); {why}"))

    def done(self) -> None:
        if self.problems:
            raise InvalidInputError(self.problems, what=self.what)


def _resolve_missing(
    result: BoolArray, missing_mask: BoolArray, missing: Missing, what: str
) -> BoolArray:
    """Apply the explicit missing-data rule of a response criterion.

    ``missing="raise"`` refuses entries with a NaN input; ``"nonresponder"`` counts them as
    non-responders (non-responder imputation, the usual primary analysis of trials).
    """
    if missing not in ("raise", "nonresponder"):
        raise InvalidInputError(
            [Problem("missing", f"expected 'raise' or 'nonresponder', got {missing!r}")],
            what=what,
        )
    if missing_mask.any():
        if missing == "raise":
            raise InvalidInputError(
                [
                    Problem(
                        "",
                        f"{int(missing_mask.sum())} entries have a missing (NaN) input; pass "
                        "missing='nonresponder' to count them as non-responders",
                    )
                ],
                what=what,
            )
        result = result & ~missing_mask
    return np.asarray(result, dtype=bool)


@dataclass(frozen=True)
class IndexSpec:
    """A disease-activity index as the registry and the per-patient layer see it.

    Parameters
    ----------
    key
        Index key of ``contracts/cli.md`` (``DAS28ESR``, ``PASI``…).
    name
        Human-readable name.
    inputs
        Observation keys (``contracts/patient-record.md``) that must all be present.
    compute
        Vectorised function taking ``{observation key: array}`` and returning the values.
    bands
        Published activity bands, lowest first.
    citation
        Where formula and bands come from.
    categorise_with_inputs
        Optional category rule that needs more than the total (e.g. Mayo remission requires no
        subscore > 1); takes ``(values, inputs)``.
    alternatives
        Other complete input sets that also give the index (e.g. a recorded total ``PASI``).
    """

    key: str
    name: str
    inputs: tuple[str, ...]
    compute: Callable[[Mapping[str, FloatArray]], FloatArray]
    bands: tuple[Band, ...]
    citation: str
    categorise_with_inputs: (
        Callable[[FloatArray, Mapping[str, FloatArray]], NDArray[np.object_]] | None
    ) = None
    alternatives: tuple[tuple[str, ...], ...] = field(default=())

    def categorise(
        self, values: ArrayLike, inputs: Mapping[str, FloatArray] | None = None
    ) -> NDArray[np.object_]:
        """Band names of ``values`` (using the inputs when the rule needs them)."""
        if self.categorise_with_inputs is not None and inputs is not None:
            return self.categorise_with_inputs(np.asarray(values, dtype=float), inputs)
        return categorise(values, self.bands)
