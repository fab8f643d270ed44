"""Alembic environment: async engine, URL from Suivi's settings unless the caller set one."""

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import UserDefinedType

from models import Base
from suivi.db import migration_url, resolve_database_url
from suivi.settings import get_settings

config = context.config
target_metadata = Base.metadata


class _Vector(UserDefinedType[Any]):
    """pgvector's type, named so that reflecting a server that has it raises no warning."""

    cache_ok = True

    def __init__(self, *_dimensions: int) -> None:
        super().__init__()

    def get_col_spec(self, **_: Any) -> str:
        return "vector"


ischema_names.setdefault("vector", _Vector)
# Added by the meaning migration only where the server has pgvector, so never in the models:
# comparing the schema with the models leaves them out.
_WHERE_PGVECTOR = {"embedding_vector", "ix_recommendation_embeddings_hnsw"}


def _compared(_object: Any, name: str | None, _type: str, _reflected: bool, _other: Any) -> bool:
    return name not in _WHERE_PGVECTOR


def _url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    settings = get_settings()
    return migration_url(settings, resolve_database_url(settings))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        include_object=_compared,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
