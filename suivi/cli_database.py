"""How the command line reaches the database: migrated first, one committed transaction."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from suivi.db import (
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.settings import get_settings

T = TypeVar("T")


def run_in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the migrated database."""
    settings = get_settings()
    url = resolve_database_url(settings)
    upgrade_database(migration_url(settings, url))

    async def main() -> T:
        engine = create_engine(url, settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())
