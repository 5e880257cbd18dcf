from __future__ import annotations

from collections.abc import Iterator

import pytest

from immunobalance.store.session import Database


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database (SQLite file or PostgreSQL schema)."""
    db = Database(database_url)
    yield db
    db.dispose()
