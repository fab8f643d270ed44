"""Engine, sessions and migrations: the one way Suivi reaches PostgreSQL."""

from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

import migrations
from suivi.embedded import embedded_database_url
from suivi.errors import DatabaseUnavailable
from suivi.settings import Settings

MIGRATIONS_DIR = Path(migrations.__file__).parent

# The engine carries SUIVI_AUDIT_KEY to every session it opens, so whichever code appends an
# audit event (a request, a command, an import) seals it without the key being passed along.
AUDIT_KEY_OPTION = "suivi_audit_key"


def resolve_database_url(settings: Settings) -> str:
    """The configured server's URL, or the embedded server's after starting it."""
    if settings.database_url:
        return settings.database_url
    return embedded_database_url(settings.data_dir)


def migration_url(settings: Settings, database_url: str) -> str:
    """The URL migrations run with: the schema owner's when configured, else `database_url`."""
    return settings.migration_database_url or database_url


# asyncpg waits 60 s by default for a server that accepts the TCP connection but says nothing:
# far longer than any caller waits for an answer.
CONNECT_TIMEOUT_SECONDS = 10.0

# The server ended the session: pg_terminate_backend or a fast shutdown (57P01), a crash
# (57P02), a server starting or stopping (57P03); class 08 is every other connection failure.
_SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be used now (rather than that a query is wrong)."""
    if isinstance(exc, DatabaseUnavailable | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _connect(dialect: Dialect, _record: object, cargs: Any, cparams: Any) -> Any:
    # Refused, timed out, or turned away by the server (starting up, not accepting connections,
    # too many clients): all the same to a caller, who may only retry later.
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, dialect.loaded_dbapi.Error) as exc:
        raise DatabaseUnavailable("The database cannot be reached; retry later.") from exc


def _discard_if_closed(dbapi_connection: Any, _record: object, _proxy: object) -> None:
    # asyncpg notices the server closing an idle connection as soon as the event loop runs, so
    # this costs no round trip. The other pooled connections date from before the same outage:
    # replaced too, at their next checkout.
    if dbapi_connection.driver_connection.is_closed():
        raise InvalidatePoolError("closed by the server while idle in the pool")


def _server_gone_is_a_disconnect(context: ExceptionContext) -> None:
    # A session the server ended mid-query reports its reason before asyncpg sees the socket
    # close; without this the connection would go back to the pool and fail the next request.
    sqlstate = getattr(context.original_exception, "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in _SERVER_GONE:
        context.is_disconnect = True


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    """An asyncpg engine with Suivi's pool size and per-statement time limit.

    A database that cannot be reached raises DatabaseUnavailable; connections the server closed
    are replaced, and the pool with them, when they are next checked out.
    """
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        # No ping before each checkout: it costs three round trips per request. Connections the
        # server closed are found without one (_discard_if_closed).
        pool_pre_ping=False,
        # Bound values (a narrative, a submitter's name) never reach an error message or a log.
        hide_parameters=True,
        # JSONB columns (reasons, audit summaries) parsed and written by orjson: several times
        # faster than the standard library on every row of a list page.
        json_deserializer=orjson.loads,
        json_serializer=_json_text,
        execution_options={AUDIT_KEY_OPTION: settings.audit_key} if settings.audit_key else {},
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "server_settings": {
                "application_name": "suivi",
                "statement_timeout": str(settings.statement_timeout_ms),
                # JIT compiling costs tens of milliseconds per large query and pays off only
                # for long analytic ones: the API answers short ones.
                "jit": "off",
                # A plan per execution: after five runs a prepared statement may switch to a
                # generic plan, blind to the bound values (a mechanism's body ids, 'direct'),
                # which misses partial indexes and misjudges a mechanism's share.
                "plan_cache_mode": "force_custom_plan",
                # pgvector's HNSW candidates per search (a placeholder without pgvector).
                "hnsw.ef_search": "1000",
            },
        },
    )
    event.listen(engine.sync_engine, "do_connect", _connect)
    event.listen(engine.sync_engine.pool, "checkout", _discard_if_closed)
    event.listen(engine.sync_engine, "handle_error", _server_gone_is_a_disconnect)
    return engine


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
