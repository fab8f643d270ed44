"""The OpenAPI document is served and honest about every operation."""

import httpx
from openapi_spec_validator import validate

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# 204 answers carry no body.
NO_BODY_STATUSES = {"204"}


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
