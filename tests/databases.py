"""Scratch databases for the suite, on the test server or on an embedded one."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import upgrade_database
from suivi.embedded import embedded_database_url

TEST_URL_VARIABLE = "SUIVI_TEST_DATABASE_URL"


def server_url(embedded_dir: Path) -> str:
    """`SUIVI_TEST_DATABASE_URL` when set, else a new embedded server in `embedded_dir`."""
    configured = os.environ.get(TEST_URL_VARIABLE)
    if configured:
        return configured
    return embedded_database_url(embedded_dir, database="suivi_test_admin")


async def _autocommit(admin_url: str, sql: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def create_database(admin_url: str, prefix: str = "suivi_test") -> str:
    """A new empty database on the server of `admin_url`; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _autocommit(admin_url, f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(admin_url: str, url: str) -> None:
    """Drop the database of `url`, closing whatever connections remain."""
    await _autocommit(admin_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


@asynccontextmanager
async def migrated_database(admin_url: str, *, prefix: str) -> AsyncIterator[str]:
    """A database of its own, built by the migrations, dropped when the block ends: for tests
    whose data must be committed (other connections, other processes, terminated sessions)."""
    url = await create_database(admin_url, prefix=prefix)
    try:
        await asyncio.to_thread(upgrade_database, url)
        yield url
    finally:
        await drop_database(admin_url, url)
