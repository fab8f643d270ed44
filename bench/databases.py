"""Scratch databases for benchmarks: on SUIVI_BENCH_DATABASE_URL's server, else an embedded one."""

import asyncio
import os
import tempfile
from pathlib import Path

from suivi.db import upgrade_database
from suivi.embedded import embedded_database_url
from tests.databases import create_database, drop_database


def admin_url() -> str:
    """A server the benchmark may create databases on."""
    configured = os.environ.get("SUIVI_BENCH_DATABASE_URL")
    if configured:
        return configured
    return embedded_database_url(Path(tempfile.mkdtemp(prefix="suivi-bench-")), "bench_admin")


async def fresh_database(admin: str) -> str:
    """A new database with the schema migrated; its URL."""
    url = await create_database(admin, prefix="suivi_bench")
    await asyncio.to_thread(upgrade_database, url)
    return url


async def drop(admin: str, url: str) -> None:
    """Drop a database made by fresh_database."""
    await drop_database(admin, url)
