"""Scratch databases for benchmarks: on SUIVI_BENCH_DATABASE_URL's server, else an embedded one."""

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import upgrade_database
from suivi.embedded import embedded_database_url


def admin_url() -> str:
    """A server the benchmark may create databases on."""
    configured = os.environ.get("SUIVI_BENCH_DATABASE_URL")
    if configured:
        return configured
    return embedded_database_url(Path(tempfile.mkdtemp(prefix="suivi-bench-")), "bench_admin")


async def _autocommit(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


async def fresh_database(admin: str) -> str:
    """A new database with the schema migrated; its URL."""
    name = f"suivi_bench_{uuid.uuid4().hex[:10]}"
    await _autocommit(admin, f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade_database, url)
    return url


async def drop(admin: str, url: str) -> None:
    """Drop a database made by fresh_database."""
    await _autocommit(admin, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
