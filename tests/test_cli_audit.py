"""`suivi audit verify` and `suivi audit checkpoint` as an operator runs them."""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from suivi import cli
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.services import audit
from suivi.settings import Settings, get_settings
from tests.commands import run_suivi

KEY = "5f0c" * 16
WRONG_KEY = "9a1e" * 16


async def _keyed_trail(url: str, events: int, *, key: str | None = KEY) -> None:
    """Migrate `url` and append `events` events sealed with `key`, as the server would."""
    await asyncio.to_thread(upgrade_database, url)
    settings = Settings(database_url=url, audit_key=SecretStr(key) if key else None)
    engine = create_engine(url, settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for n in range(events):
                await audit.record(
                    session, actor=None, action="test.write", object_type="thing", object_id=n
                )
    finally:
        await engine.dispose()


async def _as_owner(url: str, statement: str) -> None:
    engine = create_engine(url, Settings(database_url=url))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await connection.execute(text(statement))
            await connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    finally:
        await engine.dispose()


async def _child(url: str, *args: str, key: str | None = KEY) -> tuple[int, str, str]:
    """`suivi ARGS` in a child process, as an operator runs it."""
    env = {"SUIVI_AUDIT_KEY": key} if key else {}
    done = await asyncio.to_thread(run_suivi, *args, database_url=url, env=env)
    return done.returncode, done.stdout, done.stderr


def _in_process(monkeypatch: pytest.MonkeyPatch, url: str, key: str | None, *args: str) -> int:
    monkeypatch.setenv("SUIVI_DATABASE_URL", url)
    monkeypatch.delenv("SUIVI_MIGRATION_DATABASE_URL", raising=False)
    if key is None:
        monkeypatch.delenv("SUIVI_AUDIT_KEY", raising=False)
    else:
        monkeypatch.setenv("SUIVI_AUDIT_KEY", key)
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as exited:
        cli.app([*args], prog_name="suivi")
    return int(exited.value.code or 0)


Suivi = Callable[..., Awaitable[tuple[int, str, str]]]


@pytest.fixture
def suivi(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Suivi:
    """`suivi ARGS` in this process, off the event loop: what it printed, and its exit code."""

    async def run(url: str, *args: str, key: str | None = KEY) -> tuple[int, str, str]:
        code = await asyncio.to_thread(_in_process, monkeypatch, url, key, *args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def test_a_checkpoint_records_the_head_and_verify_holds_against_it(
    empty_database_url: str, tmp_path: Path
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 3)
    saved = tmp_path / "audit-checkpoint.json"

    printed = await _child(url, "audit", "checkpoint")
    written = await _child(url, "audit", "checkpoint", "--output", str(saved))
    verified = await _child(url, "audit", "verify", "--checkpoint", str(saved))

    assert printed[0] == 0, printed[2]
    head = json.loads(printed[1])
    assert {k: head[k] for k in ("format", "event_id", "seal", "events")} == {
        "format": "suivi-audit-checkpoint/1",
        "event_id": 3,
        "seal": "hmac-sha256",
        "events": 3,
    }
    assert written[0] == 0
    assert "Checkpoint of event 3 written to" in written[2]
    assert json.loads(saved.read_text())["hash"] == head["hash"]
    assert verified[0] == 0, verified[2]
    assert "The audit chain is intact: 3 events (3 hmac-sha256)." in verified[2]
    assert "It holds event 3, the head recorded in the checkpoint" in verified[2]
    assert "not keyed" not in verified[2]


async def test_verify_names_the_head_recorded_in_the_checkpoint_once_the_tail_is_deleted(
    empty_database_url: str, tmp_path: Path, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 4)
    saved = tmp_path / "checkpoint.json"
    assert (await suivi(url, "audit", "checkpoint", "-o", str(saved)))[0] == 0
    await _as_owner(url, "DELETE FROM audit_events WHERE id > 2")

    alone = await suivi(url, "audit", "verify")
    code, _, err = await suivi(url, "audit", "verify", "--checkpoint", str(saved))

    assert alone[0] == 0
    assert code == 1
    assert "Event 4 (hash " in err
    assert "recorded in the checkpoint of" in err
    assert "is missing: the chain ends at event 2." in err


async def test_verify_with_a_checkpoint_fails_once_every_event_is_deleted(
    empty_database_url: str, tmp_path: Path, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 2)
    saved = tmp_path / "checkpoint.json"
    assert (await suivi(url, "audit", "checkpoint", "-o", str(saved)))[0] == 0
    await _as_owner(url, "DELETE FROM audit_events")

    code, _, err = await suivi(url, "audit", "verify", "--checkpoint", str(saved))

    assert code == 1
    assert "Event 2 (hash " in err
    assert "is missing: the trail holds no event." in err


async def test_a_keyed_chain_without_the_key_cannot_be_checked(
    empty_database_url: str, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 2)

    code, _, err = await suivi(url, "audit", "verify", key=None)

    assert code == 2
    assert "2 events are sealed with HMAC-SHA256 and SUIVI_AUDIT_KEY is not set" in err


async def test_an_unkeyed_chain_verifies_and_says_it_is_not_keyed(
    empty_database_url: str, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 2, key=None)

    code, _, err = await suivi(url, "audit", "verify", key=None)

    assert code == 0
    assert "The audit chain is intact: 2 events (2 sha256)." in err
    assert "The chain is not keyed" in err


async def test_no_checkpoint_is_written_of_a_broken_chain(
    empty_database_url: str, tmp_path: Path, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 2)
    await _as_owner(url, """UPDATE audit_events SET summary = '{"n": 9}' WHERE id = 1""")
    saved = tmp_path / "checkpoint.json"

    code, _, err = await suivi(url, "audit", "checkpoint", "-o", str(saved))

    assert code == 1
    assert "The audit chain is broken at event 1" in err
    assert await asyncio.to_thread(os.listdir, tmp_path) == []


async def test_an_unreadable_checkpoint_exits_2(
    empty_database_url: str, tmp_path: Path, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 1)
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"event_id": 1}')

    missing = await suivi(url, "audit", "verify", "--checkpoint", str(tmp_path / "nope.json"))
    invalid = await suivi(url, "audit", "verify", "--checkpoint", str(malformed))

    assert missing[0] == 2
    assert "Cannot read the checkpoint" in missing[2]
    assert invalid[0] == 2
    assert "Not a Suivi audit checkpoint" in invalid[2]


async def test_a_key_too_short_is_refused_without_being_shown(empty_database_url: str) -> None:
    short = "0123456789abcdef"

    code, out, err = await _child(empty_database_url, "audit", "verify", key=short)

    assert code != 0
    assert "audit_key" in err
    assert short not in out + err


async def test_the_key_never_reaches_the_output(
    empty_database_url: str, tmp_path: Path, suivi: Suivi
) -> None:
    url = empty_database_url
    await _keyed_trail(url, 2)
    saved = tmp_path / "checkpoint.json"

    runs = [
        await suivi(url, "audit", "checkpoint"),
        await suivi(url, "audit", "checkpoint", "-o", str(saved)),
        await suivi(url, "audit", "verify", "--checkpoint", str(saved)),
        await suivi(url, "audit", "verify", key=WRONG_KEY),
        await suivi(url, "orgs", "create", "Office", "--kind", "office", key=WRONG_KEY),
    ]

    assert [code for code, _, _ in runs] == [0, 0, 0, 1, 1]
    assert "broken at event 1" in runs[3][2]
    assert "SUIVI_AUDIT_KEY is not the key that sealed it" in runs[3][2]
    assert "SUIVI_AUDIT_KEY is not the key that sealed audit event 2" in runs[4][2]
    printed = "".join(out + err for _, out, err in runs) + saved.read_text()
    for secret in (KEY, WRONG_KEY):
        assert secret not in printed
    assert "**********" in repr(get_settings())
