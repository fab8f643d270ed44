"""The read pool: read-only autocommit connections, the bodies each process keeps, outages."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from suivi.errors import DatabaseUnavailable
from suivi.reads import ReadPool, Statement, fetch_on
from suivi.settings import Settings
from tests.databases import migrated_database


@pytest.fixture
async def migrated_url(admin_url: str) -> AsyncIterator[str]:
    """A migrated database of its own: the bodies it changes are committed, as an import's."""
    async with migrated_database(admin_url, prefix="suivi_scratch") as url:
        yield url


async def _committed(url: str, statement: str) -> None:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _bodies_seen(pool: ReadPool) -> dict[str, list[int]]:
    return (await pool.bodies()).by_code


async def test_a_body_added_elsewhere_is_seen_by_the_next_read(migrated_url: str) -> None:
    pool = ReadPool(migrated_url, Settings(database_url=migrated_url))
    try:
        before = await _bodies_seen(pool)
        assert "CCPR" in before
        assert "SR-NEW" not in before

        await _committed(
            migrated_url,
            "INSERT INTO bodies (code, name, mechanism_code) "
            "VALUES ('SR-NEW', 'A new mandate', 'special_procedure')",
        )
        seen: dict[str, list[int]] = {}
        for _ in range(100):
            seen = await _bodies_seen(pool)
            if "SR-NEW" in seen:
                break
            await asyncio.sleep(0.05)

        assert "SR-NEW" in seen
        bodies = await pool.bodies()
        assert set(seen["SR-NEW"]) <= set(bodies.of_mechanisms(["special_procedure"]))
    finally:
        await pool.close()


async def test_the_copy_is_kept_between_reads_until_a_change(migrated_url: str) -> None:
    pool = ReadPool(migrated_url, Settings(database_url=migrated_url))
    try:
        kept = await pool.bodies()
        assert await pool.bodies() is kept
    finally:
        await pool.close()


async def test_reads_cannot_write(migrated_url: str) -> None:
    pool = ReadPool(migrated_url, Settings(database_url=migrated_url))
    try:
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await pool.fetch(Statement("DELETE FROM bodies RETURNING id", (), {}), {})
    finally:
        await pool.close()


async def test_an_unreachable_server_is_database_unavailable(unused_tcp_port: int) -> None:
    url = f"postgresql+asyncpg://suivi@127.0.0.1:{unused_tcp_port}/suivi"
    pool = ReadPool(url, Settings(database_url=url))
    try:
        with pytest.raises(DatabaseUnavailable):
            await pool.fetch(Statement("SELECT 1", (), {}), {})
    finally:
        await pool.close()


class _CutOff:
    """A connection whose protocol a server's goodbye left mid-operation."""

    def __init__(self) -> None:
        self.terminated = False

    async def fetch(self, *_: object) -> list[object]:
        raise asyncpg.InternalClientError("cannot switch to state 12; another operation (2)")

    def terminate(self) -> None:
        self.terminated = True


async def test_a_connection_left_mid_operation_is_unavailable_and_replaced() -> None:
    cut_off = _CutOff()

    with pytest.raises(DatabaseUnavailable):
        await fetch_on(cut_off, Statement(sql="SELECT 1", names=(), constants={}), {})

    assert cut_off.terminated


async def test_a_pooled_connection_the_server_ends_mid_statement_is_unavailable(
    migrated_url: str,
) -> None:
    """The pool hands back a connection the server closed before the read sees the error."""
    pool = ReadPool(migrated_url, Settings(database_url=migrated_url))
    try:
        sleeping = asyncio.create_task(
            pool.fetch(Statement("SELECT pg_sleep(30), pg_backend_pid()", (), {}), {})
        )
        ended = False
        for _ in range(200):
            await asyncio.sleep(0.05)
            ended = bool(
                await _one(
                    migrated_url,
                    "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(30)%'",
                )
            )
            if ended:
                break
        assert ended

        with pytest.raises(DatabaseUnavailable):
            await sleeping
        rows = await pool.fetch(Statement("SELECT 1 AS one", (), {}), {})
        assert [row["one"] for row in rows] == [1]
    finally:
        await pool.close()


async def test_concurrent_first_reads_open_one_listener(migrated_url: str) -> None:
    pool = ReadPool(migrated_url, Settings(database_url=migrated_url))
    try:
        await asyncio.gather(*(pool.bodies() for _ in range(10)))
        kept = await pool.bodies()

        listeners = await _one(
            migrated_url,
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'suivi-listener'",
        )
        assert listeners == 1
        assert await pool.bodies() is kept
    finally:
        await pool.close()


async def _one(url: str, query: str) -> object:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()
