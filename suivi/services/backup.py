"""Backups and restores: pg_dump archives of Suivi's database, and what a restore must pass.

A backup is one `pg_dump --format=custom` run, so one snapshot: every table, the audit chain
and the change feed as of the same instant (sequences are read after it, so they never run behind
the rows). A restore goes into an empty database only, in one
transaction, and is then checked the way an operator would check it (`suivi audit verify`,
`suivi summaries check`), so that a backup is known to restore before anyone needs it to.
"""

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlencode

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from suivi.db import (
    alembic_config,
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.errors import SuiviError
from suivi.services import audit, summaries
from suivi.settings import Settings

T = TypeVar("T")


class BackupError(Exception):
    """A backup or restore that cannot go on; its message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class Target:
    """How a PostgreSQL client program reaches the database, without a secret in its arguments."""

    database: str
    url: str
    env: dict[str, str]


@dataclass(frozen=True, slots=True)
class Tool:
    """A PostgreSQL client program and the major version it reports."""

    path: Path
    version: str
    major: int


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What `backup` wrote."""

    file: Path
    size: int
    database: str
    revision: str
    tool: Tool


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The last event of the audit chain: the next one is chained onto its hash."""

    id: int
    hash: str


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What `restore` loaded and what the checks after it found."""

    file: Path
    database: str
    revision: str
    upgraded_to: str | None
    counts: dict[str, int]
    audit_head: AuditHead | None
    # The cursor (commit number, event id) of the last change in the feed.
    feed_head: tuple[int, int] | None
    tool: Tool


# libpq's own URL parameters, passed on as they are; asyncpg-only ones have no libpq meaning.
_LIBPQ_PARAMETERS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "application_name",
        "connect_timeout",
        "options",
        "target_session_attrs",
        "passfile",
    }
)
_SSL_MODES = frozenset({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})


def target(url: str) -> Target:
    """The libpq form of an SQLAlchemy `postgresql+asyncpg://` URL; the password goes to the
    child's `PGPASSWORD`, since a command line is readable by every user of the machine."""
    parsed = make_url(url)
    env = dict(os.environ)
    query: list[tuple[str, str]] = []
    password = parsed.password
    for key, raw in parsed.query.items():
        values = [raw] if isinstance(raw, str) else list(raw)
        if key == "password":
            password = values[0]
        elif key == "ssl":
            # asyncpg's spelling of sslmode; `true` is its "require".
            mode = "require" if values[0].lower() in {"true", "1"} else values[0]
            if mode in _SSL_MODES:
                query.append(("sslmode", mode))
        elif key in _LIBPQ_PARAMETERS:
            query.append((key, ",".join(values)))
    if password:
        env["PGPASSWORD"] = str(password)
    host = parsed.host or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = quote(parsed.username or "", safe="") + ("@" if parsed.username else "") + host
    if parsed.port:
        netloc += f":{parsed.port}"
    database = parsed.database or ""
    libpq = f"postgresql://{netloc}/{quote(database, safe='')}"
    if query:
        libpq += "?" + urlencode(query)
    return Target(database=database, url=libpq, env=env)


_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.\d+)*")


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a program to its end; its exit status, standard output and standard error."""
    done = subprocess.run(
        args,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        text=True,
        errors="replace",
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _error_line(stderr: str, code: int) -> str:
    """The first error a PostgreSQL client program printed, on one line."""
    lines = [" ".join(line.split()) for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    return lines[0] if lines else f"exit status {code}"


def bundled_tool_path(name: str) -> Path | None:
    """`name` among the programs the pgserver package ships, or None without them."""
    with warnings.catch_warnings():
        # As in suivi/embedded.py: without XDG_RUNTIME_DIR platformdirs says it uses /tmp.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        try:
            # Imported here: only a missing or old PATH program, or the embedded server, needs it.
            from pgserver._commands import POSTGRES_BIN_PATH
        except ImportError:
            return None
    found = shutil.which(name, path=str(POSTGRES_BIN_PATH))
    return Path(found) if found else None


def _tool_at(path: Path) -> Tool:
    code, out, _ = _run(str(path), "--version")
    match = _VERSION.search(out)
    if code or match is None:
        raise BackupError(f"{path} --version did not report a PostgreSQL version")
    return Tool(path=path, version=match[0].removeprefix("(PostgreSQL) "), major=int(match[1]))


def find_tool(name: str, *, embedded: bool, server_major: int) -> Tool:
    """The client program `name`, refused when it is older than the server it would serve.

    The embedded server is served by its own programs. A configured server is served by
    PATH's program, or, when that is missing or older than the server, by the programs
    the pgserver package ships, so that a machine with old client programs still works.
    """
    # pg_dump refuses servers newer than itself; pg_restore is held to the same rule, so
    # that an archive this server's pg_dump writes is one the restore can read back.
    if embedded:
        bundled = bundled_tool_path(name)
        if bundled is None:
            raise BackupError(
                f"{name} not found among the embedded server's programs: "
                "reinstall the pgserver package"
            )
        return _tool_at(bundled)
    found = shutil.which(name)
    on_path = _tool_at(Path(found)) if found else None
    if on_path is not None and on_path.major >= server_major:
        return on_path
    bundled = bundled_tool_path(name)
    fallback = _tool_at(bundled) if bundled else None
    if fallback is not None and fallback.major >= server_major:
        return fallback
    if on_path is None:
        problem = f"{name} not found on PATH"
    else:
        problem = (
            f"{on_path.path} is PostgreSQL {on_path.version}, older than the server's "
            f"{server_major}"
        )
    if fallback is not None:
        problem += f", and the bundled {fallback.path} is PostgreSQL {fallback.version}"
    raise BackupError(
        f"{problem}: put the client programs of PostgreSQL {server_major} or newer first on PATH"
    )


async def schema_revision(session: AsyncSession) -> str | None:
    """The database's alembic revision, or None when it has no Suivi schema."""
    if await session.scalar(text("SELECT to_regclass('public.alembic_version')")) is None:
        return None
    revision: str | None = await session.scalar(
        text("SELECT version_num FROM public.alembic_version")
    )
    return revision


