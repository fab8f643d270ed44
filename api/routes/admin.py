"""The admin API: organisations and their API keys, as `suivi orgs` and `suivi keys` do."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import AdminDep, SessionDep, StaffDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit
from api.schemas.admin import (
    KeyCreate,
    KeyCreated,
    KeyPage,
    KeyRead,
    OrganisationCreate,
    OrganisationDetailRead,
    OrganisationPage,
    OrganisationRead,
    OrganisationRef,
)
from api.schemas.problems import problem_responses
from models import ApiClient, Organisation
from models.enums import OrganisationKind, Role
from suivi.services import organisations as service

router = APIRouter(prefix="/v1")

# Organisations and keys are written by administrators only.

OrganisationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The organisation's id.")]
KeyPrefix = Annotated[
    str, Path(pattern="^[0-9a-f]{1,16}$", description="The key's prefix, `sk_<prefix>_...`.")
]


def _key_read(client: ApiClient, organisation: Organisation) -> KeyRead:
    return KeyRead(
        prefix=client.prefix,
        organisation=OrganisationRef.model_validate(organisation),
        role=client.role,
        label=client.label,
        created_at=client.created_at,
        expires_at=client.expires_at,
        revoked_at=client.revoked_at,
        active=service.is_active(client),
    )


@router.post(
    "/organisations",
    tags=["organisations"],
    operation_id="createOrganisation",
    summary="Create an organisation",
    status_code=201,
    response_model=OrganisationDetailRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_organisation(
    response: Response, session: SessionDep, caller: AdminDep, body: OrganisationCreate
) -> OrganisationDetailRead:
    """A country office, State institution, NHRI, civil-society organisation or UN entity;
    its keys are issued with `POST /v1/keys`. 409 when the name is taken."""
    organisation = await service.create(
        session,
        actor=caller,
        name=body.name,
        kind=body.kind,
        institution_id=body.institution_id,
        contact=body.contact,
    )
    response.headers["Location"] = f"/v1/organisations/{organisation.id}"
    return OrganisationDetailRead.model_validate(organisation)


@router.get(
    "/organisations",
    tags=["organisations"],
    operation_id="listOrganisations",
    summary="List organisations by name, without their contacts",
    response_model=OrganisationPage,
    responses=problem_responses(401, 403, 422),
)
async def list_organisations(
    session: SessionDep,
    _caller: StaffDep,
    kind: Annotated[OrganisationKind | None, Query(description="Only this kind.")] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[PageCursor | None, Query(description=CURSOR_DESCRIPTION)] = None,
) -> OrganisationPage:
    """For staff and admin; contacts are read one organisation at a time, and audited."""
    after_name = decode_cursor(cursor, types=(str,))[0] if cursor else None
    rows, next_name = await service.list_page(
        session, limit=limit, kind=kind, after_name=after_name
    )
    return OrganisationPage(
        items=[OrganisationRead.model_validate(row) for row in rows],
        next_cursor=encode_cursor([next_name]) if next_name is not None else None,
    )


@router.get(
    "/organisations/{organisation_id}",
    tags=["organisations"],
    operation_id="getOrganisation",
    summary="One organisation with its contact (the read is audited)",
    response_model=OrganisationDetailRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_organisation(
    session: SessionDep, caller: StaffDep, organisation_id: OrganisationId
) -> OrganisationDetailRead:
    """For staff and admin. When a contact is kept, the read appends an audit event
    `organisation.contact_read` naming the caller's key."""
    organisation = await service.read(session, organisation_id=organisation_id, reader=caller)
    return OrganisationDetailRead.model_validate(organisation)


@router.post(
    "/keys",
    tags=["keys"],
    operation_id="createKey",
    summary="Issue an API key (shown once)",
    status_code=201,
    response_model=KeyCreated,
    responses=problem_responses(401, 403, 404, 422),
)
async def create_key(
    response: Response, session: SessionDep, caller: AdminDep, body: KeyCreate
) -> KeyCreated:
    """The response is the only time the key is shown: it is stored as a hash. It works
    from the next request on. 404 when the organisation does not exist."""
    organisation = await service.organisation_by_id(session, body.organisation_id)
    client, key = await service.issue_key(
        session,
        actor=caller,
        organisation=organisation,
        role=body.role,
        expires_at=body.expires_at,
        label=body.label,
    )
    response.headers["Location"] = f"/v1/keys?organisation_id={organisation.id}"
    return KeyCreated(
        **_key_read(client, organisation).model_dump(), key=key, org=organisation.name
    )


@router.get(
    "/keys",
    tags=["keys"],
    operation_id="listKeys",
    summary="List issued keys, newest first (never the key itself)",
    response_model=KeyPage,
    responses=problem_responses(401, 403, 422),
)
async def list_keys(
    session: SessionDep,
    _caller: AdminDep,
    organisation_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this organisation's keys.")
    ] = None,
    role: Annotated[Role | None, Query(description="Only keys with this role.")] = None,
    active: Annotated[
        bool | None, Query(description="`true`: usable keys; `false`: revoked or expired.")
    ] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[PageCursor | None, Query(description=CURSOR_DESCRIPTION)] = None,
) -> KeyPage:
    """Prefix, organisation, role, label, dates and whether each key is usable now."""
    before_id = decode_cursor(cursor, types=(int,))[0] if cursor else None
    clients, next_before = await service.list_keys_page(
        session,
        limit=limit,
        filters=service.KeyFilters(organisation_id=organisation_id, role=role, active=active),
        before_id=before_id,
    )
    return KeyPage(
        items=[_key_read(client, client.organisation) for client in clients],
        next_cursor=encode_cursor([next_before]) if next_before is not None else None,
    )


@router.post(
    "/keys/{prefix}/revoke",
    tags=["keys"],
    operation_id="revokeKey",
    summary="Revoke an API key",
    response_model=KeyRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_key(session: SessionDep, caller: AdminDep, prefix: KeyPrefix) -> KeyRead:
    """The next request made with the key is refused. Revoking a revoked key changes
    nothing; an admin may revoke its own key."""
    client = await service.revoke_key(session, actor=caller, prefix=prefix)
    return _key_read(client, client.organisation)
