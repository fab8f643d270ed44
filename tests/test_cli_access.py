"""`suivi orgs`, `suivi keys` and `suivi audit verify` as an operator runs them."""

import asyncio
import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import upgrade_database
from tests.commands import run_suivi


async def _execute(url: str, *statements: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def test_keys_are_created_listed_revoked_and_audited(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url)

    def suivi(*args: str) -> tuple[int, str, str]:
        done = run_suivi(*args, database_url=url)
        return done.returncode, done.stdout, done.stderr

    assert (await asyncio.to_thread(suivi, "orgs", "create", "OHCHR Tunisia", "--kind", "office"))[
        0
    ] == 0
    code, out, _ = await asyncio.to_thread(
        suivi, "keys", "create", "--org", "OHCHR Tunisia", "--role", "staff", "--json"
    )
    created = json.loads(out)
    assert code == 0
    assert set(created) == {"key", "prefix", "org", "role"}
    assert created["key"].startswith(f"sk_{created['prefix']}_")

    code, listing, _ = await asyncio.to_thread(suivi, "keys", "list")
    assert code == 0
    assert created["prefix"] in listing
    assert created["key"] not in listing

    assert (await asyncio.to_thread(suivi, "keys", "revoke", created["prefix"]))[0] == 0
    unknown = await asyncio.to_thread(suivi, "keys", "create", "--org", "Nobody", "--role", "staff")
    assert unknown[0] == 1
    assert "Nobody" in unknown[2]

    assert (await asyncio.to_thread(suivi, "audit", "verify"))[0] == 0
    await _execute(
        url,
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "UPDATE audit_events SET summary = '{}' WHERE action = 'key.created'",
        "ALTER TABLE audit_events ENABLE TRIGGER USER",
    )
    code, _, err = await asyncio.to_thread(suivi, "audit", "verify")
    assert code == 1
    assert "broken at event 2" in err


async def test_orgs_take_an_institution_and_a_contact_that_the_list_never_shows(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url)
    await _execute(
        url, "INSERT INTO institutions (name, state_code) VALUES ('Ministry of Justice', 'TUN')"
    )
    contact = "Leila B., leila@example.org"

    def suivi(*args: str) -> tuple[int, str, str]:
        done = run_suivi(*args, database_url=url)
        return done.returncode, done.stdout, done.stderr

    state = await asyncio.to_thread(
        suivi, "orgs", "create", "Ministry of Justice", "--kind", "state", "--institution", "1"
    )
    ngo = await asyncio.to_thread(
        suivi, "orgs", "create", "Ligue", "--kind", "civil_society", "--contact", contact
    )
    unknown = await asyncio.to_thread(
        suivi, "orgs", "create", "Ministry", "--kind", "state", "--institution", "99"
    )
    code, out, _ = await asyncio.to_thread(suivi, "orgs", "list", "--json")

    assert (state[0], ngo[0]) == (0, 0)
    assert unknown[0] == 1
    assert "99" in unknown[2]
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [(r["name"], r["kind"], r["institution_id"]) for r in rows] == [
        ("Ligue", "civil_society", None),
        ("Ministry of Justice", "state", 1),
    ]
    assert contact not in out
    table = await asyncio.to_thread(suivi, "orgs", "list")
    assert table[0] == 0
    assert "Ligue" in table[1]
    assert contact not in table[1]
