"""Fixtures of the model tests: disease modules and small regimens (real knowledge base)."""

from __future__ import annotations

import pytest

from immunobalance.model import get_disease_module
from immunobalance.model.diseases.base import DiseaseModule
from immunobalance.regimen import RegimenItem, parse_regimen


@pytest.fixture(scope="session")
def ra() -> DiseaseModule:
    return get_disease_module("rheumatoid_arthritis")


@pytest.fixture(scope="session")
def ada_mtx() -> list[RegimenItem]:
    """Adalimumab 40 mg q2w + methotrexate 15 mg weekly (a biologic and a fast oral drug)."""
    return parse_regimen(
        [
            {"agent": "adalimumab", "dose": "40 mg", "route": "sc", "every": "2 weeks"},
            {"agent": "methotrexate", "dose": "15 mg", "route": "oral", "every": "1 week"},
        ]
    )
