"""Persistence: SQLAlchemy models, sessions and migrations (SQLite by default, PostgreSQL by URL).

Open the database with :func:`open_database` (migrates to the latest schema on first use); do
changes inside ``with db.write() as session:`` through the per-resource functions of
:mod:`immunobalance.store.crud`.
"""

from immunobalance.store.errors import DuplicateRecordError, RecordNotFoundError
from immunobalance.store.session import Database, open_database

__all__ = ["Database", "DuplicateRecordError", "RecordNotFoundError", "open_database"]
