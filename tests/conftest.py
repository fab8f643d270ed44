"""Fixtures: one migrated database per run, one rolled-back transaction per test."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from api.app import create_app
from api.deps import get_reads, get_session
from api.routes.exports import get_snapshot
from suivi.db import upgrade_database
from suivi.reads import Reads
from suivi.settings import Settings, get_settings
from tests import real_data
from tests.databases import create_database, drop_database, server_url

# Apps started with their lifespan would run the background embedder, whose CPU other tests
# measure; tests/test_embed.py runs it on purpose.
os.environ["SUIVI_EMBED_IN_BACKGROUND"] = "false"


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads the developer's own SUIVI_* settings or embedded data directory."""
    for name in ("SUIVI_DATABASE_URL", "SUIVI_MIGRATION_DATABASE_URL", "SUIVI_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUIVI_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A server the suite may create databases on; fails, never skips, when it is unreachable."""
    return server_url(tmp_path_factory.mktemp("embedded-postgres"))


@pytest.fixture(scope="session")
async def database_url(admin_url: str) -> AsyncIterator[str]:
    """A database built by the migrations, as production builds it (never create_all)."""
    url = await create_database(admin_url)
    try:
        await asyncio.to_thread(upgrade_database, url)
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture
async def empty_database_url(admin_url: str) -> AsyncIterator[str]:
    """A database of its own, with no schema, for tests of migrations and of the command."""
    url = await create_database(admin_url, prefix="suivi_scratch")
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session whose commits become savepoints of the test's transaction."""
    async with AsyncSession(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def app(database_url: str, session: AsyncSession) -> FastAPI:
    """The real application, its requests sharing the test's session."""
    app = create_app(Settings(database_url=database_url))

    async def test_session() -> AsyncIterator[AsyncSession]:
        yield session

    @asynccontextmanager
    async def snapshot() -> AsyncIterator[AsyncSession]:
        yield session

    async def test_reads() -> AsyncIterator[Reads]:
        # Inside the test's transaction, so reads see what the test wrote.
        yield Reads.of_session(session)

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides[get_reads] = test_reads
    # Exports read from a snapshot session of their own; in tests, the test's.
    app.dependency_overrides[get_snapshot] = lambda: snapshot
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to the application in-process."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        yield client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the real exports were tested, and where they were found."""
    terminalreporter.write_line(real_data.summary())
