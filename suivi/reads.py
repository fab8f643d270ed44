"""Reads on a read-only, autocommit connection taken straight from a pool.

A list page is one statement: with no ORM session around it, it costs no BEGIN, no COMMIT and no
objects. Statements are compiled once per shape (`Statement`) and prepared once per connection
(asyncpg's statement cache). The bodies that the mechanism and body filters stand for change only
on import or migration: each process keeps them, and drops them when the database says they
changed (a trigger of migration 0014 notifies `suivi_reference`), which every worker hears.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import asyncpg
import numpy as np
import orjson
import structlog
from sqlalchemy import ClauseElement
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from suivi.db import CONNECT_TIMEOUT_SECONDS
from suivi.encoder import Vectors
from suivi.errors import DatabaseUnavailable, MeaningUnavailable
from suivi.services.recommendation_filters import BODIES_QUERY, Bodies
from suivi.settings import Settings, get_settings
from suivi.vectors import Neighbours, VectorCopy, vector_literal

logger = structlog.get_logger(__name__)

REFERENCE_CHANNEL = "suivi_reference"
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
# The server ended the session (57P01-03) or refuses connections now (53300 too many, 57P03
# starting up); class 08 is every other connection failure.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_CONNECT_FAILURES = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True, slots=True)
class Statement:
    """SQL compiled for asyncpg, the names of its parameters in `$n` order, and the values
    of those the statement holds itself (constants such as a language code).

    `one_plan`: one plan serves every value it binds, so its prepared statement may keep a
    generic plan; otherwise each execution is planned with its values.
    """

    sql: str
    names: tuple[str, ...]
    constants: Mapping[str, Any]
    one_plan: bool = False

    @classmethod
    def compile(cls, statement: ClauseElement, *, one_plan: bool = False) -> "Statement":
        """`statement` compiled once, for values given at each run: the values it holds that
        are not None are kept as defaults (constants such as a language code)."""
        return cls._compiled(statement, {}, one_plan=one_plan, keep_none=False)

    @classmethod
    def holding(cls, statement: ClauseElement) -> "Statement":
        """`statement` compiled with every value it holds, None included: a query built with
        its values for one run, such as a count (each shape is prepared once per connection
        all the same, its values being parameters). A list compared with IN becomes one
        parameter per value."""
        postcompile = {"render_postcompile": True}
        return cls._compiled(statement, postcompile, one_plan=False, keep_none=True)

    @classmethod
    def _compiled(
        cls, statement: ClauseElement, kwargs: dict[str, Any], *, one_plan: bool, keep_none: bool
    ) -> "Statement":
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs=kwargs)
        assert isinstance(compiled, SQLCompiler)
        names = tuple(compiled.positiontup or ())
        held = compiled.construct_params(_check=False)
        constants = {n: held[n] for n in names if keep_none or held.get(n) is not None}
        return cls(sql=compiled.string, names=names, constants=constants, one_plan=one_plan)

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        constants = self.constants
        return [values[name] if name in values else constants[name] for name in self.names]


# The vectors written since a copy's last `seq` (an index probe when there are none), a
# bounded number at a time.
VECTORS_SINCE = Statement(
    "SELECT recommendation_id, embedding, seq FROM recommendation_embeddings "
    "WHERE seq > $2 AND model = $1 ORDER BY seq LIMIT $3",
    ("model", "after", "limit"),
    {},
)
# Vectors read per statement while a copy catches up.
_VECTOR_BATCH = 10_000
# The refusal's words by (model, bound), once a copy would have passed the bound: kept (as
# words, never the exception, whose frames would keep the copy) for the rest of the process.
_REFUSED: dict[tuple[str, int], str] = {}


PGVECTOR_DIMENSIONS = Statement(
    "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'recommendation_embeddings'::regclass "
    "AND attname = 'embedding_vector' AND NOT attisdropped",
    (),
    {},
    one_plan=True,
)
# HNSW's candidate list (`hnsw.ef_search`, set on the read connections) bounds what one query
# returns: 1,000, the most a hybrid search fuses.
NEAREST_INDEXED = Statement(
    "SELECT recommendation_id, 1 - (embedding_vector <=> $1::vector) AS similarity "
    "FROM recommendation_embeddings WHERE model = $2 AND embedding_vector IS NOT NULL "
    "ORDER BY embedding_vector <=> $1::vector LIMIT $3",
    ("vector", "model", "limit"),
    {},
)
VECTOR_OF = Statement(
    "SELECT embedding FROM recommendation_embeddings WHERE recommendation_id = $1 AND model = $2",
    ("id", "model"),
    {},
    one_plan=True,
)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be used now (rather than that a query is wrong)."""
    # InternalClientError: the connection's protocol was left in another operation's state
    # (a statement cut off by the server); it cannot be used again.
    if isinstance(
        exc,
        OSError | asyncio.TimeoutError | asyncpg.InterfaceError | asyncpg.InternalClientError,
    ):
        return True
    sqlstate = getattr(exc, "sqlstate", None) or ""
    return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_STATES


