"""`suivi backup` and `suivi restore` as an operator runs them: a restore drill on real data.

The drill loads the real UPR Info export, runs the follow-up workflow over it, backs it up,
restores the archive into a new database and checks that the copy is the same database: every
table, the audit chain's head, the change feed, and that both go on from where they stopped.
"""

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from api.pagination import decode_cursor, encode_cursor
from suivi.db import alembic_config, resolve_database_url, upgrade_database
from suivi.embedded import release_embedded
from suivi.services import backup as backup_service
from suivi.settings import Settings
from tests.app_client import api_client
from tests.commands import SUIVI, run_suivi
from tests.databases import create_database, drop_database
from tests.factories import bearer
from tests.paths import UPR_INFO_REAL
from tests.real_data import require

FEED = """
    SELECT t.seq, e.id, e.kind, e.object_type, e.object_id
    FROM feed_transactions t
    JOIN change_events e ON e.txid = t.txid AND e.occurred_at = t.started_at
    ORDER BY t.seq, e.id
"""


async def _suivi(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_suivi, *args, database_url=url)


async def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql))]
    finally:
        await engine.dispose()


async def _execute(url: str, *statements: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _table_counts(url: str) -> dict[str, int]:
    """The rows of every table outside PostgreSQL's own schemas, by qualified name."""
    engine = create_async_engine(url)
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as connection:
            tables = await connection.execute(
                text(
                    "SELECT schemaname, tablename FROM pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )
            )
            for schema, table in tables.all():
                count = await connection.scalar(text(f'SELECT count(*) FROM "{schema}"."{table}"'))
                counts[f"{schema}.{table}"] = count or 0
    finally:
        await engine.dispose()
    return counts


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _publish_update(
    client: httpx.AsyncClient,
    recommendation_id: int,
    *,
    submitter: dict[str, str],
    staff: dict[str, str],
    narrative: str,
) -> int:
    """Submit a confidential civil-society update and publish it; its id."""
    update = _created(
        await client.post(
            f"/v1/recommendations/{recommendation_id}/updates",
            json={
                "source_type": "civil_society",
                "assessed_status": "not_implemented",
                "narrative": narrative,
                "as_of_date": "2024-12-01",
                "confidentiality": "confidential_submitter",
            },
            headers=submitter,
        )
    )
    published = await client.post(f"/v1/updates/{update['id']}/publish", headers=staff)
    assert published.status_code == 200, published.text
    return int(update["id"])


async def _keys(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """An office staff key and a civil-society submitter key, made as the operator makes them."""
    created = await asyncio.gather(
        _suivi(url, "orgs", "create", "OHCHR Tunisia", "--kind", "office"),
        _suivi(url, "orgs", "create", "Ligue des défenseurs", "--kind", "civil_society"),
    )
    assert [done.returncode for done in created] == [0, 0], [d.stderr for d in created]
    keys = await asyncio.gather(
        _suivi(url, "keys", "create", "--org", "OHCHR Tunisia", "--role", "staff", "--json"),
        _suivi(
            url, "keys", "create", "--org", "Ligue des défenseurs", "--role", "submitter", "--json"
        ),
    )
    assert [done.returncode for done in keys] == [0, 0], [d.stderr for d in keys]
    staff, submitter = (bearer(json.loads(done.stdout)["key"]) for done in keys)
    return staff, submitter


@dataclass(frozen=True)
class Drill:
    """A real database, the archive of it, and its restored copy."""

    source: str
    restored: str
    restore: subprocess.CompletedProcess[str]
    staff: dict[str, str]
    submitter: dict[str, str]
    recommendation_id: int


@pytest.fixture(scope="module")
async def drill(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Drill]:
    real = str(require(UPR_INFO_REAL))
    source = await create_database(admin_url, prefix="suivi_scratch")
    restored = await create_database(admin_url, prefix="suivi_scratch")
    archive = tmp_path_factory.mktemp("backups") / "suivi.dump"
    try:
        imported = await _suivi(source, "import", real)
        assert imported.returncode == 0, imported.stderr
        staff, submitter = await _keys(source)
        async with api_client(source) as client:
            [rec] = (await client.get("/v1/recommendations", params={"limit": 1})).json()["items"]
            action = _created(
                await client.post(
                    "/v1/actions",
                    json={
                        "kind": "legislation",
                        "title": "Law on associations",
                        "state": rec["state"],
                        "status": "ongoing",
                    },
                    headers=staff,
                )
            )
            linked = await client.put(
                f"/v1/recommendations/{rec['id']}/actions/{action['id']}",
                json={"note": "Removes prior authorisation."},
                headers=staff,
            )
            assert linked.status_code == 201, linked.text
            await _publish_update(
                client,
                rec["id"],
                submitter=submitter,
                staff=staff,
                narrative="Two defenders were summoned after the review.",
            )
            _created(
                await client.post(
                    f"/v1/recommendations/{rec['id']}/grades",
                    json={
                        "grade": "B",
                        "assessor_kind": "office",
                        "assessor": "OHCHR Tunisia",
                        "graded_date": "2024-06-01",
                    },
                    headers=staff,
                )
            )

        backed_up = await _suivi(source, "backup", str(archive))
        assert backed_up.returncode == 0, backed_up.stderr
        # The archive holds defenders' submissions: its owner alone may read it.
        assert archive.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in archive.parent.iterdir()] == ["suivi.dump"]
        restore = await _suivi(restored, "restore", str(archive))
        yield Drill(source, restored, restore, staff, submitter, rec["id"])
    finally:
        await drop_database(admin_url, source)
        await drop_database(admin_url, restored)


async def test_restore_reproduces_every_table_the_audit_head_and_the_feed(drill: Drill) -> None:
    assert drill.restore.returncode == 0, drill.restore.stderr
    assert "The audit chain is intact" in drill.restore.stderr
    assert "Both summaries match" in drill.restore.stderr

    counts = await _table_counts(drill.source)
    assert await _table_counts(drill.restored) == counts
    assert counts["public.recommendations"] > 5000
    for table in ("state_actions", "action_recommendations", "progress_updates"):
        assert counts[f"public.{table}"] == 1
    assert counts["public.follow_up_grades"] == 1
    head = "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
    assert await _rows(drill.restored, head) == await _rows(drill.source, head)
    feed = await _rows(drill.source, FEED)
    assert await _rows(drill.restored, FEED) == feed
    assert feed[-1][2] == "grade.created"


async def test_restored_database_passes_audit_verify_and_summaries_check(drill: Drill) -> None:
    checks = await asyncio.gather(
        _suivi(drill.restored, "audit", "verify"), _suivi(drill.restored, "summaries", "check")
    )

    assert [done.returncode for done in checks] == [0, 0], [d.stderr for d in checks]


async def test_a_new_write_continues_the_feed_and_the_audit_chain(drill: Drill) -> None:
    """Restored sequences and feed numbers carry on: a reader's cursor misses nothing."""
    seq, event_id, *_ = (await _rows(drill.restored, FEED))[-1]
    tail = encode_cursor([seq, event_id])
    [(head_id, head_hash)] = await _rows(
        drill.restored, "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
    )
    async with api_client(drill.restored) as client:
        before = await client.get("/v1/changes", params={"since": tail})
        update_id = await _publish_update(
            client,
            drill.recommendation_id,
            submitter=drill.submitter,
            staff=drill.staff,
            narrative="A third defender was detained after the restore drill.",
        )
        after = (await client.get("/v1/changes", params={"since": tail})).json()["items"]

    assert before.json()["items"] == []
    assert [(item["kind"], item["object_id"]) for item in after] == [
        ("update.published", str(update_id))
    ]
    assert tuple(decode_cursor(after[0]["cursor"], types=(int, int))) > (seq, event_id)
    chained = await _rows(
        drill.restored,
        f"SELECT previous_hash FROM audit_events WHERE id > {head_id} ORDER BY id LIMIT 1",
    )
    assert chained == [(head_hash,)]
    verified = await _suivi(drill.restored, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


@pytest.fixture(scope="module")
async def small(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    """The archive of a freshly migrated database, backed up in-process to be quick."""
    url = await create_database(admin_url, prefix="suivi_scratch")
    archive = tmp_path_factory.mktemp("small") / "small.dump"
    try:
        await asyncio.to_thread(upgrade_database, url)
        await asyncio.to_thread(backup_service.backup, Settings(database_url=url), archive)
        yield archive
    finally:
        await drop_database(admin_url, url)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr


async def test_restore_refuses_a_database_that_is_not_empty(
    small: Path, empty_database_url: str
) -> None:
    await asyncio.to_thread(upgrade_database, empty_database_url)
    before = await _table_counts(empty_database_url)

    refused = await _suivi(empty_database_url, "restore", str(small))

    message = _one_line(refused)
    assert "is not empty" in message
    assert "public.alembic_version" in message
    assert await _table_counts(empty_database_url) == before


async def test_restore_refuses_a_suivi_schema_outside_public(
    small: Path, empty_database_url: str
) -> None:
    await _execute(
        empty_database_url,
        "CREATE SCHEMA old",
        "CREATE TABLE old.alembic_version (version_num varchar(32))",
    )

    refused = await _suivi(empty_database_url, "restore", str(small))

    assert "old.alembic_version" in _one_line(refused)
    assert list(await _table_counts(empty_database_url)) == ["old.alembic_version"]


async def test_a_missing_archive_exits_1(tmp_path: Path, empty_database_url: str) -> None:
    missing = tmp_path / "nowhere.dump"

    refused = await _suivi(empty_database_url, "restore", str(missing))

    assert f"no backup archive at {missing}" in _one_line(refused)


def _damaged(archive: Path, copy: Path, damage: str) -> Path:
    """`copy`: garbage, or `archive` cut short inside its last table's data (after the table
    of contents, which pg_restore reads first)."""
    content = archive.read_bytes()
    copy.write_bytes(b"not an archive\n" * 100 if damage == "garbage" else content[:-64])
    return copy


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
async def test_a_corrupt_archive_exits_1_and_restores_nothing(
    damage: str, small: Path, tmp_path: Path, empty_database_url: str
) -> None:
    corrupt = await asyncio.to_thread(_damaged, small, tmp_path / "corrupt.dump", damage)

    refused = await _suivi(empty_database_url, "restore", str(corrupt))

    expected = {
        "garbage": f"{corrupt} is not a readable backup archive",
        # The table of contents reads; the data runs out inside the one transaction.
        "truncated": "pg_restore failed, nothing was restored",
    }
    assert expected[damage] in _one_line(refused)
    assert await _table_counts(empty_database_url) == {}


async def test_an_archive_from_a_newer_suivi_is_refused_with_the_upgrade_order(
    admin_url: str, tmp_path: Path, empty_database_url: str
) -> None:
    newer = await create_database(admin_url, prefix="suivi_scratch")
    archive = tmp_path / "newer.dump"
    try:
        await asyncio.to_thread(upgrade_database, newer)
        await _execute(newer, "UPDATE alembic_version SET version_num = '9999'")
        await asyncio.to_thread(backup_service.backup, Settings(database_url=newer), archive)
    finally:
        await drop_database(admin_url, newer)

    refused = await _suivi(empty_database_url, "restore", str(archive))

    message = _one_line(refused)
    assert "schema revision 9999" in message
    assert "Upgrade Suivi" in message
    assert await _table_counts(empty_database_url) == {}


async def test_an_archive_from_an_older_suivi_is_restored_then_migrated(
    admin_url: str, tmp_path: Path, empty_database_url: str
) -> None:
    script = ScriptDirectory.from_config(alembic_config(empty_database_url))
    head = script.get_current_head()
    assert head is not None
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    older = await create_database(admin_url, prefix="suivi_scratch")
    archive = tmp_path / "older.dump"
    try:
        await asyncio.to_thread(upgrade_database, older, previous)
        await asyncio.to_thread(backup_service.backup, Settings(database_url=older), archive)
    finally:
        await drop_database(admin_url, older)

    done = await _suivi(empty_database_url, "restore", str(archive))

    assert done.returncode == 0, done.stderr
    assert f"schema revision {previous}, upgraded to {head}" in done.stderr
    assert await _rows(empty_database_url, "SELECT version_num FROM alembic_version") == [(head,)]


@pytest.mark.parametrize("pg_dump", ["absent", "too old"])
async def test_backup_without_a_fit_pg_dump_on_path_uses_the_bundled_one(
    pg_dump: str, tmp_path: Path, drill: Drill
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    if pg_dump == "too old":
        fake = tools / "pg_dump"
        fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        fake.chmod(0o755)
    archive = tmp_path / "suivi.dump"

    done = await asyncio.to_thread(
        run_suivi, "backup", str(archive), database_url=drill.source, env={"PATH": str(tools)}
    )

    bundled = backup_service.find_tool("pg_dump", embedded=True, server_major=0)
    assert done.returncode == 0, done.stderr
    assert f"by pg_dump {bundled.version}." in done.stderr
    assert archive.stat().st_size > 0


@pytest.mark.parametrize("pg_dump", ["absent", "too old"])
def test_no_fit_pg_dump_anywhere_is_refused_naming_both(
    pg_dump: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if pg_dump == "too old":
        fake = tmp_path / "pg_dump"
        fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    bundled = backup_service.find_tool("pg_dump", embedded=True, server_major=0)

    with pytest.raises(backup_service.BackupError) as refused:
        backup_service.find_tool("pg_dump", embedded=False, server_major=bundled.major + 1)

    message = str(refused.value)
    assert ("not found on PATH" if pg_dump == "absent" else "9.6.24, older than the server's") in (
        message
    )
    assert f"the bundled {bundled.path} is PostgreSQL {bundled.version}" in message
    assert f"PostgreSQL {bundled.major + 1} or newer" in message


def test_the_password_goes_to_the_environment_never_the_command_line() -> None:
    where = backup_service.target(
        "postgresql+asyncpg://suivi:s3cr%40t@db.example.org:5433/suivi"
        "?ssl=require&prepared_statement_cache_size=0"
    )

    assert where.url == "postgresql://suivi@db.example.org:5433/suivi?sslmode=require"
    assert where.env["PGPASSWORD"] == "s3cr@t"
    assert where.database == "suivi"


async def test_the_embedded_server_is_backed_up_with_its_own_pg_dump(tmp_path: Path) -> None:
    data_dir = tmp_path / "suivi-data"
    url = await asyncio.to_thread(resolve_database_url, Settings(data_dir=data_dir))
    archive = tmp_path / "embedded.dump"
    try:
        await asyncio.to_thread(upgrade_database, url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
        env["SUIVI_DATA_DIR"] = str(data_dir)
        done = await asyncio.to_thread(
            subprocess.run,
            [*SUIVI, "backup", str(archive)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        await asyncio.to_thread(release_embedded, data_dir)

    assert done.returncode == 0, done.stderr
    bundled = backup_service.find_tool("pg_dump", embedded=True, server_major=0)
    assert f"by pg_dump {bundled.version}." in done.stderr
    assert archive.stat().st_size > 0
