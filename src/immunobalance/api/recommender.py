"""How the service computes a recommendation: ``recommend(patient).to_json()`` with the outcome
cache in the service's data directory.

The app holds one :data:`Recommender` (``create_app(recommender=...)``); the default uses the
contract's defaults (1000 virtual patients, the fixed seed). Tests and small deployments pass
:func:`make_recommender` with a smaller population: the same code path, fewer virtual patients.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from immunobalance.patient.model import Patient

__all__ = ["Recommender", "make_recommender"]

#: ``patient → recommend --format json`` document.
Recommender = Callable[[Patient], dict[str, Any]]


def make_recommender(cache_dir: Path, *, n: int | None = None) -> Recommender:
    """A recommender whose outcome cache lives in ``cache_dir`` (``n`` virtual patients)."""

    def recommender(patient: Patient) -> dict[str, Any]:
        from immunobalance.recommend import DEFAULT_N, recommend
        from immunobalance.twin._outcomes import OutcomeCache

        result = recommend(patient, n=n or DEFAULT_N, cache=OutcomeCache(cache_dir))
        document: dict[str, Any] = result.to_json()
        return document

    return recommender
