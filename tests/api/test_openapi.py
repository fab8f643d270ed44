"""The OpenAPI document is served and honest about every operation."""

import re
from typing import Any

import httpx
from openapi_spec_validator import validate

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# 204 answers carry no body.
NO_BODY_STATUSES = {"204"}
KEY_REQUIRED: list[dict[str, list[str]]] = [{"bearerAuth": []}]
KEY_OPTIONAL: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]


async def _operations(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    spec = (await client.get("/openapi.json")).json()
    return {
        operation["operationId"]: operation
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


async def test_spec_is_valid_openapi(client: httpx.AsyncClient) -> None:
    validate((await client.get("/openapi.json")).json())


async def test_every_operation_is_named_summarised_and_documents_problems(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/openapi.json")).json()

    operation_ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            operation_ids.append(operation["operationId"])
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{path} {parameter['name']} undocumented"
            if operation.get("parameters"):
                assert "422" in operation["responses"], f"{method.upper()} {path} hides 422"
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path, status)
                elif status.startswith("2") and status not in NO_BODY_STATUSES:
                    [schema] = [media["schema"] for media in response["content"].values()]
                    assert schema, f"{method.upper()} {path} {status} has no response model"
            if method in {"post", "put", "patch", "delete"}:
                assert {"413", "429"} <= set(operation["responses"]), (method, path)
    assert len(operation_ids) == len(set(operation_ids))
    assert {"listRecommendations", "getRecommendation", "getHealth", "getReady"} <= set(
        operation_ids
    )


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()


async def test_bearer_security_scheme_is_declared(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert scheme["description"]


async def test_staff_operations_require_a_key(client: httpx.AsyncClient) -> None:
    operations = await _operations(client)

    for operation_id in ("createImport", "publishUpdate", "createKey", "listAuditEvents"):
        assert operations[operation_id]["security"] == KEY_REQUIRED, operation_id


async def test_reads_that_show_more_to_a_key_accept_one(client: httpx.AsyncClient) -> None:
    operations = await _operations(client)

    for operation_id in ("getTimeline", "getUpdate"):
        assert operations[operation_id]["security"] == KEY_OPTIONAL, operation_id


async def test_public_reads_accept_a_key_and_refuse_a_bad_one(client: httpx.AsyncClient) -> None:
    operations = await _operations(client)

    for operation_id in ("listRecommendations", "getRecommendation", "exportStateMatrix"):
        assert operations[operation_id]["security"] == KEY_OPTIONAL, operation_id
        assert "401" in operations[operation_id]["responses"], operation_id


async def test_probes_ignore_keys_and_declare_no_security(client: httpx.AsyncClient) -> None:
    operations = await _operations(client)

    for operation_id in ("getHealth", "getReady"):
        assert "security" not in operations[operation_id], operation_id


async def test_every_operation_answering_401_declares_its_security(
    client: httpx.AsyncClient,
) -> None:
    operations = await _operations(client)

    for operation_id, operation in operations.items():
        if "401" in operation["responses"]:
            assert operation.get("security") in (KEY_REQUIRED, KEY_OPTIONAL), operation_id
        if operation.get("security") == KEY_REQUIRED:
            assert "401" in operation["responses"], operation_id


async def test_docs_page_loads_only_its_own_files_and_no_inline_script(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/docs")).text

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.DOTALL)
    assert scripts
    assert all(body.strip() == "" for _, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources
    assert all(url.startswith("/") and not url.startswith("//") for url in sources), sources


async def test_docs_assets_come_from_the_bundle_only(client: httpx.AsyncClient) -> None:
    bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert "javascript" in bundle.headers["content-type"]

    for name in ("index.html", "..%2F__init__.py", "%2E%2E%2F%2E%2E%2Fopenapi.py"):
        assert (await client.get(f"/docs/assets/{name}")).status_code == 404, name
