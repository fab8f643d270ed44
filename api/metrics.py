"""Prometheus metrics: requests by route, the database pool, imports, the review queue, streams.

Requests are labelled by route template (`/v1/recommendations/{recommendation_id}`), never by
raw path or query string. What the database knows (import runs, the review queue) is read when
Prometheus scrapes, at most once per `FIGURES_TTL_SECONDS`.

One process serves its own figures. Under `suivi serve --workers N` (N > 1) the parent names a
fresh PROMETHEUS_MULTIPROC_DIR: each worker writes its figures there (prometheus_client's
multiprocess mode), and whichever worker answers a scrape reports the sum over all of them. The
metrics port is served by one worker at a time, the holder of a lock in that directory: one
bind, however many workers.
"""

import asyncio
import fcntl
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access_log import RouteTemplates
from models import ImportRun, ProgressUpdate
from models.enums import ReviewState
from suivi.settings import Settings

logger = structlog.get_logger(__name__)

# The figures read from the database are this old at most: a scrape every few seconds (or
# several Prometheus servers) costs one query per period.
FIGURES_TTL_SECONDS = 15.0
FIGURES_TIMEOUT_SECONDS = 2.0
UNMATCHED = "unmatched"
# Any other token is a valid method to the server: counted under one label, so that a client
# inventing methods cannot grow the series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# Named by `suivi serve` for the workers it starts. Read once, at import, as prometheus_client
# reads it: both must agree on whether figures live in files.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
# Under several workers each writes its pool's figures this often; a scrape sees them this old.
POOL_SAMPLE_SECONDS = 1.0
# A worker without the metrics port looks this often whether the one serving it has stopped.
PORT_RETRY_SECONDS = 1.0
PORT_LOCK = "metrics-port.lock"

