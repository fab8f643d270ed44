"""The application factory: routes, problem handlers and the database lifespan."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import suivi
from api.access_log import AccessLogMiddleware
from api.caching import CachingMiddleware
from api.deps import AUTHENTICATES_SENT_KEY
from api.limits import BodyLimitMiddleware, JsonDepthMiddleware, KeyRequiredMiddleware
from api.metrics import MetricsMiddleware, install_metrics, start_metrics_server
from api.openapi import install_openapi
from api.pages import install_pages
from api.problems import install_problem_handlers
from api.rate_limits import RateLimitMiddleware
from api.retry import ReadRetryMiddleware
from api.routes import (
    actions,
    admin,
    audit,
    changes,
    clusters,
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
from api.routes import similar as similar_routes
from api.routes import stats as stats_routes
from api.routes import timeline as timeline_routes
from api.routes import updates as update_routes
from api.schemas.problems import problem_responses
from api.streams import StreamLimits
from suivi import embedding_worker
from suivi.db import create_engine, create_sessionmaker, resolve_database_url
from suivi.embedded import release_embedded
from suivi.logging import configure_logging
from suivi.reads import ReadPool
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
        app.state.reads = ReadPool(url, settings)
        # The application's own objects live as long as the process: moved out of the
        # collector's reach, a full collection no longer walks them (about 100 ms of pause,
        # once every dozen requests, before).
        gc.collect()
        gc.freeze()
        metrics_server = None
        embedder = (
            asyncio.create_task(
                embedding_worker.run(engine, poll_seconds=settings.embed_poll_seconds)
            )
            if settings.embed_in_background
            else None
        )
        try:
            # Inside: a port already taken stops the start, and the engine is still disposed.
            metrics_server = start_metrics_server(app, settings)
            yield
        finally:
            if embedder is not None:
                embedder.cancel()
                with suppress(asyncio.CancelledError):
                    await embedder
            if metrics_server is not None:
                await metrics_server.close()
            await app.state.reads.close()
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
    app.state.streams = StreamLimits.from_settings(settings)
    # Innermost: a read run again is unseen by every other middleware.
    app.add_middleware(ReadRetryMiddleware)
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
    # Added last first, so they run as: the body's size, a key where one is needed, then the
    # depth of a JSON body, which is read whole (within its limit).
    app.add_middleware(JsonDepthMiddleware)
    app.add_middleware(KeyRequiredMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_request_bytes,
    )
    if settings.rate_limit_enabled:
        # Before the body limit: a refused write is not read at all.
        app.add_middleware(
            RateLimitMiddleware,
            key_writes=settings.rate_limit_key_writes,
            address_writes=settings.rate_limit_address_writes,
            storage_uri=settings.rate_limit_storage_uri,
        )
    api_routes = len(app.router.routes)
    install_pages(app)
    pages = app.router.routes[api_routes:]
    del app.router.routes[api_routes:]
    if settings.metrics_enabled:
        app.add_middleware(MetricsMiddleware, routes=app.router.routes)
    # Outermost: every log line of the request, the others' included, carries its id.
    app.add_middleware(AccessLogMiddleware, routes=app.router.routes)
    install_metrics(app, settings)
    # The probes read no key: a load balancer's health check never sends one.
    app.include_router(health.router)
    for router in (
        recommendations.router,
        similar_routes.router,
        clusters.router,
        reference.router,
        imports.router,
        changes.router,
        actions.router,
        institutions.router,
        update_routes.router,
        admin.router,
        audit.router,
        stats_routes.router,
        assessment_routes.router,
        grade_routes.router,
        timeline_routes.router,
        deadline_routes.router,
        indicator_routes.router,
        export_routes.router,
    ):
        app.include_router(
            router, dependencies=[AUTHENTICATES_SENT_KEY], responses=problem_responses(401)
        )
    # Matched after the API's: a request to /v1/ never tries the pages' routes first.
    app.router.routes.extend(pages)
    return app
