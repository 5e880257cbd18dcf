"""Engines and sessions for one database URL, migrated to the latest schema on first use.

SQLite (the default, a file in ``IMMUNOBALANCE_DATA_DIR``) runs in WAL mode so readers never block
the writer, with foreign keys on and a busy timeout so concurrent writers queue instead of failing.
Write transactions on SQLite start with ``BEGIN IMMEDIATE``: a deferred transaction that reads and
then writes can fail with ``SQLITE_BUSY`` when another writer committed in between, which the busy
timeout cannot cure; taking the write lock up front makes concurrent writers wait their turn.
PostgreSQL (``IMMUNOBALANCE_DB_URL=postgresql+psycopg://…``) needs none of this.

Use :meth:`Database.write` for anything that changes data (commit on success, rollback on any
error, so a rejected request leaves nothing behind) and :meth:`Database.read` for queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from immunobalance.config import Settings, get_settings

__all__ = ["Database", "open_database"]

#: Seconds a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin, so BEGIN can be chosen.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One database: an engine, read and write session factories, and schema migration.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///path.sqlite3`` or ``postgresql+psycopg://user:pw@host/db``).
        The directory of a SQLite file is created if missing.
    migrate
        Upgrade the schema to the latest Alembic revision now (default). Tests of the migrations
        themselves pass ``False``.

    Examples
    --------
    >>> db = Database("sqlite:///:memory:")  # doctest: +SKIP
    >>> with db.write() as session:  # doctest: +SKIP
    ...     session.add(row)
    """

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
            )
            _configure_sqlite(self.engine)
            write_engine: Engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
            write_engine = self.engine
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(write_engine, expire_on_commit=False)
        if migrate:
            self.upgrade()

    def upgrade(self) -> None:
        """Upgrade the schema to the latest migration (a no-op when already there)."""
        from immunobalance.store.migrations import upgrade_to_head

        upgrade_to_head(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on any error."""
        with self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries (its transaction is rolled back at the end)."""
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def open_database(settings: Settings | None = None) -> Database:
    """The process-wide :class:`Database` for ``settings`` (default: the environment's), migrated.

    The first call per URL creates the engine and upgrades the schema to head; later calls reuse
    it.
    """
    settings = settings or get_settings()
    url = settings.database_url
    with _databases_lock:
        db = _databases.get(url)
        if db is None:
            db = _databases[url] = Database(url)
        return db
