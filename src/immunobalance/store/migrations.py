"""Alembic, driven from code: the migration scripts ship inside the package (``store/alembic``).

``Database`` calls :func:`upgrade_to_head` when it opens a database, so a fresh data directory or
an older schema is brought up to date on first use. Developers create a new revision with::

    python -m immunobalance.store.migrations revision -m "add X"   # autogenerate from models.py
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

__all__ = ["alembic_config", "script_location", "upgrade_to_head"]


def script_location() -> Path:
    """Directory of the bundled Alembic environment (``env.py`` and ``versions/``)."""
    return Path(str(resources.files("immunobalance.store") / "alembic"))


def alembic_config(connection: Connection | None = None, *, url: str | None = None) -> Config:
    """An Alembic :class:`Config` for the bundled scripts, bound to ``connection`` or ``url``."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied to ``engine``'s database, in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def _main(argv: list[str]) -> None:  # pragma: no cover - developer tool
    from immunobalance.config import get_settings

    if argv[:1] != ["revision"] or "-m" not in argv:
        sys.exit("usage: python -m immunobalance.store.migrations revision -m MESSAGE")
    message = argv[argv.index("-m") + 1]
    config = alembic_config(url=get_settings().database_url)
    command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1:])
