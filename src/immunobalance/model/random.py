"""Counter-based random streams: every draw is a pure function of (seed, patient, stream, counter).

Simulating a cohort in chunks therefore gives exactly the numbers of one call over the whole
cohort (the distributed trial runner depends on it), whatever the chunking or worker count.
The generator is SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) applied as a hash to the
64-bit key ``mix(mix(mix(seed ⊕ stream) + patient) + counter)``; 53 bits give a uniform in (0, 1).
"""

from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = ["exponentials", "normals", "uniforms"]

_M = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(z: NDArray[np.uint64]) -> NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _stream_key(seed: int, stream: str) -> np.uint64:
    h = int.from_bytes(hashlib.blake2b(stream.encode(), digest_size=8).digest(), "little")
    return np.uint64((int(seed) ^ h) & 0xFFFFFFFFFFFFFFFF)


def uniforms(
    seed: int, stream: str, patient_index: ArrayLike, counters: ArrayLike
) -> NDArray[np.float64]:
    """Uniforms in (0, 1), shape ``(n_patients, n_counters)``."""
    pi = np.asarray(patient_index, dtype=np.int64).astype(np.uint64).reshape(-1, 1)
    ct = np.asarray(counters, dtype=np.int64).astype(np.uint64).reshape(1, -1)
    key = _mix(np.full((1, 1), _stream_key(seed, stream), dtype=np.uint64))
    with np.errstate(over="ignore"):
        z = _mix(_mix(key + pi) + ct)
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) / 9007199254740992.0


def normals(
    seed: int, stream: str, patient_index: ArrayLike, counters: ArrayLike
) -> NDArray[np.float64]:
    """Standard normals (inverse CDF of :func:`uniforms`)."""
    return np.asarray(special.ndtri(uniforms(seed, stream, patient_index, counters)))


def exponentials(
    seed: int, stream: str, patient_index: ArrayLike, counters: ArrayLike
) -> NDArray[np.float64]:
    """Unit-rate exponentials."""
    return -np.log(uniforms(seed, stream, patient_index, counters))
