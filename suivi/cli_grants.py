"""`suivi grants ROLE`: the GRANT statements for the role `suivi serve` runs as."""

from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from suivi.embedded import EMBEDDED_DATABASE
from suivi.services import grants as service
from suivi.settings import get_settings


def _configured_database() -> str:
    settings = get_settings()
    url = settings.database_url or settings.migration_database_url
    return (make_url(url).database if url else None) or EMBEDDED_DATABASE


def grants(
    role: Annotated[
        str, typer.Argument(help="The role `suivi serve` connects as, e.g. suivi_app.")
    ],
    database: Annotated[
        str | None,
        typer.Option(help="The database; by default that of SUIVI_DATABASE_URL."),
    ] = None,
) -> None:
    """Print the GRANT statements that let ROLE run `suivi serve`, and nothing more.

    Apply them as the role that owns the schema (the one of SUIVI_MIGRATION_DATABASE_URL), e.g.
    `suivi grants suivi_app | psql -d suivi`, again after each migration that adds a table.
    """
    if not role.strip():
        raise typer.BadParameter("name the role", param_hint="ROLE")
    typer.echo(service.script(role, database=database or _configured_database()), nl=False)
