"""The Alembic migrations build exactly the schema the models declare, on both backends."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from immunobalance.store.migrations import alembic_config
from immunobalance.store.models import Base
from immunobalance.store.session import Database


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrations_at_head_match_the_models(database_url: str) -> None:
    db = Database(database_url)  # upgrades to head on open
    try:
        assert _diff(db) == []
        with db.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert version == head
    finally:
        db.dispose()


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    db = Database(database_url)
    try:
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.upgrade()
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
        assert _diff(db) == []
    finally:
        db.dispose()


def test_opening_twice_is_idempotent(database_url: str) -> None:
    first = Database(database_url)
    second = Database(database_url)  # already at head: nothing to do, nothing fails
    try:
        assert _diff(second) == []
    finally:
        first.dispose()
        second.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
