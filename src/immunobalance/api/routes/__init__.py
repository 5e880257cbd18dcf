"""Routes of ``/api/v1``, one module per resource.

To add a resource (e.g. recommendations): write ``routes/<resource>.py`` with an ``APIRouter``
whose handlers declare their role (``ReadToken`` / ``ClinicianToken`` / ``AdminToken``), a
``response_model`` and ``responses=error_responses(...)``, audit what they show or change, and
add the router to :func:`api_router`.
"""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["api_router"]


def api_router(*, trials: bool) -> APIRouter:
    """The ``/api/v1`` router; the trial routes only when a trial runner is available."""
    from immunobalance.api.routes import (
        assessment,
        kb,
        patients,
        recommendations,
        tokens,
        visits,
    )

    router = APIRouter(prefix="/api/v1")
    for module in (kb, patients, visits, assessment, recommendations, tokens):
        router.include_router(module.router)
    if trials:
        from immunobalance.api.routes import trials as trial_routes

        router.include_router(trial_routes.router)
    return router
