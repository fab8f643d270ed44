"""With no SUIVI_DATABASE_URL, Suivi runs on its embedded PostgreSQL, same migrations."""

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import resolve_database_url, upgrade_database
from suivi.settings import Settings


async def test_embedded_server_starts_in_data_dir_and_migrates(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "suivi-data")
    assert settings.database_url is None

    url = await asyncio.to_thread(resolve_database_url, settings)
    await asyncio.to_thread(upgrade_database, url)

    assert make_url(url).drivername == "postgresql+asyncpg"
    assert (tmp_path / "suivi-data" / "pgdata" / "PG_VERSION").exists()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            mechanisms = (
                await connection.execute(text("SELECT count(*) FROM mechanisms"))
            ).scalar()
    finally:
        await engine.dispose()
    assert mechanisms == 3