class Reads:
    """Where a read runs its statements, and the bodies they bind."""

    async def bodies(self) -> Bodies:
        raise NotImplementedError

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        """The rows of `statement` with `values`; DatabaseUnavailable when it cannot answer."""
        raise NotImplementedError

    async def rows(self, query: ClauseElement) -> list[asyncpg.Record]:
        """The rows of `query`, built with its values (`Statement.holding`)."""
        return await self.fetch(Statement.holding(query), {})

    async def vectors(self, model: str, dimensions: int) -> VectorCopy:
        """The vectors of `model` as written so far (a fresh copy, unless a subclass keeps one)."""
        copy = VectorCopy(model, dimensions)
        await self._read_vectors(copy)
        return copy

    async def indexed_dimensions(self) -> int | None:
        """The size of the vectors pgvector indexes in this database, None without pgvector."""
        rows = await self.fetch(PGVECTOR_DIMENSIONS, {})
        return int(rows[0][0]) if rows else None

    async def nearest(
        self, model: str, dimensions: int, vector: Vectors, *, limit: int, minimum: float
    ) -> Neighbours:
        """The `limit` texts most similar to `vector` (at least `minimum`), most similar first:
        by pgvector's HNSW index where the database has one for this size, else exactly, by
        this process's copy."""
        if await self.indexed_dimensions() == dimensions:
            rows = await self.fetch(
                NEAREST_INDEXED,
                {"model": model, "vector": vector_literal(vector), "limit": limit},
            )
            kept = [(row[0], float(row[1])) for row in rows if row[1] >= minimum]
            return Neighbours([i for i, _ in kept], [s for _, s in kept])
        copy = await self.vectors(model, dimensions)
        return copy.nearest(vector, limit=limit, minimum=minimum)

    async def vector_of(
        self, model: str, dimensions: int, recommendation_id: int
    ) -> Vectors | None:
        """The vector of one recommendation's text, None when it has none yet."""
        rows = await self.fetch(VECTOR_OF, {"model": model, "id": recommendation_id})
        if not rows:
            return None
        vector = np.frombuffer(rows[0][0], dtype="<f4")
        return vector if vector.shape[0] == dimensions else None

    async def _read_vectors(self, copy: VectorCopy) -> None:
        """Add to `copy` the vectors written since it was last read; MeaningUnavailable once
        it would hold more than `exact_vectors_max`, before it costs the memory.

        A refusal holds for the rest of the process, whatever reads next (the pool, a page's
        or an export's session): none reads the vectors again to be refused again.
        """
        most = self.exact_vectors_max()
        refused = _REFUSED.get((copy.model, most))
        if refused is not None:
            raise MeaningUnavailable(refused)
        while True:
            rows = await self.fetch(
                VECTORS_SINCE,
                {"model": copy.model, "after": copy.last_seq, "limit": _VECTOR_BATCH},
            )
            copy.add([(row[0], row[1], row[2]) for row in rows])
            if len(copy) > most:
                logger.warning("meaning_unavailable", model=copy.model, most=most)
                _REFUSED[(copy.model, most)] = detail = (
                    f"Search by meaning needs pgvector on the database server beyond {most:,} "
                    "texts with vectors (SUIVI_EXACT_VECTORS_MAX); search by words "
                    "(search=lexical) meanwhile."
                )
                raise MeaningUnavailable(detail)
            if len(rows) < _VECTOR_BATCH:
                return

    def exact_vectors_max(self) -> int:
        """The most vectors a copy may hold (the settings', read at each catching up)."""
        return get_settings().exact_vectors_max

    @staticmethod
    def of_session(session: AsyncSession) -> "SessionReads":
        """Reads inside `session`'s connection and transaction: what it wrote, they see."""
        return SessionReads(session)


