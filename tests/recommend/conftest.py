"""Shared twin cache for recommendation tests: the real engine and population, simulated once
per test session into a temporary cache (small populations keep the cold path quick)."""

from __future__ import annotations

from pathlib import Path

import pytest

from immunobalance.twin._outcomes import OutcomeCache


@pytest.fixture(scope="session")
def twin_cache(tmp_path_factory: pytest.TempPathFactory) -> OutcomeCache:
    return OutcomeCache(Path(tmp_path_factory.mktemp("twin-cache")))