REQUESTS = Counter(
    "suivi_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "suivi_http_request_duration_seconds",
    "Time to answer a request in full (Server-Sent Event streams excluded).",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
# Live modes: a worker's figures leave the sum when it stops (mark_process_dead).
STREAMS_OPEN = Gauge(
    "suivi_sse_streams_open", "Server-Sent Event streams open.", multiprocess_mode="livesum"
)
_POOL_SIZE_HELP = "Connections the pool keeps open."
_POOL_CHECKED_OUT_HELP = "Connections in use by requests."
_POOL_OVERFLOW_HELP = "Connections open beyond the pool's size, closed when returned."
# Written by each of several workers only, registered nowhere: one process reads its own pool
# when scraped instead (_ApplicationCollector), and other workers' pools can only be read from
# what they wrote.
POOL_SIZE = Gauge("suivi_db_pool_size", _POOL_SIZE_HELP, multiprocess_mode="livesum", registry=None)
POOL_CHECKED_OUT = Gauge(
    "suivi_db_pool_checked_out",
    _POOL_CHECKED_OUT_HELP,
    multiprocess_mode="livesum",
    registry=None,
)
POOL_OVERFLOW = Gauge(
    "suivi_db_pool_overflow", _POOL_OVERFLOW_HELP, multiprocess_mode="livesum", registry=None
)

_IMPORT_OUTCOMES = ("created", "updated", "unchanged", "duplicates", "rejected")


class MetricsMiddleware:
    """Counts each request and times it, under its route template and final status."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.routes = RouteTemplates(routes)
        # Bounded: methods, route templates and statuses are each a small closed set.
        self._known: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        streamed = False

        async def send_and_note(message: Message) -> None:
            nonlocal status, streamed
            if message["type"] == "http.response.start":
                status = message["status"]
                streamed = any(
                    name == b"content-type" and value.startswith(b"text/event-stream")
                    for name, value in message.get("headers", ())
                )
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in METHODS else OTHER_METHOD
            counted, timed = self._series(method, self.routes.of(scope) or UNMATCHED, status)
            counted.inc()
            # A stream lasts as long as its client stays: its length is no latency.
            if not streamed:
                timed.observe(time.perf_counter() - started)

    def _series(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        """The counter and histogram of one label set, looked up once (each lookup locks)."""
        key = (method, route, status)
        series = self._known.get(key)
        if series is None:
            labels = (method, route, str(status))
            series = self._known[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
        return series


@dataclass
class _Figures:
    """What the database says, as last read."""

    up: bool = False
    read_at: float = float("-inf")
    import_runs: list[tuple[str, str, int]] = field(default_factory=list)
    import_rows: list[tuple[str, str, str, int]] = field(default_factory=list)
    review_queue: int | None = None


def _sessionmaker(app: FastAPI) -> async_sessionmaker[AsyncSession] | None:
    # Set by the lifespan: absent until the application has started.
    maker: async_sessionmaker[AsyncSession] | None = getattr(app.state, "sessionmaker", None)
    return maker


def _engine(app: FastAPI) -> AsyncEngine | None:
    maker = _sessionmaker(app)
    bind = maker.kw.get("bind") if maker is not None else None
    if isinstance(bind, AsyncConnection):
        return bind.engine
    return bind if isinstance(bind, AsyncEngine) else None


class DatabaseFigures:
    """Import runs and the review queue, read at scrape time and kept a few seconds."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.figures = _Figures()
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Read the figures again unless the last reading is recent."""
        async with self._lock:
            if time.monotonic() - self.figures.read_at < FIGURES_TTL_SECONDS:
                return
            maker = _sessionmaker(self.app)
            if maker is None:
                return
            try:
                async with asyncio.timeout(FIGURES_TIMEOUT_SECONDS):
                    self.figures = await self._read(maker)
            except (SQLAlchemyError, OSError, TimeoutError) as exc:
                # The metrics still answer, with the pool's figures: an unreachable database
                # is what they are for.
                logger.warning("metrics_database_unreachable", error=type(exc).__name__)
                self.figures = _Figures(read_at=time.monotonic())

    def refresh_from(self, loop: asyncio.AbstractEventLoop) -> None:
        """`refresh` from another thread, on the application's event loop."""
        future = asyncio.run_coroutine_threadsafe(self.refresh(), loop)
        try:
            future.result(timeout=FIGURES_TIMEOUT_SECONDS + 1)
        except TimeoutError:
            # The loop is too busy to answer: the last figures are served.
            future.cancel()

    @staticmethod
    async def _read(maker: async_sessionmaker[AsyncSession]) -> _Figures:
        async with maker() as session:
            # Both counts are cheap (a small table; an index on review_state), and bounded
            # all the same.
            await session.execute(
                text(f"SET LOCAL statement_timeout = {int(FIGURES_TIMEOUT_SECONDS * 1000)}")
            )
            runs = (
                await session.execute(
                    select(
                        ImportRun.status,
                        ImportRun.format,
                        func.count(),
                        *(
                            func.coalesce(func.sum(getattr(ImportRun, outcome)), 0)
                            for outcome in _IMPORT_OUTCOMES
                        ),
                    ).group_by(ImportRun.status, ImportRun.format)
                )
            ).all()
            queue = await session.scalar(
                select(func.count())
                .select_from(ProgressUpdate)
                .where(ProgressUpdate.review_state == ReviewState.SUBMITTED)
            )
            await session.rollback()
        return _Figures(
            up=True,
            read_at=time.monotonic(),
            import_runs=[(str(status), str(fmt), int(count)) for status, fmt, count, *_ in runs],
            import_rows=[
                (str(status), str(fmt), outcome, int(rows))
                for status, fmt, _, *sums in runs
                for outcome, rows in zip(_IMPORT_OUTCOMES, sums, strict=True)
            ],
            review_queue=int(queue or 0),
        )


def _pool_figures(app: FastAPI) -> tuple[int, int, int] | None:
    """The size of the application's pool, connections checked out, connections beyond size."""
    engine = _engine(app)
    pool = engine.sync_engine.pool if engine is not None else None
    if not isinstance(pool, QueuePool):
        return None
    return pool.size(), pool.checkedout(), max(pool.overflow(), 0)


class _ApplicationCollector(Collector):
    """The pool of the application's engine (unless `pool` is false), and the database figures."""

    def __init__(self, app: FastAPI, figures: DatabaseFigures, *, pool: bool = True) -> None:
        self.app = app
        self.figures = figures
        self.pool = pool

    def collect(self) -> Iterator[Any]:
        if self.pool:
            yield from self._pool()
        figures = self.figures.figures
        yield GaugeMetricFamily(
            "suivi_metrics_database_up",
            "1 when the last reading of the database figures succeeded.",
            value=int(figures.up),
        )
        if not figures.up:
            return
        runs = CounterMetricFamily(
            "suivi_import_runs",
            "Import runs recorded in the database, by status and format (all processes).",
            labels=["status", "format"],
        )
        for status, fmt, count in figures.import_runs:
            runs.add_metric([status, fmt], count)
        yield runs
        rows = CounterMetricFamily(
            "suivi_import_rows",
            "Records of import runs by outcome, run status and format (all processes).",
            labels=["status", "format", "outcome"],
        )
        for status, fmt, outcome, count in figures.import_rows:
            rows.add_metric([status, fmt, outcome], count)
        yield rows
        if figures.review_queue is not None:
            yield GaugeMetricFamily(
                "suivi_review_queue_updates",
                "Progress updates submitted and awaiting review.",
                value=figures.review_queue,
            )

    def _pool(self) -> Iterable[GaugeMetricFamily]:
        figures = _pool_figures(self.app)
        if figures is None:
            return
        size, checked_out, overflow = figures
        yield GaugeMetricFamily("suivi_db_pool_size", _POOL_SIZE_HELP, value=size)
        yield GaugeMetricFamily(
            "suivi_db_pool_checked_out", _POOL_CHECKED_OUT_HELP, value=checked_out
        )
        yield GaugeMetricFamily("suivi_db_pool_overflow", _POOL_OVERFLOW_HELP, value=overflow)


class _ProcessCollector(Collector):
    """The process-wide metrics (requests, streams, the process itself) of the default registry."""

    def collect(self) -> Iterable[Any]:
        return REGISTRY.collect()


class ScrapeRegistry(CollectorRegistry):
    """The application's metrics; read from another thread, it first refreshes the figures."""

    def __init__(self, figures: DatabaseFigures) -> None:
        super().__init__()
        self.figures = figures
        # The application's event loop, when a metrics thread serves this registry.
        self.loop: asyncio.AbstractEventLoop | None = None

    def collect(self) -> Iterator[Any]:
        if self.loop is not None:
            self.figures.refresh_from(self.loop)
        yield from super().collect()


def install_metrics(app: FastAPI, settings: Settings) -> None:
    """The application's registry, and `/metrics` unless a port of their own serves them."""
    if not settings.metrics_enabled:
        return
    figures = DatabaseFigures(app)
    registry = ScrapeRegistry(figures)
    if MULTIPROCESS_DIR is None:
        registry.register(_ProcessCollector())
        registry.register(_ApplicationCollector(app, figures))
    else:
        # Every worker's requests and streams, and pools as the workers last wrote them. A
        # worker's process_* figures would describe that worker alone: left out.
        workers = MultiProcessCollector(None, MULTIPROCESS_DIR)  # type: ignore[no-untyped-call]
        registry.register(workers)
        registry.register(_ApplicationCollector(app, figures, pool=False))
    app.state.metrics = registry
    if settings.metrics_port is not None:
        return

    async def metrics() -> Response:
        await figures.refresh()
        return Response(
            generate_latest(registry),
            media_type=CONTENT_TYPE_LATEST,
            headers={"Cache-Control": "no-store"},
        )

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)


