"""An API under test: the real app on a temp data directory and a real database (SQLite file or
PostgreSQL schema), with one token per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from immunobalance.api.main import create_app
from immunobalance.config import Settings
from immunobalance.store.crud import tokens
from immunobalance.store.session import Database

ROLES = ("read", "clinician", "admin")


@dataclass
class Api:
    client: TestClient
    db: Database
    settings: Settings
    secrets: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[role]}"}


def make_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "db_url": database_url,
        "rate_limit_per_minute": 100_000,
    }
    return Settings(**{**values, **overrides})


@pytest.fixture
def make_api(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """``make_api(settings={...overrides}, **create_app_kwargs)`` → a started :class:`Api`."""
    started: list[tuple[TestClient, Database]] = []

    def make(settings: dict[str, Any] | None = None, **kwargs: Any) -> Api:
        config = make_settings(tmp_path / "data", database_url, **(settings or {}))
        db = Database(config.database_url)
        secrets = {}
        with db.write() as session:
            for role in ROLES:
                secrets[role] = tokens.create_token(session, role, f"test-{role}")[1]
        client = TestClient(create_app(config, database=db, **kwargs))
        client.__enter__()
        started.append((client, db))
        return Api(client, db, config, secrets)

    yield make
    for client, db in started:
        client.__exit__(None, None, None)
        db.dispose()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


@pytest.fixture(scope="session")
def small_recommender(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The service's recommender with 40 virtual patients and a cache shared by the session's
    tests (the same code path as production, a smaller population)."""
    from immunobalance.api.recommender import make_recommender

    return make_recommender(tmp_path_factory.mktemp("twin-cache"), n=40)
