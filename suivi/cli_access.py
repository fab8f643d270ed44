"""`suivi orgs`, `suivi keys` and `suivi audit`: who may call the API, and the trail of writes."""

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
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


# Marks a usable key whose role its organisation's kind no longer allows.
UNFIT = " (!)"


@keys_app.command("list")
def list_keys() -> None:
    """Every key issued: prefix, organisation, role, expiry and revocation; never the key."""

    async def work(session: AsyncSession) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                client.prefix,
                client.organisation.name,
                # Issued before organisation kinds limited roles: reported, not revoked.
                client.role.value
                + (
                    UNFIT
                    if organisations.is_active(client)
                    and not keys.role_fits(client.organisation.kind, client.role)
                    else ""
                ),
                client.expires_at.isoformat() if client.expires_at else "",
                client.revoked_at.isoformat() if client.revoked_at else "",
            )
            for client in await keys.list_keys(session)
        ]

    rows = _run(work)
    table = Table("prefix", "organisation", "role", "expires", "revoked")
    for row in rows:
        table.add_row(*row)
    Console().print(table)
    if any(row[2].endswith(UNFIT) for row in rows):
        console.print(
            f"[yellow]{UNFIT.strip()} a staff or admin key held by an organisation that is not "
            "the office: revoke it with `suivi keys revoke PREFIX`.[/yellow]"
        )


@keys_app.command("revoke")
def revoke_key(prefix: Annotated[str, typer.Argument(help="The key's prefix.")]) -> None:
    """Revoke a key: the next request made with it is refused."""

    async def work(session: AsyncSession) -> None:
        await organisations.revoke_key(session, actor=None, prefix=prefix)

    _run(work)
    console.print(f"[green]Revoked key {prefix}.[/green]")


# `suivi audit verify` and `checkpoint`: 1 when something does not hold, 2 when it could not be
# checked (HMAC-sealed events and no key, an unreadable checkpoint).
EXIT_BROKEN = 1
EXIT_UNCHECKED = 2


def _read_checkpoint(path: Path) -> audit.Checkpoint:
    try:
        return audit.read_checkpoint(path.read_bytes())
    except OSError as exc:
        console.print(f"Cannot read the checkpoint {path}: {exc.strerror}.", markup=False)
        raise typer.Exit(EXIT_UNCHECKED) from exc
    except audit.InvalidCheckpoint as exc:
        console.print(f"{path}: {exc.detail}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNCHECKED) from exc


def _walk(checkpoint: audit.Checkpoint | None) -> audit.ChainReport:
    async def work(session: AsyncSession) -> audit.ChainReport:
        key = audit.sealing_key(session)
        return await audit.check(session, key=key, checkpoint=checkpoint)

    return _run(work)


def _exit_unless_intact(report: audit.ChainReport) -> None:
    if report.intact:
        return
    for problem in report.problems():
        console.print(f"[red]{escape(problem)}[/red]", soft_wrap=True)
    raise typer.Exit(EXIT_BROKEN if report.broken or report.missing else EXIT_UNCHECKED)


@audit_app.command("verify")
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            dir_okay=False,
            help="A file of `suivi audit checkpoint`: also fail when the head it recorded is gone.",
        ),
    ] = None,
) -> None:
    """Walk the audit chain, each event by its own seal; exit 1 naming the first event that does
    not hold, or what the checkpoint recorded that is gone; exit 2 when it cannot be checked."""
    recorded = _read_checkpoint(checkpoint) if checkpoint else None
    report = _walk(recorded)
    _exit_unless_intact(report)
    seals = ", ".join(f"{count} {seal}" for seal, count in sorted(report.seals.items()))
    console.print(
        f"[green]The audit chain is intact: {report.events} events"
        f"{f' ({seals})' if seals else ''}.[/green]",
        soft_wrap=True,
    )
    if recorded is not None and recorded.event_id is not None:
        console.print(
            f"It holds event {recorded.event_id}, the head recorded in the checkpoint of "
            f"{recorded.recorded_at.isoformat(timespec='seconds')}.",
            soft_wrap=True,
        )
    if report.events and not report.keyed:
        console.print(
            "[yellow]The chain is not keyed: its newest events are sealed with SHA-256, which "
            "whoever owns the database can recompute after an edit. Set SUIVI_AUDIT_KEY.[/yellow]",
            soft_wrap=True,
        )


@audit_app.command("checkpoint")
def checkpoint(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Where to write it; stdout if omitted."
        ),
    ] = None,
) -> None:
    """Record the chain's head (last event, its hash, the count, the time) as JSON, to keep
    away from the database; refused, exit 1 or 2, when the chain does not verify."""
    report = _walk(None)
    _exit_unless_intact(report)
    text = report.checkpoint(recorded_at=datetime.now(UTC)).to_json()
    if output is None:
        typer.echo(text, nl=False)
        return
    partial = output.with_name(output.name + ".part")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        console.print(f"Cannot write the checkpoint {output}: {exc.strerror}.", markup=False)
        raise typer.Exit(EXIT_BROKEN) from exc
    head = f"event {report.head.event_id}" if report.head else "an empty trail"
    console.print(f"Checkpoint of {head} written to {output}.", markup=False, soft_wrap=True)
