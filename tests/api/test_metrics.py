"""Prometheus metrics: by route template, the pool, imports and the review queue, on either port."""

import asyncio
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from api import metrics
from api.access_log import RouteTemplates
from api.app import create_app
from api.metrics import STREAMS_OPEN
from models import ImportRun, ProgressUpdate
from models.enums import ImportStatus, ReviewState, SourceFormat
from suivi.settings import Settings
from tests import factories

MARKER = "METRICS-MARKER-4f1c"


def _samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def _value(exposition: str, name: str, **labels: str) -> float | None:
    return _samples(exposition).get((name, frozenset(labels.items())))


@pytest.fixture
def app_reading_the_test_database(app: FastAPI, connection: AsyncConnection) -> FastAPI:
    """The application whose lifespan would have opened a pool: here, the test's transaction."""
    app.state.sessionmaker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


async def test_metrics_are_prometheus_text_never_cached(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    assert _value(response.text, "suivi_sse_streams_open") is not None


async def test_metrics_are_not_an_api_operation(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert "/metrics" not in spec["paths"]


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    route = "/v1/recommendations/{recommendation_id}"
    before = (await client.get("/metrics")).text
    await client.get(f"/v1/recommendations/424242?q={MARKER}")
    await client.get(f"/v1/recommendations/424243?q={MARKER}")
    after = (await client.get("/metrics")).text

    labels = {"method": "GET", "route": route, "status": "404"}
    counted = _value(after, "suivi_http_requests_total", **labels) or 0
    assert counted - (_value(before, "suivi_http_requests_total", **labels) or 0) == 2
    timed = _value(after, "suivi_http_request_duration_seconds_count", **labels) or 0
    assert timed - (_value(before, "suivi_http_request_duration_seconds_count", **labels) or 0) == 2
    assert "424242" not in after
    assert MARKER not in after


async def test_invented_methods_share_one_label(client: httpx.AsyncClient) -> None:
    await client.request("INVENTED-4f1c", "/health")
    exposition = (await client.get("/metrics")).text

    assert "INVENTED-4f1c" not in exposition
    labels = {"method": "other", "route": "/health", "status": "405"}
    assert (_value(exposition, "suivi_http_requests_total", **labels) or 0) >= 1


def _scope(method: str, path: str) -> dict[str, object]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def test_a_request_refused_before_routing_is_named_by_its_route(app: FastAPI) -> None:
    """Middleware refuses some writes (413, 429) before the router sets the scope's route."""
    templates = RouteTemplates(app.router.routes)

    assert templates.of(_scope("POST", "/v1/actions")) == "/v1/actions"
    assert templates.of(_scope("PATCH", "/v1/actions/12")) == "/v1/actions/{action_id}"
    assert templates.of(_scope("GET", "/wp-login.php")) is None


async def test_database_figures_read_at_scrape_time(
    app_reading_the_test_database: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    session.add_all(
        [
            ImportRun(
                source="upr.csv",
                format=SourceFormat.UPR_INFO,
                actor="cli",
                status=ImportStatus.SUCCEEDED,
                created=3,
                rejected=1,
            ),
            ImportRun(
                source="upr.csv",
                format=SourceFormat.UPR_INFO,
                actor="cli",
                status=ImportStatus.FAILED,
            ),
        ]
    )
    document = await factories.document(session, "A/HRC/52/TEST")
    recommendation = await factories.recommendation(session, document, "1")
    await factories.progress_update(session, recommendation_id=recommendation.id)
    await session.flush()
    queue = await session.scalar(
        select(func.count())
        .select_from(ProgressUpdate)
        .where(ProgressUpdate.review_state == ReviewState.SUBMITTED)
    )

    exposition = (await client.get("/metrics")).text

    assert _value(exposition, "suivi_metrics_database_up") == 1
    assert _value(exposition, "suivi_review_queue_updates") == queue
    runs = {"status": "succeeded", "format": "upr_info"}
    assert _value(exposition, "suivi_import_runs_total", **runs) == 1
    assert _value(exposition, "suivi_import_rows_total", **runs, outcome="created") == 3
    assert _value(exposition, "suivi_import_rows_total", **runs, outcome="rejected") == 1
    assert _value(exposition, "suivi_import_runs_total", status="failed", format="upr_info") == 1
    assert _value(exposition, "suivi_db_pool_size") is not None
    assert _value(exposition, "suivi_db_pool_checked_out") is not None


async def test_streams_open_follow_the_gauge(client: httpx.AsyncClient) -> None:
    with STREAMS_OPEN.track_inprogress():
        during = (await client.get("/metrics")).text
    after = (await client.get("/metrics")).text

    assert (_value(during, "suivi_sse_streams_open") or 0) - (
        _value(after, "suivi_sse_streams_open") or 0
    ) == 1


async def test_metrics_can_be_turned_off(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, metrics_enabled=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.get("/metrics")

    assert response.status_code == 404


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode()


@pytest.fixture
async def served_on_own_port(database_url: str) -> AsyncIterator[tuple[FastAPI, int]]:
    port = _free_port()
    app = create_app(Settings(database_url=database_url, metrics_port=port))
    async with app.router.lifespan_context(app):
        yield app, port


async def test_own_port_serves_the_metrics_and_the_api_port_does_not(
    served_on_own_port: tuple[FastAPI, int],
) -> None:
    app, port = served_on_own_port
    # From a thread, as Prometheus would: the figures are read on the application's loop.
    exposition = await asyncio.to_thread(_fetch, f"http://127.0.0.1:{port}/metrics")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        on_api_port = await client.get("/metrics")

    assert _value(exposition, "suivi_metrics_database_up") == 1
    assert _value(exposition, "suivi_review_queue_updates") is not None
    assert _value(exposition, "suivi_db_pool_size") == Settings().db_pool_size
    assert on_api_port.status_code == 404


async def test_own_port_is_released_when_the_application_stops(database_url: str) -> None:
    port = _free_port()
    app = create_app(Settings(database_url=database_url, metrics_port=port))
    async with app.router.lifespan_context(app):
        pass

    with pytest.raises(urllib.error.URLError):
        await asyncio.to_thread(_fetch, f"http://127.0.0.1:{port}/metrics")


async def test_one_worker_at_a_time_serves_the_metrics_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Two workers' shares in one process: the lock is per open file, so they contend as two
    # processes would.
    monkeypatch.setattr(metrics, "MULTIPROCESS_DIR", str(tmp_path))
    monkeypatch.setattr(metrics, "PORT_RETRY_SECONDS", 0.05)
    port = _free_port()
    settings = Settings(metrics_port=port)
    app = FastAPI()
    registry = metrics.ScrapeRegistry(metrics.DatabaseFigures(app))
    first = metrics.WorkerMetrics(app, registry, settings)
    second = metrics.WorkerMetrics(app, registry, settings)

    first.start()
    second.start()
    try:
        assert first.server is not None
        assert second.server is None
        await first.close()
        for _ in range(100):
            if second.server is not None:
                break
            await asyncio.sleep(0.05)
        assert second.server is not None
        assert second.server.port == port
    finally:
        await first.close()
        await second.close()
