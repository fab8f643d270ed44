"""`suivi orgs`, `suivi keys` and `suivi audit`: who may call the API, and the trail of writes."""

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import OrganisationKind, Role
from suivi.cli_database import run_in_transaction
from suivi.errors import SuiviError
from suivi.services import audit, keys, organisations

orgs_app = typer.Typer(help="Organisations that hold API keys.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail of every write.", no_args_is_help=True)
console = Console(stderr=True)
T = TypeVar("T")


def _run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction; a domain error is a red line and exit 1."""
    try:
        return run_in_transaction(work)
    except SuiviError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc


@orgs_app.command("create")
def create_organisation(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    kind: Annotated[OrganisationKind, typer.Option(help="What kind of organisation.")],
    institution: Annotated[
        int | None,
        typer.Option(
            "--institution", help="`state` only: id of the institution its focal points act for."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(help="How the office reaches it; readable by staff and admin only."),
    ] = None,
) -> None:
    """Create an organisation."""

    async def work(session: AsyncSession) -> None:
        await organisations.create(
            session,
            actor=None,
            name=name,
            kind=kind,
            institution_id=institution,
            contact=contact,
        )

    _run(work)
    console.print(f"[green]Created {kind} organisation {name!r}.[/green]")


@orgs_app.command("list")
def list_organisations(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Every organisation by name: id, kind, institution; never its contact."""

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        return [
            {
                "id": organisation.id,
                "name": organisation.name,
                "kind": organisation.kind.value,
                "institution_id": organisation.institution_id,
                "created_at": organisation.created_at.isoformat(),
            }
            for organisation in await organisations.list_all(session)
        ]

    rows = _run(work)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table("id", "name", "kind", "institution", "created")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["name"],
            row["kind"],
            "" if row["institution_id"] is None else str(row["institution_id"]),
            row["created_at"],
        )
    Console().print(table)


@keys_app.command("create")
def create_key(
    org: Annotated[str, typer.Option(help="The organisation that holds the key.")],
    role: Annotated[Role, typer.Option(help="What the key may do.")],
    expires: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day the key works (UTC)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the key as JSON.")] = False,
) -> None:
    """Create a key and print it once: it is stored only as a hash."""
    expires_at = (
        datetime.combine(date(expires.year, expires.month, expires.day), time.max, tzinfo=UTC)
        if expires
        else None
    )

    async def work(session: AsyncSession) -> tuple[str, str]:
        organisation = await keys.organisation_named(session, org)
        client, key = await organisations.issue_key(
            session, actor=None, organisation=organisation, role=role, expires_at=expires_at
        )
        return key, client.prefix

    key, prefix = _run(work)
    if as_json:
        typer.echo(json.dumps({"key": key, "prefix": prefix, "org": org, "role": role.value}))
        return
    typer.echo(key)
    console.print(f"Key {prefix} for {org} ({role}): shown once, store it now.")


@keys_app.command("list")
def list_keys() -> None:
    """Every key issued: prefix, organisation, role, expiry and revocation; never the key."""

    async def work(session: AsyncSession) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                client.prefix,
                client.organisation.name,
                client.role.value,
                client.expires_at.isoformat() if client.expires_at else "",
                client.revoked_at.isoformat() if client.revoked_at else "",
            )
            for client in await keys.list_keys(session)
        ]

    table = Table("prefix", "organisation", "role", "expires", "revoked")
    for row in _run(work):
        table.add_row(*row)
    Console().print(table)


@keys_app.command("revoke")
def revoke_key(prefix: Annotated[str, typer.Argument(help="The key's prefix.")]) -> None:
    """Revoke a key: the next request made with it is refused."""

    async def work(session: AsyncSession) -> None:
        await organisations.revoke_key(session, actor=None, prefix=prefix)

    _run(work)
    console.print(f"[green]Revoked key {prefix}.[/green]")


@audit_app.command("verify")
def verify() -> None:
    """Walk the audit chain; exit 1 naming the first event that was altered."""

    async def work(session: AsyncSession) -> int | None:
        broken = await audit.verify(session)
        return broken.id if broken else None

    broken_id = _run(work)
    if broken_id is not None:
        console.print(f"[red]The audit chain is broken at event {broken_id}.[/red]")
        raise typer.Exit(1)
    console.print("[green]The audit chain is intact.[/green]")
