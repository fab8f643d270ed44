"""Scratch databases for benchmarks: on SUIVI_BENCH_DATABASE_URL's server, else an embedded one."""

import asyncio
import os
import tempfile
import time
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

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


# The columns an import writes: what a bare COPY of the same rows must write too.
COPY_COLUMNS = (
    "natural_key, state_code, body_id, document_id, paragraph, language, text, annotation_type, "
    "recommending_states, position, action_category, session, cycle, issued_date, themes, "
    "affected_persons, sdgs, hrd_relevance, hrd_reasons, follow_up_selected, status, "
    "source_format, source_record_id, content_hash"
)


def libpq_dsn(url: str) -> str:
    """`url` (SQLAlchemy's `postgresql+asyncpg://`) as asyncpg and libpq take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def timed_copy(source_url: str, target_url: str) -> float:
    """Seconds to COPY the rows the import wrote into an empty recommendations table."""
    source = await asyncpg.connect(libpq_dsn(source_url))
    target = await asyncpg.connect(libpq_dsn(target_url))
    try:
        # The bodies and documents the rows cite are there first, as they would be: not timed.
        for table in ("bodies", "documents"):
            present = {row["id"] for row in await target.fetch(f"SELECT id FROM {table}")}
            rows = await source.fetch(f"SELECT * FROM {table} ORDER BY id")
            missing = [tuple(row) for row in rows if row["id"] not in present]
            if missing:
                await target.copy_records_to_table(
                    table, records=missing, columns=list(rows[0].keys())
                )
        rows = await source.fetch(f"SELECT {COPY_COLUMNS} FROM recommendations")
        columns = [c.strip() for c in COPY_COLUMNS.split(",")]
        started = time.perf_counter()
        await target.copy_records_to_table(
            "recommendations", records=[tuple(r) for r in rows], columns=columns
        )
        return time.perf_counter() - started
    finally:
        await source.close()
        await target.close()
