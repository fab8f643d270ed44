"""POST /v1/imports and the recorded runs, through HTTP."""

import httpx

from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info"


async def _upload(client: httpx.AsyncClient, name: str, **form: str) -> httpx.Response:
    content = (UPR_INFO / name).read_bytes()
    return await client.post("/v1/imports", files={"file": (name, content, "text/csv")}, data=form)


async def test_upload_imports_and_reports(client: httpx.AsyncClient) -> None:
    response = await _upload(client, "cp1252-crlf.csv")

    assert response.status_code == 201
    report = response.json()
    assert report["created"] == 3
    assert report["status"] == "succeeded"
    assert response.headers["location"] == f"/v1/imports/{report['import_run_id']}"
    listed = await client.get("/v1/recommendations")
    assert len(listed.json()["items"]) == 3


async def test_reupload_creates_nothing(client: httpx.AsyncClient) -> None:
    await _upload(client, "utf8-lf.csv")

    again = (await _upload(client, "utf8-lf.csv")).json()

    assert (again["created"], again["unchanged"]) == (0, 3)


async def test_invalid_rows_are_a_problem_listing_each_and_commit_nothing(
    client: httpx.AsyncClient,
) -> None:
    response = await _upload(client, "unknown-country.csv")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:suivi:problem:invalid-records"
    assert problem["errors"] == [
        {
            "line": 3,
            "record": None,
            "column": "From",
            "message": "unknown recommending State 'Atlantis'",
        }
    ]
    assert (await client.get("/v1/recommendations")).json()["items"] == []
    run = (await client.get(f"/v1/imports/{problem['import_run_id']}")).json()
    assert run["status"] == "failed"


async def test_skip_invalid_and_dry_run_form_fields(client: httpx.AsyncClient) -> None:
    dry = await _upload(client, "utf8-lf.csv", dry_run="true")
    skipped = await _upload(client, "unknown-country.csv", skip_invalid="true")

    assert dry.json()["status"] == "dry_run"
    assert skipped.status_code == 201
    assert (skipped.json()["created"], skipped.json()["rejected"]) == (2, 1)


async def test_unrecognisable_file_is_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/imports", files={"file": ("notes.bin", b"\x00\x01 random", "application/octet-stream")}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:suivi:problem:import-usage"


async def test_runs_are_listed_newest_first(client: httpx.AsyncClient) -> None:
    first = (await _upload(client, "utf8-lf.csv")).json()["import_run_id"]
    second = (await _upload(client, "macroman-cr.csv")).json()["import_run_id"]

    runs = (await client.get("/v1/imports")).json()["items"]

    assert [run["id"] for run in runs][:2] == [second, first]
    assert runs[0]["source"] == "macroman-cr.csv"
    assert runs[0]["format"] == "upr_info"


async def test_unknown_run_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/imports/999999")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
