"""POST /v1/imports with hostile form fields: refused as usage errors naming the field."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from suivi.settings import get_settings
from tests import factories
from tests.paths import FIXTURES

REPORT_TEXT = (FIXTURES / "un_text" / "one-per-line.txt").read_bytes()


@pytest.fixture
async def staff(client: httpx.AsyncClient, session: AsyncSession) -> httpx.AsyncClient:
    """The client, calling with an office staff key."""
    client.headers["Authorization"] = f"Bearer {await factories.api_key(session, Role.STAFF)}"
    return client


async def _report_text(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    fields = {"format": "un-text", "symbol": "A/HRC/99/7", "state": "Tunisie", **form}
    return await client.post(
        "/v1/imports", files={"file": ("report.txt", REPORT_TEXT, "text/plain")}, data=fields
    )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"language": "english-please"}, "language"),
        ({"symbol": "A/HRC/" + "9" * 300}, "symbol"),
        ({"session": "40000"}, "session"),
    ],
)
async def test_un_text_option_the_database_cannot_hold_is_a_usage_error(
    staff: httpx.AsyncClient, form: dict[str, str], field: str
) -> None:
    response = await _report_text(staff, **form)

    assert response.status_code == 400
    assert f"the `{field}` field" in response.json()["detail"]


async def test_un_text_state_given_by_name_imports(staff: httpx.AsyncClient) -> None:
    response = await _report_text(staff, state="la Tunisie", session="27")

    assert response.status_code == 201
    assert response.json()["created"] == 4


async def test_huge_state_alias_is_refused_without_echoing_it(staff: httpx.AsyncClient) -> None:
    response = await _report_text(staff, state_alias="Atlantis" * 100_000)

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "state_alias"
    assert len(response.content) < 2_000


async def test_broken_server_aliases_file_is_not_blamed_on_the_form(
    staff: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,alpha3\nAtlantis,XXX\n", encoding="utf-8")
    monkeypatch.setenv("SUIVI_STATE_ALIASES_FILE", str(aliases))
    get_settings.cache_clear()

    response = await _report_text(staff)

    assert response.status_code == 500
    assert "state_alias" not in response.text
    assert str(aliases) not in response.text
