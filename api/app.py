"""The application factory: routes, problem handlers and the database lifespan."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import suivi
from api.access_log import AccessLogMiddleware
from api.caching import CachingMiddleware
from api.limits import BodyLimitMiddleware
from api.openapi import install_openapi
from api.pages import install_pages
from api.problems import install_problem_handlers
from api.rate_limits import RateLimitMiddleware
from api.routes import (
    actions,
    admin,
    audit,
    changes,
    health,
    imports,
    institutions,
    recommendations,
    reference,
)
from api.routes import assessments as assessment_routes
from api.routes import deadlines as deadline_routes
from api.routes import exports as export_routes
from api.routes import grades as grade_routes
from api.routes import indicators as indicator_routes
from api.routes import stats as stats_routes
from api.routes import timeline as timeline_routes
from api.routes import updates as update_routes
from suivi.db import create_engine, create_sessionmaker, resolve_database_url
from suivi.embedded import release_embedded
from suivi.logging import configure_logging
from suivi.settings import Settings, get_settings

DESCRIPTION = (
    "Follow-up of UN human-rights recommendations (UPR, treaty bodies, special procedures) "
    "that concern human rights defenders. Errors are RFC 9457 `application/problem+json`."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A Suivi application; the database is reached when the lifespan starts."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Starting the embedded server blocks for a moment: keep it off the event loop.
        url = await asyncio.to_thread(resolve_database_url, settings)
        engine = create_engine(url, settings)
        app.state.sessionmaker = create_sessionmaker(engine)
        # The application's own objects live as long as the process: moved out of the
        # collector's reach, a full collection no longer walks them (about 100 ms of pause,
        # once every dozen requests, before).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await engine.dispose()
            if settings.database_url is None:
                await asyncio.to_thread(release_embedded, settings.data_dir)

    app = FastAPI(
        title="Suivi",
        version=suivi.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served offline by the pages (api/pages/docs.py), with the app's own assets.
        docs_url=None,
        redoc_url=None,
    )
    install_problem_handlers(app)
    install_openapi(app)
    # The last added runs first: the log sees the final status, 304s included.
    app.add_middleware(CachingMiddleware)
    if settings.cors_origins:
        # Dashboards on other origins read; they never write from a browser.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD"],
            allow_headers=["Authorization", "If-None-Match"],
            expose_headers=["ETag", "Link"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    if settings.rate_limit_enabled:
        # Before the body limit: a refused write is not read at all.
        app.add_middleware(
            RateLimitMiddleware,
            key_writes=settings.rate_limit_key_writes,
            address_writes=settings.rate_limit_address_writes,
        )
    install_pages(app)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(health.router)
    app.include_router(recommendations.router)
    app.include_router(reference.router)
    app.include_router(imports.router)
    app.include_router(changes.router)
    app.include_router(actions.router)
    app.include_router(institutions.router)
    app.include_router(update_routes.router)
    app.include_router(admin.router)
    app.include_router(audit.router)
    app.include_router(stats_routes.router)
    app.include_router(assessment_routes.router)
    app.include_router(grade_routes.router)
    app.include_router(timeline_routes.router)
    app.include_router(deadline_routes.router)
    app.include_router(indicator_routes.router)
    app.include_router(export_routes.router)
    return app
