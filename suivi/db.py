"""Engine, sessions and migrations: the one way Suivi reaches PostgreSQL."""

from pathlib import Path

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import migrations
from suivi.embedded import embedded_database_url
from suivi.settings import Settings

MIGRATIONS_DIR = Path(migrations.__file__).parent


def resolve_database_url(settings: Settings) -> str:
    """The configured server's URL, or the embedded server's after starting it."""
    if settings.database_url:
        return settings.database_url
    return embedded_database_url(settings.data_dir)


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine with Suivi's pool size and per-statement time limit."""
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        # No ping before each checkout: it costs three round trips per request. A connection
        # the server dropped fails once, is discarded by the pool, and the request gets a 503.
        pool_pre_ping=False,
        # Bound values (a narrative, a submitter's name) never reach an error message or a log.
        hide_parameters=True,
        # JSONB columns (reasons, audit summaries) parsed and written by orjson: several times
        # faster than the standard library on every row of a list page.
        json_deserializer=orjson.loads,
        json_serializer=_json_text,
        connect_args={
            "server_settings": {
                "application_name": "suivi",
                "statement_timeout": str(settings.statement_timeout_ms),
                # JIT compiling costs tens of milliseconds per large query and pays off only
                # for long analytic ones: the API answers short ones.
                "jit": "off",
            }
        },
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit, as request handlers need."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """An Alembic configuration that works from a source checkout and an installed package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read '%' in a URL (an escaped socket path) as a variable.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`; synchronous, so call it outside an event loop."""
    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`; synchronous, like `upgrade_database`."""
    command.downgrade(alembic_config(url), revision)
