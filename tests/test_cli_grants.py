"""`suivi grants` for real: an owner migrates, a runtime role runs Suivi and cannot rewrite it.

Two roles of their own (dropped at the end) on a database of their own: the owner, which the
database belongs to and which runs the migrations, and the runtime role, which holds only what
`suivi grants` prints.
"""

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import upgrade_database
from suivi.services import grants
from tests.app_client import api_client
from tests.commands import run_suivi
from tests.databases import create_database, drop_database

PERMISSION_DENIED = "42501"


@dataclass(frozen=True)
class Roles:
    """The database's URL as its owner and as the runtime role, and the runtime role's name."""

    owner_url: str
    app_url: str
    app_role: str

    def env(self) -> dict[str, str]:
        """A child `suivi` that migrates as the owner and works as the runtime role."""
        return {"SUIVI_MIGRATION_DATABASE_URL": self.owner_url}


async def _execute(url: str, *statements: str, autocommit: bool = False) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT" if autocommit else None)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _run_script(url: str, script: str) -> None:
    """Run a psql script as psql would: the simple protocol, several statements at once."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            await raw.driver_connection.execute(script)  # type: ignore[union-attr]
    finally:
        await engine.dispose()


async def _rows(url: str, query: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(query))).all())
    finally:
        await engine.dispose()


def _as(url: str, role: str, password: str) -> str:
    return make_url(url).set(username=role, password=password).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
async def roles(admin_url: str) -> AsyncIterator[Roles]:
    suffix = secrets.token_hex(5)
    owner, app = f"suivi_owner_{suffix}", f"suivi_app_{suffix}"
    password = secrets.token_hex(16)
    await _execute(
        admin_url,
        f"CREATE ROLE {owner} LOGIN PASSWORD '{password}'",
        f"CREATE ROLE {app} LOGIN PASSWORD '{password}'",
        autocommit=True,
    )
    url = await create_database(admin_url, prefix="suivi_roles")
    try:
        database = make_url(url).database
        await _execute(admin_url, f'ALTER DATABASE "{database}" OWNER TO {owner}', autocommit=True)
        found = Roles(
            owner_url=_as(url, owner, password), app_url=_as(url, app, password), app_role=app
        )
        await asyncio.to_thread(upgrade_database, found.owner_url)
        printed = await asyncio.to_thread(run_suivi, "grants", app, database_url=found.app_url)
        assert printed.returncode == 0, printed.stderr
        await _run_script(found.owner_url, printed.stdout)
        yield found
    finally:
        await drop_database(admin_url, url)
        await _execute(
            admin_url, f"DROP ROLE IF EXISTS {app}", f"DROP ROLE IF EXISTS {owner}", autocommit=True
        )


def test_the_grants_give_no_ownership_truncate_trigger_or_rewrite() -> None:
    script = grants.script("suivi_app", database="suivi")

    assert "TRUNCATE" not in script
    assert "TRIGGER" not in script
    assert "OWNER" not in script
    assert " ALL " not in script
    assert 'GRANT SELECT, INSERT ON TABLE "audit_events" TO "suivi_app";' in script
    assert 'GRANT SELECT, INSERT ON TABLE "progress_updates" TO "suivi_app";' in script
    assert (
        'GRANT UPDATE ("review_state", "reviewed_at", "reviewed_by_client_id", "review_reason") '
        'ON TABLE "progress_updates" TO "suivi_app";'
    ) in script


def test_a_role_name_cannot_end_the_statement() -> None:
    [connect, *_] = grants.statements('app" TO PUBLIC; --', database="suivi")

    assert connect == 'GRANT CONNECT ON DATABASE "suivi" TO "app"" TO PUBLIC; --"'


async def test_every_table_sequence_and_function_of_the_schema_is_granted(roles: Roles) -> None:
    role = roles.app_role
    unreadable = await _rows(
        roles.owner_url,
        f"SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
        f"AND relkind = 'r' AND relname <> 'alembic_version' "
        f"AND NOT has_table_privilege('{role}', oid, 'SELECT')",
    )
    unusable = await _rows(
        roles.owner_url,
        # OFFSET 0 keeps the privilege check off the tables, which are no sequences.
        f"SELECT relname FROM (SELECT oid, relname FROM pg_class "
        f"WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' OFFSET 0) AS s "
        f"WHERE NOT has_sequence_privilege('{role}', oid, 'USAGE')",
    )
    called = await _rows(
        roles.owner_url,
        "SELECT oid::regprocedure::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
        "AND prorettype <> 'trigger'::regtype",
    )

    assert unreadable == []
    assert unusable == []
    assert {name for (name,) in called} == set(grants.FUNCTIONS)


async def test_the_runtime_role_owns_nothing_and_rewrites_nothing(roles: Roles) -> None:
    role = roles.app_role
    [(owned, forbidden)] = await _rows(
        roles.owner_url,
        f"SELECT (SELECT count(*) FROM pg_class WHERE relowner = '{role}'::regrole), "
        "(SELECT count(*) FROM pg_class, unnest(ARRAY['TRUNCATE', 'TRIGGER', 'REFERENCES']) "
        f"AS p WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
        f"AND has_table_privilege('{role}', oid, p))",
    )
    [guarded] = await _rows(
        roles.owner_url,
        f"SELECT has_table_privilege('{role}', 'audit_events', 'UPDATE'), "
        f"has_table_privilege('{role}', 'audit_events', 'DELETE'), "
        f"has_table_privilege('{role}', 'progress_updates', 'DELETE'), "
        f"has_column_privilege('{role}', 'progress_updates', 'narrative', 'UPDATE'), "
        f"has_column_privilege('{role}', 'progress_updates', 'review_state', 'UPDATE')",
    )

    assert (owned, forbidden) == (0, 0)
    assert tuple(guarded) == (False, False, False, False, True)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET summary = '{}'",
        "TRUNCATE audit_events",
        "DROP TABLE audit_events",
        "DELETE FROM progress_updates",
        "UPDATE progress_updates SET narrative = 'rewritten'",
        "TRUNCATE progress_updates CASCADE",
        "ALTER TABLE progress_updates DISABLE TRIGGER USER",
    ],
)
async def test_the_runtime_role_cannot_lift_the_guards_or_rewrite_the_trail(
    roles: Roles, statement: str
) -> None:
    with pytest.raises(DBAPIError) as refused:
        await _execute(roles.app_url, statement)

    assert getattr(refused.value.orig, "sqlstate", None) == PERMISSION_DENIED


EXPORT = {
    "format": "suivi",
    "version": 1,
    "recommendations": [
        {
            "natural_key": "doc:CCPR/C/TUN/CO/6#14",
            "state": "TUN",
            "mechanism": "treaty_body",
            "body": "CCPR",
            "document_symbol": "CCPR/C/TUN/CO/6",
            "paragraph": "14",
            "language": "en",
            "texts": {"en": "The State party should protect human rights defenders."},
            "date": "2020-04-24",
            "hrd_relevance": "direct",
        }
    ],
}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _key(client: httpx.AsyncClient, admin: dict[str, str], org: int, role: str) -> Any:
    created = _ok(
        await client.post("/v1/keys", json={"organisation_id": org, "role": role}, headers=admin),
        201,
    )
    return {"Authorization": f"Bearer {created['key']}"}


async def test_the_workflow_runs_as_the_runtime_role(roles: Roles) -> None:
    def suivi(*args: str) -> Any:
        done = run_suivi(*args, database_url=roles.app_url, env=roles.env())
        assert done.returncode == 0, done.stderr
        return done.stdout

    await asyncio.to_thread(suivi, "orgs", "create", "OHCHR Tunisia", "--kind", "office")
    created = json.loads(
        await asyncio.to_thread(
            suivi, "keys", "create", "--org", "OHCHR Tunisia", "--role", "admin", "--json"
        )
    )
    admin = {"Authorization": f"Bearer {created['key']}"}

    async with api_client(roles.app_url) as client:
        [office] = [
            o
            for o in _ok(await client.get("/v1/organisations", headers=admin))["items"]
            if o["name"] == "OHCHR Tunisia"
        ]
        staff = await _key(client, admin, office["id"], "staff")
        _ok(
            await client.post(
                "/v1/imports",
                files={"file": ("ccpr.json", json.dumps(EXPORT).encode(), "application/json")},
                headers=staff,
            ),
            201,
        )
        [rec] = _ok(await client.get("/v1/recommendations", params={"q": "defenders"}))["items"]
        ngo = _ok(
            await client.post(
                "/v1/organisations", json={"name": "Ligue", "kind": "civil_society"}, headers=admin
            ),
            201,
        )
        submitter = await _key(client, admin, ngo["id"], "submitter")
        body = {
            "source_type": "civil_society",
            "assessed_status": "not_implemented",
            "narrative": "Defenders were questioned about their reports.",
            "as_of_date": "2024-12-01",
            "confidentiality": "public",
        }
        path = f"/v1/recommendations/{rec['id']}/updates"
        published, rejected, retracted = [
            _ok(await client.post(path, json=body, headers=submitter), 201) for _ in range(3)
        ]
        _ok(await client.post(f"/v1/updates/{published['id']}/publish", headers=staff))
        _ok(
            await client.post(
                f"/v1/updates/{rejected['id']}/reject",
                json={"reason": "Please cite a source."},
                headers=staff,
            )
        )
        _ok(await client.post(f"/v1/updates/{retracted['id']}/retract", headers=submitter))
        detail = _ok(await client.get(f"/v1/recommendations/{rec['id']}"))
        changes = _ok(await client.get("/v1/changes"))
        chain = _ok(await client.get("/v1/audit/verify", headers=admin))

    assert detail["status"] == "not_implemented"
    assert changes["items"]
    assert chain["intact"] is True
    assert chain["events"] >= 9


async def test_the_sample_loads_as_the_runtime_role_and_is_removed_as_the_owner(
    roles: Roles,
) -> None:
    def suivi(*args: str) -> int:
        return run_suivi(*args, database_url=roles.app_url, env=roles.env()).returncode

    loaded = await asyncio.to_thread(suivi, "demo")
    rebuilt = await asyncio.to_thread(suivi, "summaries", "rebuild")
    removed = await asyncio.to_thread(suivi, "demo", "--remove")

    assert (loaded, rebuilt, removed) == (0, 0, 0)
