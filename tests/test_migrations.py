"""The migration builds the schema the models describe, seeds it, and reverses cleanly."""

import asyncio
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
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
        # An extension's functions stay with it (the meaning migration leaves pgvector).
        "WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')",
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


async def _execute(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = await connection.execute(text(statement))
                rows = [tuple(row) for row in result] if result.returns_rows else []
            return rows
    finally:
        await engine.dispose()


async def test_original_text_moves_to_the_row_and_back(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url, "0002")
    await _execute(
        url,
        "INSERT INTO recommendations (id, natural_key, state_code, body_id, language, "
        "source_format, content_hash) SELECT 1, 'doc:A/1#1', 'TUN', id, 'fr', 'manual', "
        "repeat('0', 64) FROM bodies WHERE code = 'UPR'",
        "INSERT INTO recommendation_texts VALUES "
        "(1, 'fr', 'Protéger les défenseurs.'), (1, 'en', 'Protect defenders.')",
    )

    await asyncio.to_thread(upgrade_database, url, "0003")
    assert await _execute(url, "SELECT text FROM recommendations") == [
        ("Protéger les défenseurs.",)
    ]
    assert await _execute(url, "SELECT language, text FROM recommendation_texts") == [
        ("en", "Protect defenders.")
    ]

    await asyncio.to_thread(downgrade_database, url, "0002")
    assert await _execute(
        url, "SELECT language, text FROM recommendation_texts ORDER BY language"
    ) == [("en", "Protect defenders."), ("fr", "Protéger les défenseurs.")]


async def test_a_recommendation_without_its_original_text_stops_the_upgrade(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url, "0002")
    await _execute(
        url,
        "INSERT INTO recommendations (id, natural_key, state_code, body_id, language, "
        "source_format, content_hash) SELECT 1, 'doc:A/1#1', 'TUN', id, 'fr', 'manual', "
        "repeat('0', 64) FROM bodies WHERE code = 'UPR'",
    )
    with pytest.raises(DBAPIError, match="without a text in their own language"):
        await asyncio.to_thread(upgrade_database, url, "0003")
    assert await _execute(url, "SELECT version_num FROM alembic_version") == [("0002",)]


async def test_upr_rows_imported_before_get_their_review(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url, "0009")
    await _execute(
        url,
        "INSERT INTO recommendations (natural_key, state_code, body_id, language, text, "
        "session, source_format, content_hash) SELECT key, 'TUN', id, 'en', 'Protect.', "
        "session, 'upr_info', repeat('0', 64) FROM bodies, "
        "(VALUES ('upr-info:a', 13), ('upr-info:b', 13), ('upr-info:c', 999)) AS v(key, session) "
        "WHERE code = 'UPR'",
    )

    await asyncio.to_thread(upgrade_database, url, "0010")
    rows = await _execute(
        url,
        "SELECT r.natural_key, r.issued_date, r.cycle, d.symbol FROM recommendations r "
        "LEFT JOIN documents d ON d.id = r.document_id ORDER BY r.natural_key",
    )
    hashes = await _execute(url, "SELECT DISTINCT content_hash FROM recommendations")

    assert rows == [
        ("upr-info:a", date(2012, 5, 21), 2, "UPR/WG/13/TUN"),
        ("upr-info:b", date(2012, 5, 21), 2, "UPR/WG/13/TUN"),
        ("upr-info:c", None, None, None),
    ]
    assert hashes == [("0" * 64,)]
    await asyncio.to_thread(downgrade_database, url, "0009")
    assert await _execute(url, "SELECT count(*) FROM documents") == [(0,)]
    assert await _execute(
        url, "SELECT count(*) FROM recommendations WHERE issued_date IS NOT NULL"
    ) == [(0,)]
