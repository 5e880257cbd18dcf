"""Settings read from the environment, in one object (``IMMUNOBALANCE_*`` variables).

``IMMUNOBALANCE_DATA_DIR`` holds the database, trial results and caches (default: the per-user
data directory); ``IMMUNOBALANCE_DB_URL`` selects another database (e.g. PostgreSQL).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMMUNOBALANCE_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("immunobalance")))
    db_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 5 * 1024 * 1024
    rate_limit_per_minute: int = 600

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``IMMUNOBALANCE_DB_URL`` or SQLite in the data directory."""
        return self.db_url or f"sqlite:///{self.data_dir / 'immunobalance.sqlite3'}"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the env)."""
    return Settings()