async def existing_relations(session: AsyncSession) -> list[str]:
    """What makes a database unfit to restore into: anything in `public`, and an
    `alembic_version` anywhere (a Suivi schema elsewhere on the search path is still one)."""
    rows = await session.scalars(
        text(
            """
            SELECT n.nspname || '.' || c.relname
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND (n.nspname = 'public' OR c.relname = 'alembic_version')
            ORDER BY 1
            """
        )
    )
    return list(rows)


async def table_counts(session: AsyncSession) -> dict[str, int]:
    """The exact number of rows of every table of the `public` schema, by name."""
    names = list(
        await session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
    )
    counts: dict[str, int] = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = await session.scalar(text(f"SELECT count(*) FROM public.{quoted}")) or 0
    return counts


async def audit_head(session: AsyncSession) -> AuditHead | None:
    """The last event of the audit chain, or None when it is empty."""
    row = (
        await session.execute(text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"))
    ).first()
    return AuditHead(id=row.id, hash=row.hash) if row else None


async def feed_head(session: AsyncSession) -> tuple[int, int] | None:
    """The cursor (commit number, event id) of the change feed's last event, if any."""
    row = (
        await session.execute(
            text(
                """
                SELECT t.seq, e.id FROM feed_transactions t
                JOIN change_events e ON e.txid = t.txid AND e.occurred_at = t.started_at
                WHERE t.seq IS NOT NULL
                ORDER BY t.seq DESC, e.id DESC LIMIT 1
                """
            )
        )
    ).first()
    return (row.seq, row.id) if row else None


async def problems(session: AsyncSession) -> list[str]:
    """What `suivi audit verify` and `suivi summaries check` would find wrong, if anything."""
    found: list[str] = []
    try:
        broken = await audit.verify(session)
    except SuiviError as exc:
        # The archive does not hold SUIVI_AUDIT_KEY: the restoring process needs the source's.
        found.append(f"the audit chain cannot be checked: {exc.detail}")
    else:
        if broken is not None:
            found.append(
                f"the audit chain is broken at event {broken.id}: do not serve this database"
            )
    if any((await summaries.check(session)).values()):
        found.append(
            "the statistics summaries differ from the recommendations: "
            "run `suivi summaries rebuild`"
        )
    return found


@dataclass(frozen=True, slots=True)
class _Probe:
    """What a backup or a restore must know of the database before it starts."""

    major: int
    revision: str | None
    existing: list[str]


async def _probe(session: AsyncSession) -> _Probe:
    number = await session.scalar(text("SELECT current_setting('server_version_num')::int"))
    return _Probe(
        major=int(number or 0) // 10_000,
        revision=await schema_revision(session),
        existing=await existing_relations(session),
    )


def _in_database(url: str, settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the database of `url`."""

    async def main() -> T:
        engine = create_engine(url, settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _connect(url: str, settings: Settings, database: str) -> _Probe:
    """Probe the database, a failure to reach it being one line, not a traceback."""
    try:
        return _in_database(url, settings, _probe)
    except (OSError, DBAPIError) as exc:
        cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        detail = " ".join(str(cause).split())
        raise BackupError(f"cannot connect to database {database}: {detail}") from exc


def _list(pg_restore: Tool, file: Path) -> None:
    """Refuse a file pg_restore cannot read as an archive (its table of contents)."""
    code, _, err = _run(str(pg_restore.path), "--list", str(file))
    if code:
        raise BackupError(f"{file} is not a readable backup archive: {_error_line(err, code)}")


def _archive_revisions(pg_restore: Tool, file: Path) -> list[str]:
    """The rows of the archive's `alembic_version`, read without restoring anything."""
    code, out, err = _run(
        str(pg_restore.path),
        "--data-only",
        "--schema=public",
        "--table=alembic_version",
        "--file=-",
        str(file),
    )
    if code:
        raise BackupError(f"cannot read {file}: {_error_line(err, code)}")
    revisions: list[str] = []
    copying = False
    for line in out.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying:
            revisions.append(line.strip())
    return revisions


def check_revision(file: Path, revisions: list[str], script: ScriptDirectory) -> str:
    """The archive's revision, refused unless this code's migrations know it."""
    if not revisions:
        raise BackupError(f"{file} holds no alembic_version: it is not a backup of Suivi")
    known = {revision.revision for revision in script.walk_revisions()}
    head = script.get_current_head()
    for revision in revisions:
        if revision not in known:
            raise BackupError(
                f"{file} is at schema revision {revision}, which this Suivi does not know "
                f"(its newest is {head}): the backup was taken by a newer Suivi. Upgrade Suivi "
                "to that version or a later one first, then restore; a schema never moves back."
            )
    if len(revisions) > 1:
        raise BackupError(f"{file} records several schema revisions: {', '.join(revisions)}")
    return revisions[0]


def _owner_url(settings: Settings) -> str:
    # The schema owner's: it reads every table, and what a restore creates must be its own.
    return migration_url(settings, resolve_database_url(settings))


def backup(settings: Settings, file: Path) -> BackupReport:
    """Write a pg_dump custom-format archive of the database to `file`, replacing it whole."""
    embedded = settings.database_url is None
    directory = file.parent
    if not directory.is_dir():
        raise BackupError(f"cannot write {file}: {directory} is not a directory")
    url = _owner_url(settings)
    where = target(url)
    probe = _connect(url, settings, where.database)
    pg_dump = find_tool("pg_dump", embedded=embedded, server_major=probe.major)
    pg_restore = find_tool("pg_restore", embedded=embedded, server_major=probe.major)
    if probe.revision is None:
        raise BackupError(
            f"database {where.database} has no Suivi schema (no alembic_version): "
            "nothing to back up"
        )
    # Written beside `file` and renamed over it, so that a failed run never leaves a
    # truncated file where the last good backup was. mkstemp makes it readable by its owner
    # alone and pg_dump keeps that mode: the archive holds defenders' submissions.
    descriptor, partial_name = tempfile.mkstemp(
        prefix=f".{file.name}.", suffix=".partial", dir=directory
    )
    os.close(descriptor)
    partial = Path(partial_name)
    try:
        code, _, err = _run(
            str(pg_dump.path),
            "--format=custom",
            "--no-password",
            f"--file={partial}",
            f"--dbname={where.url}",
            env=where.env,
        )
        if code:
            raise BackupError(f"pg_dump failed: {_error_line(err, code)}")
        _list(pg_restore, partial)
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(
        file=file,
        size=file.stat().st_size,
        database=where.database,
        revision=probe.revision,
        tool=pg_dump,
    )


@dataclass(frozen=True, slots=True)
class _Contents:
    """A restored database as the checks found it."""

    problems: list[str]
    counts: dict[str, int]
    audit_head: AuditHead | None
    feed_head: tuple[int, int] | None


async def _contents(session: AsyncSession) -> _Contents:
    # pg_restore loads no planner statistics: the first requests would plan blind.
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await session.execute(text("ANALYZE"))
    return _Contents(
        problems=await problems(session),
        counts=await table_counts(session),
        audit_head=await audit_head(session),
        feed_head=await feed_head(session),
    )


def restore(settings: Settings, file: Path) -> RestoreReport:
    """Restore the archive `file` into the empty database, in one transaction, then check it."""
    if not file.is_file():
        raise BackupError(f"no backup archive at {file}")
    embedded = settings.database_url is None
    url = _owner_url(settings)
    where = target(url)
    probe = _connect(url, settings, where.database)
    pg_restore = find_tool("pg_restore", embedded=embedded, server_major=probe.major)
    _list(pg_restore, file)
    script = ScriptDirectory.from_config(alembic_config(url))
    revision = check_revision(file, _archive_revisions(pg_restore, file), script)
    if probe.existing:
        more = len(probe.existing) - 3
        shown = ", ".join(probe.existing[:3]) + (f" and {more} more" if more > 0 else "")
        hint = (
            "start from a new SUIVI_DATA_DIR"
            if embedded
            else "create a new empty database and point SUIVI_DATABASE_URL at it"
        )
        raise BackupError(
            f"database {where.database} is not empty (it holds {shown}): a restore goes only "
            f"into an empty database; {hint}"
        )
    code, _, err = _run(
        str(pg_restore.path),
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-password",
        f"--dbname={where.url}",
        str(file),
        env=where.env,
    )
    if code:
        raise BackupError(f"pg_restore failed, nothing was restored: {_error_line(err, code)}")
    head = script.get_current_head()
    upgraded_to = None
    if revision != head:
        # What `suivi serve` would do at start; the checks read the current schema.
        upgrade_database(url)
        upgraded_to = head
    contents = _in_database(url, settings, _contents)
    if contents.problems:
        raise BackupError(
            f"restored {file} into database {where.database}, but "
            + "; and ".join(contents.problems)
        )
    return RestoreReport(
        file=file,
        database=where.database,
        revision=revision,
        upgraded_to=upgraded_to,
        counts=contents.counts,
        audit_head=contents.audit_head,
        feed_head=contents.feed_head,
        tool=pg_restore,
    )
