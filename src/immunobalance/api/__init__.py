"""The HTTP service (``immunobalance serve``): REST API under ``/api/v1`` (``contracts/api.md``)."""

from immunobalance.api.main import create_app

__all__ = ["create_app"]
