"""The migration builds the schema the models describe, seeds it, and reverses cleanly."""

import asyncio

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import alembic_config, downgrade_database, upgrade_database

TREATY_BODIES = {"CCPR", "CESCR", "CERD", "CEDAW", "CAT", "SPT", "CRC", "CMW", "CRPD", "CED"}


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar()
    finally:
        await engine.dispose()


async def test_upgrade_check_downgrade_upgrade(empty_database_url: str) -> None:
    await asyncio.to_thread(upgrade_database, empty_database_url)
    # Raises when the models and the migrated schema disagree.
    await asyncio.to_thread(command.check, alembic_config(empty_database_url))

    await asyncio.to_thread(downgrade_database, empty_database_url)
    remaining = await _scalar(
        empty_database_url,
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_name <> 'alembic_version'",
    )
    assert remaining == 0
    functions = await _scalar(
        empty_database_url,
        "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public'",
    )
    assert functions == 0

    await asyncio.to_thread(upgrade_database, empty_database_url)
    assert await _scalar(empty_database_url, "SELECT count(*) FROM mechanisms") == 3


async def test_seeds_every_treaty_body_and_defenders_mandate(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT code, mechanism_code FROM bodies"))).all()
    finally:
        await engine.dispose()
    by_mechanism: dict[str, set[str]] = {}
    for code, mechanism in rows:
        by_mechanism.setdefault(mechanism, set()).add(code)
    assert by_mechanism["treaty_body"] == TREATY_BODIES
    assert by_mechanism["upr"] == {"UPR"}
    assert "SR-HRD" in by_mechanism["special_procedure"]