class MetricsServer:
    """The metrics port's HTTP server, running in a thread of its own."""

    def __init__(self, registry: ScrapeRegistry, host: str, port: int) -> None:
        registry.loop = asyncio.get_running_loop()
        self.registry = registry
        self.server, self.thread = start_http_server(port, addr=host, registry=registry)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.server.server_port

    async def close(self) -> None:
        """Stop serving and release the port."""
        await asyncio.to_thread(self.server.shutdown)
        self.server.server_close()
        self.registry.loop = None


def _mark_dead(pid: int, directory: Path) -> None:
    """Remove the live gauges' files of `pid`: its figures leave their sums."""
    mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_dead_workers(directory: Path) -> None:
    """Drop the live figures of workers that stopped without a shutdown (killed, crashed)."""
    pids = {
        int(digits)
        for file in directory.glob("gauge_live*_*.db")
        if (digits := file.stem.rpartition("_")[2]).isdecimal()
    }
    for pid in pids - {os.getpid()}:
        if not _alive(pid):
            _mark_dead(pid, directory)


class WorkerMetrics:
    """One worker's share of the metrics of several: its pool's figures, its exit, the port.

    The metrics port goes to the worker that holds a lock in the figures' directory; the others
    wait for it, so that when the holder stops (a restart, a crash) another serves the port.
    """

    def __init__(self, app: FastAPI, registry: ScrapeRegistry, settings: Settings) -> None:
        assert MULTIPROCESS_DIR is not None
        self.app = app
        self.registry = registry
        self.settings = settings
        self.directory = Path(MULTIPROCESS_DIR)
        self.server: MetricsServer | None = None
        self._lock: int | None = None
        self._warned = False
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Write the pool's figures from now on, and serve the port if no other worker does."""
        _forget_dead_workers(self.directory)
        if self.settings.metrics_port is not None and not self._take_port():
            self._tasks.append(asyncio.create_task(self._wait_for_port()))
        self._sample_pool()
        self._tasks.append(asyncio.create_task(self._sample_pool_every()))

    async def close(self) -> None:
        """Stop writing, release the port, and leave the live figures' sums."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.server is not None:
            await self.server.close()
            self.server = None
        self._release_port()
        _mark_dead(os.getpid(), self.directory)

    def _sample_pool(self) -> None:
        figures = _pool_figures(self.app)
        if figures is not None:
            size, checked_out, overflow = figures
            POOL_SIZE.set(size)
            POOL_CHECKED_OUT.set(checked_out)
            POOL_OVERFLOW.set(overflow)

    async def _sample_pool_every(self) -> None:
        while True:
            await asyncio.sleep(POOL_SAMPLE_SECONDS)
            self._sample_pool()

    def _take_port(self) -> bool:
        """Serve the metrics port unless another worker does; whether this one now does."""
        assert self.settings.metrics_port is not None
        if self._lock is None:
            self._lock = os.open(self.directory / PORT_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            self.server = MetricsServer(
                self.registry, self.settings.metrics_host, self.settings.metrics_port
            )
        except OSError:
            self._release_port()
            raise
        logger.info(
            "metrics_serving",
            host=self.settings.metrics_host,
            port=self.server.port,
            worker=os.getpid(),
        )
        return True

    async def _wait_for_port(self) -> None:
        while True:
            await asyncio.sleep(PORT_RETRY_SECONDS)
            try:
                if self._take_port():
                    return
            except OSError as exc:
                # Released by its last holder, then taken by another program: said once.
                if not self._warned:
                    logger.warning("metrics_port_unavailable", error=str(exc))
                    self._warned = True

    def _release_port(self) -> None:
        # Closing the file releases the lock; a worker that dies releases it just the same.
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def start_metrics_server(app: FastAPI, settings: Settings) -> MetricsServer | WorkerMetrics | None:
    """Serve the metrics on SUIVI_METRICS_PORT, when set; call from the running lifespan.

    Under several workers, also keep this worker's figures current until `close`.
    """
    registry: ScrapeRegistry | None = getattr(app.state, "metrics", None)
    if registry is None:
        return None
    if MULTIPROCESS_DIR is not None:
        worker = WorkerMetrics(app, registry, settings)
        worker.start()
        return worker
    if settings.metrics_port is None:
        return None
    server = MetricsServer(registry, settings.metrics_host, settings.metrics_port)
    logger.info("metrics_serving", host=settings.metrics_host, port=server.port)
    return server
