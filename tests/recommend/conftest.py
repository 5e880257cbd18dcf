"""Shared twin cache for recommendation tests: the real engine and population, simulated once
per test session into a temporary data directory (small populations keep the cold path quick).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from immunobalance.twin._outcomes import OutcomeCache


@pytest.fixture(scope="session")
def twin_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``IMMUNOBALANCE_DATA_DIR`` whose twin cache the tests share."""
    return Path(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def twin_cache(twin_data_dir: Path) -> OutcomeCache:
    """The cache ``recommend`` uses by default when ``IMMUNOBALANCE_DATA_DIR=twin_data_dir``."""
    return OutcomeCache(twin_data_dir / "cache" / "twin")


def pytest_configure(config: pytest.Config) -> None:
    # registered by pytest-xdist; declared here so the tests also run with ``-p no:xdist``
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
