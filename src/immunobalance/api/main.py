"""The FastAPI application: ``create_app(settings)``.

Layers: ``routes/`` (one module per resource) → ``store.crud`` (one module per resource) →
``store.models``; request and response shapes in ``schemas/``; typed dependencies in ``deps``.
The app owns one :class:`~immunobalance.store.Database` (migrated on start-up), a per-token
:class:`~.limits.RateLimiter`, the body-size limit, and — when a trial runner is available —
the background :class:`~.jobs.TrialWorker`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from immunobalance import __version__
from immunobalance.api.errors import install_error_handlers
from immunobalance.api.jobs import TrialRunner, TrialWorker
from immunobalance.api.limits import BodySizeLimitMiddleware, RateLimiter
from immunobalance.api.recommender import Recommender, make_recommender
from immunobalance.api.routes import api_router
from immunobalance.api.routes.cds_hooks import router as cds_router
from immunobalance.config import Settings, get_settings
from immunobalance.store.session import Database, open_database

__all__ = ["create_app", "default_trial_runner"]


def default_trial_runner() -> tuple[TrialRunner, Callable[[dict[str, Any]], Any]] | None:
    """``immunobalance.trials.run_trial`` and the spec parser, or None before they exist."""
    try:
        from immunobalance.trials import run_trial
    except ImportError:
        return None
    from immunobalance.trials.spec import parse_trial_spec

    runner: TrialRunner = run_trial
    return runner, parse_trial_spec


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    trial_runner: tuple[TrialRunner, Callable[[dict[str, Any]], Any]] | None = None,
    rate_limiter: RateLimiter | None = None,
    recommender: Recommender | None = None,
    web: bool = True,
) -> FastAPI:
    """Build the HTTP service.

    Parameters
    ----------
    settings
        Data directory, database URL, limits (default: from the environment).
    database
        An open database (default: :func:`~immunobalance.store.open_database` of ``settings``).
    trial_runner
        ``(runner, load_spec)`` for the trial worker (default: :func:`default_trial_runner`);
        without one the ``/trials`` routes are not mounted.
    rate_limiter
        Per-token limiter (default: ``settings.rate_limit_per_minute``).
    recommender
        ``patient → recommend --format json`` (default: :func:`~.recommender.make_recommender`
        with the outcome cache in ``settings.cache_dir``).
    web
        Serve the browser UI at ``/`` (default).
    """
    settings = settings or get_settings()
    runner = trial_runner or default_trial_runner()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = database or open_database(settings)
        worker = None
        if runner is not None:
            worker = TrialWorker(app.state.db, settings.data_dir, runner[0], runner[1]).start()
        app.state.trial_worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="immunobalance",
        version=__version__,
        summary="In-silico precision immunotherapy for autoimmune disease",
        description=(
            "Patients, disease-activity assessments, in-silico trials and the knowledge base. "
            "Every `/api/v1` route needs `Authorization: Bearer <token>` "
            "(`immunobalance token create --role read|clinician|admin`)."
        ),
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rate_limiter = rate_limiter or RateLimiter(settings.rate_limit_per_minute)
    app.state.trial_worker = None
    app.state.recommender = recommender or make_recommender(settings.cache_dir / "twin")
    install_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.include_router(api_router(trials=runner is not None))
    app.include_router(cds_router)
    if web:
        from immunobalance.web import mount_web

        mount_web(app)
    return app
