"""The `suivi` command, run as a process against a real database."""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.commands import run_suivi


async def _count(url: str, sql: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def test_migrate_builds_the_schema(empty_database_url: str) -> None:
    result = await asyncio.to_thread(run_suivi, "migrate", database_url=empty_database_url)

    assert result.returncode == 0, result.stderr
    assert await _count(empty_database_url, "SELECT count(*) FROM mechanisms") == 3


async def test_demo_loads_the_sample_once(empty_database_url: str) -> None:
    first = await asyncio.to_thread(run_suivi, "demo", database_url=empty_database_url)
    second = await asyncio.to_thread(run_suivi, "demo", database_url=empty_database_url)

    assert first.returncode == 0, first.stderr
    assert "Loaded the illustrative sample" in first.stderr
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stderr
    count = await _count(
        empty_database_url, "SELECT count(*) FROM recommendations WHERE source_format = 'sample'"
    )
    assert 40 <= count <= 60


async def test_help_lists_the_commands(empty_database_url: str) -> None:
    result = await asyncio.to_thread(run_suivi, "--help", database_url=empty_database_url)

    assert result.returncode == 0
    for command in ("serve", "migrate", "demo"):
        assert command in result.stdout
