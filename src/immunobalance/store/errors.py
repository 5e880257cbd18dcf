"""Errors of the store: a record that already exists, or one that does not."""

from __future__ import annotations

from immunobalance.errors import ImmunobalanceError

__all__ = ["DuplicateRecordError", "RecordNotFoundError"]


class DuplicateRecordError(ImmunobalanceError, ValueError):
    """A record with this id is already stored (the API answers 409)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        super().__init__(f"{kind} {key!r} already exists")


class RecordNotFoundError(ImmunobalanceError, LookupError):
    """No stored record has this id (the API answers 404)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        super().__init__(f"no {kind} {key!r}")

    def __str__(self) -> str:
        return str(self.args[0])