@contextmanager
def _answering(connection: asyncpg.Connection) -> Iterator[None]:
    """DatabaseUnavailable (the connection terminated, never reused) when the server cannot
    answer what is sent on `connection` inside."""
    try:
        yield
    except Exception as exc:
        if unavailable(exc):
            # Its protocol may be left mid-operation: the pool replaces it, not reuses it.
            # A connection the server closed was already handed back by the pool itself,
            # whose proxy then refuses every call.
            with suppress(asyncpg.InterfaceError):
                connection.terminate()
            raise DatabaseUnavailable("The database cannot be reached; retry later.") from exc
        raise


async def fetch_on(
    connection: asyncpg.Connection, statement: Statement, values: Mapping[str, Any]
) -> list[asyncpg.Record]:
    """The rows of `statement` on `connection`; DatabaseUnavailable (the connection
    terminated, never reused) when the server cannot answer."""
    with _answering(connection):
        rows: list[asyncpg.Record] = await connection.fetch(
            statement.sql, *statement.arguments(values)
        )
    return rows


class SessionReads(Reads):
    """Reads on an ORM session's connection, inside its transaction (pages, tests)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._bodies: Bodies | None = None

    async def _connection(self) -> asyncpg.Connection:
        raw = await (await self._session.connection()).get_raw_connection()
        connection: asyncpg.Connection = raw.driver_connection
        return connection

    async def bodies(self) -> Bodies:
        if self._bodies is None:
            connection = await self._connection()
            self._bodies = Bodies(await connection.fetch(BODIES_QUERY))
        return self._bodies

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        return await fetch_on(await self._connection(), statement, values)


async def _set_codecs(connection: asyncpg.Connection) -> None:
    # JSON and JSONB as the API writes them, parsed by orjson as the ORM engine does.
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name,
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    # The default reset is a round trip per release (RESET ALL, UNLISTEN *, CLOSE ALL...):
    # these connections never open a transaction, a cursor or a listener, and the one setting
    # they change (`plan_cache_mode`, by ReadPool._plan_as) is meant to outlast a release.
    return None


def connect_arguments(url: str, settings: Settings) -> dict[str, Any]:
    """asyncpg's arguments for `url`, as SQLAlchemy's engine would connect, read-only."""
    _, arguments = _DIALECT.create_connect_args(make_url(url))  # type: ignore[no-untyped-call]
    return {
        **arguments,
        "timeout": CONNECT_TIMEOUT_SECONDS,
        # A relevance page's statement is about 28 KB (each part of the recent window repeats
        # the search's conditions): past asyncpg's 15 KB default it would be parsed afresh each
        # time instead of prepared once per connection.
        "max_cacheable_statement_size": 64 * 1024,
        "server_settings": {
            "application_name": "suivi",
            "statement_timeout": str(settings.statement_timeout_ms),
            "jit": "off",
            # A read path that cannot write, whatever a statement says.
            "default_transaction_read_only": "on",
            # A plan per execution unless a statement says one plan serves (ReadPool then
            # switches the connection to `auto`): a generic plan cannot see the values a
            # statement binds (a full-text query, a year, a theme), whose shares of the rows
            # differ by orders of magnitude.
            "plan_cache_mode": "force_custom_plan",
            # pgvector's, where the database has it (a placeholder elsewhere): an HNSW search
            # returns up to this many of the nearest vectors.
            "hnsw.ef_search": "1000",
        },
    }


class ReadPool(Reads):
    """A pool of read-only connections and this process's copy of the bodies.

    Each statement takes a connection and gives it back as soon as its rows are read: a
    request holds none while it serialises and sends its answer. A statement that one plan
    serves (`Statement.one_plan`: a State's page of defenders) runs on a connection that keeps
    its prepared plans; planning a list page each time cost as much as running it.
    """

    def __init__(self, url: str, settings: Settings) -> None:
        self._arguments = connect_arguments(url, settings)
        self._exact_vectors_max = settings.exact_vectors_max
        self._size = settings.db_pool_size
        self._pool: asyncpg.Pool | None = None
        self._starting: asyncio.Lock | None = None
        self._listener: asyncpg.Connection | None = None
        self._listening: asyncio.Lock | None = None
        self._bodies: Bodies | None = None
        # Bumped by every notification: a copy loaded across one is not kept.
        self._generation = 0
        self._vectors: dict[str, VectorCopy] = {}
        self._reading_vectors: asyncio.Lock | None = None
        # Read once: only a migration adds the index, and `suivi serve` migrates first.
        self._indexed: tuple[int | None] | None = None
        # Whether each connection (by server process) keeps plans (`plan_cache_mode` auto) or
        # plans each execution, as it connects; not known after an interrupted switch.
        self._keeping_plans: dict[int, bool] = {}

    async def _open(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        self._starting = self._starting or asyncio.Lock()
        async with self._starting:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    **self._arguments,
                    min_size=0,
                    max_size=self._size,
                    init=self._prepare_connection,
                    reset=_nothing_to_reset,
                )
        return self._pool

    async def _prepare_connection(self, connection: asyncpg.Connection) -> None:
        await _set_codecs(connection)
        # A new connection plans each execution, whatever an earlier one of its process id did.
        self._keeping_plans[connection.get_server_pid()] = False

    async def _plan_as(self, connection: asyncpg.Connection, statement: Statement) -> None:
        """Switch `connection` to keep plans, or to plan each execution, as `statement` asks:
        one round trip, only when the connection's last statement asked otherwise."""
        process = connection.get_server_pid()
        if self._keeping_plans.get(process) is statement.one_plan:
            return
        mode = "auto" if statement.one_plan else "force_custom_plan"
        # Not known until the server answers: a request cancelled meanwhile leaves the next
        # statement to set it again.
        self._keeping_plans.pop(process, None)
        with _answering(connection):
            await connection.execute(f"SET plan_cache_mode = {mode}")
        self._keeping_plans[process] = statement.one_plan

    async def close(self) -> None:
        """Close the listener and the pool."""
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _changed(self, *_: object) -> None:
        self._generation += 1
        self._bodies = None

    def _lost(self, connection: object) -> None:
        # Without a listener no change would be heard: keep nothing until one listens again.
        if connection is self._listener:
            self._listener = None
            self._changed()

    async def _listen(self) -> bool:
        """Whether this process hears reference changes (listening again if it was cut off).

        One listener at a time: concurrent first reads wait for the same connection rather
        than each opening one (a dropped extra would announce its own end as a loss).
        """
        if self._listener is not None:
            return True
        self._listening = self._listening or asyncio.Lock()
        async with self._listening:
            if self._listener is not None:
                return True
            arguments = dict(self._arguments)
            arguments["server_settings"] = {
                **arguments["server_settings"],
                "application_name": "suivi-listener",
            }
            try:
                listener = await asyncpg.connect(**arguments)
                await listener.add_listener(REFERENCE_CHANNEL, self._changed)
            except _CONNECT_FAILURES:
                # Read on without a copy; the next read tries to listen again.
                return False
            listener.add_termination_listener(self._lost)
            self._listener = listener
            # Heard from now on; a copy read before may predate a change it missed.
            self._changed()
            return True

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            pool = await self._open()
            connection = await pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS)
        except _CONNECT_FAILURES as exc:
            # Refused, timed out, or turned away by the server (starting up, not accepting
            # connections, too many clients): all the same to a caller, who may only retry.
            raise DatabaseUnavailable("The database cannot be reached; retry later.") from exc
        try:
            yield connection
        finally:
            await pool.release(connection)

    async def bodies(self) -> Bodies:
        """This process's copy of the bodies, read again after a change was announced."""
        if self._bodies is not None:
            return self._bodies
        listening = await self._listen()
        generation = self._generation
        async with self._connection() as connection:
            rows = await fetch_on(connection, Statement(BODIES_QUERY, (), {}), {})
        bodies = Bodies(rows)
        if listening and generation == self._generation:
            self._bodies = bodies
        return bodies

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        async with self._connection() as connection:
            await self._plan_as(connection, statement)
            return await fetch_on(connection, statement, values)

    async def indexed_dimensions(self) -> int | None:
        if self._indexed is None:
            self._indexed = (await super().indexed_dimensions(),)
        return self._indexed[0]

    def exact_vectors_max(self) -> int:
        return self._exact_vectors_max

    async def vectors(self, model: str, dimensions: int) -> VectorCopy:
        """This process's copy of `model`'s vectors, with whatever was written since."""
        copy = self._vectors.get(model)
        if copy is None or copy.dimensions != dimensions:
            copy = self._vectors[model] = VectorCopy(model, dimensions)
        self._reading_vectors = self._reading_vectors or asyncio.Lock()
        async with self._reading_vectors:
            try:
                await self._read_vectors(copy)
            except MeaningUnavailable:
                # The memory goes back: nothing keeps the copy once the refusal is answered.
                self._vectors.pop(model, None)
                raise
        return copy
