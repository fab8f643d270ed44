"""The OpenAPI document is served and honest about every operation."""

import httpx

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


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
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path, status)
    assert len(operation_ids) == len(set(operation_ids))
    assert {"listRecommendations", "getRecommendation", "getHealth", "getReady"} <= set(
        operation_ids
    )


async def test_docs_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()
