"""POST /v1/imports and the recorded runs, through HTTP."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from models.enums import Role
from suivi.services import keys
from tests import factories
from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info"


@pytest.fixture
async def staff(client: httpx.AsyncClient, session: AsyncSession) -> httpx.AsyncClient:
    """The client, calling with an office staff key."""
    client.headers["Authorization"] = f"Bearer {await factories.api_key(session, Role.STAFF)}"
    return client


async def _upload(client: httpx.AsyncClient, name: str, **form: str) -> httpx.Response:
    content = (UPR_INFO / name).read_bytes()
    return await client.post("/v1/imports", files={"file": (name, content, "text/csv")}, data=form)


async def test_upload_imports_and_reports(staff: httpx.AsyncClient) -> None:
    client = staff
    response = await _upload(client, "cp1252-crlf.csv")

    assert response.status_code == 201
    report = response.json()
    assert report["created"] == 3
    assert report["status"] == "succeeded"
    assert response.headers["location"] == f"/v1/imports/{report['import_run_id']}"
    listed = await client.get("/v1/recommendations")
    assert len(listed.json()["items"]) == 3


async def test_reupload_creates_nothing(staff: httpx.AsyncClient) -> None:
    client = staff
    await _upload(client, "utf8-lf.csv")

    again = (await _upload(client, "utf8-lf.csv")).json()

    assert (again["created"], again["unchanged"]) == (0, 3)


async def test_invalid_rows_are_a_problem_listing_each_and_commit_nothing(
    staff: httpx.AsyncClient,
) -> None:
    client = staff
    response = await _upload(client, "unknown-country.csv")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:suivi:problem:invalid-records"
    [error] = problem["errors"]
    assert (error["line"], error["record"], error["column"]) == (3, None, "From")
    assert error["message"].startswith("unknown recommending State 'Atlantis'")
    assert problem["committed"] is False
    assert (await client.get("/v1/recommendations")).json()["items"] == []
    run = (await client.get(f"/v1/imports/{problem['import_run_id']}")).json()
    assert run["status"] == "failed"


async def test_skip_invalid_and_dry_run_form_fields(staff: httpx.AsyncClient) -> None:
    client = staff
    dry = await _upload(client, "utf8-lf.csv", dry_run="true")
    skipped = await _upload(client, "unknown-country.csv", skip_invalid="true")

    assert dry.json()["status"] == "dry_run"
    assert skipped.status_code == 201
    assert (skipped.json()["created"], skipped.json()["rejected"]) == (2, 1)


async def test_partial_import_reports_the_rejected_records_in_their_columns(
    staff: httpx.AsyncClient,
) -> None:
    response = await _upload(staff, "many-bad-cells.csv", skip_invalid="true")

    assert response.status_code == 201
    report = response.json()
    assert (report["created"], report["rejected"], report["committed"]) == (1, 1, True)
    [rejected] = report["rejected_records"]
    assert rejected["line"] == 2
    assert rejected["columns"] == ["To", "From", "Response", "Action", "Session"]
    assert len(rejected["messages"]) == 5
    assert rejected["original"]["To"] == "Tunisie du Nord"
    assert rejected["original"]["Session"] == "first"


async def test_state_alias_form_field_names_a_state(staff: httpx.AsyncClient) -> None:
    response = await _upload(staff, "unknown-country.csv", state_alias="Atlantis=FRA")
    bad = await _upload(staff, "unknown-country.csv", state_alias="Atlantis")

    assert response.status_code == 201
    assert response.json()["created"] == 3
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["name"] == "state_alias"


async def test_usage_errors_name_form_fields_not_flags(staff: httpx.AsyncClient) -> None:
    content = b"118.1 Protect defenders (France);\n"
    unknown = await staff.post(
        "/v1/imports", files={"file": ("notes.bin", b"\x00\x01 random", "text/plain")}
    )
    no_symbol = await staff.post(
        "/v1/imports",
        files={"file": ("report.txt", content, "text/plain")},
        data={"format": "un-text"},
    )

    for response in (unknown, no_symbol):
        assert response.status_code == 400
        assert "--" not in response.json()["detail"]
    assert "`format` field" in unknown.json()["detail"]
    assert "`symbol` field" in no_symbol.json()["detail"]
    assert "`state` field" in no_symbol.json()["detail"]


async def test_unrecognisable_file_is_400_problem(staff: httpx.AsyncClient) -> None:
    client = staff
    response = await client.post(
        "/v1/imports", files={"file": ("notes.bin", b"\x00\x01 random", "application/octet-stream")}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:suivi:problem:import-usage"


async def test_runs_are_listed_newest_first(staff: httpx.AsyncClient) -> None:
    client = staff
    first = (await _upload(client, "utf8-lf.csv")).json()["import_run_id"]
    second = (await _upload(client, "macroman-cr.csv")).json()["import_run_id"]

    runs = (await client.get("/v1/imports")).json()["items"]

    assert [run["id"] for run in runs][:2] == [second, first]
    assert runs[0]["source"] == "macroman-cr.csv"
    assert runs[0]["format"] == "upr_info"


async def test_unknown_run_is_404_problem(staff: httpx.AsyncClient) -> None:
    client = staff
    response = await client.get("/v1/imports/999999")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("Bearer sk_00000000_not-a-key", 401),
        ("Basic dXNlcjpwYXNz", 401),
    ],
)
async def test_import_needs_a_valid_key(
    client: httpx.AsyncClient, authorization: str | None, status: int
) -> None:
    if authorization:
        client.headers["Authorization"] = authorization

    response = await _upload(client, "utf8-lf.csv")

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.SUBMITTER, Role.FOCAL_POINT])
async def test_import_is_for_office_staff_only(
    client: httpx.AsyncClient, session: AsyncSession, role: Role
) -> None:
    key = await factories.api_key(session, role, organisation="A coalition")
    client.headers["Authorization"] = f"Bearer {key}"

    response = await _upload(client, "utf8-lf.csv")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_revoked_and_expired_keys_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    key = await factories.api_key(session, Role.STAFF)
    prefix = key.split("_")[1]
    client.headers["Authorization"] = f"Bearer {key}"
    assert (await _upload(client, "utf8-lf.csv", dry_run="true")).status_code == 201

    await keys.revoke(session, prefix=prefix)

    assert (await _upload(client, "utf8-lf.csv", dry_run="true")).status_code == 401

    organisation = await keys.organisation_named(session, "OHCHR Tunisia")
    _, expired = await keys.create_key(
        session,
        organisation=organisation,
        role=Role.STAFF,
        expires_at=datetime.now(UTC) - timedelta(seconds=1),
    )
    client.headers["Authorization"] = f"Bearer {expired}"
    assert (await _upload(client, "utf8-lf.csv", dry_run="true")).status_code == 401


async def test_import_is_audited_with_the_key_prefix(
    staff: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await _upload(staff, "utf8-lf.csv")
    prefix = staff.headers["Authorization"].split("_")[1]

    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event is not None
    assert event.actor_prefix == prefix
    assert event.object_id == str(response.json()["import_run_id"])
    assert event.summary["created"] == response.json()["created"]


async def test_import_runs_are_not_public(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/imports")).status_code == 401
    assert (await client.get("/v1/imports/1")).status_code == 401
