"""Schemathesis over the whole OpenAPI document: no 5xx, and every answer as the document says.

Every operation is called with generated input (valid, and invalid in the ways its schema allows
Schemathesis to name) as office staff and as the public, against the application in-process and
a database of its own: the illustrative sample loaded, writes committed. Derandomized, so a run
is reproducible; bounded, so both callers over every operation stay well under three minutes.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
import schemathesis.python.asgi
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from models.enums import Role
from suivi.db import create_sessionmaker, upgrade_database
from suivi.services import sample
from suivi.services.import_flow import sample_data
from suivi.settings import Settings
from tests import factories
from tests.databases import create_database, drop_database

# Generated cases per operation, each sent by both callers, beside the examples and coverage
# cases Schemathesis derives from the document: a few hundred calls per operation in all
# (MINIMUM_CALLS), and the whole run within three minutes of a two-core machine.
EXAMPLES = 60
MINIMUM_CALLS = 120

Case = schemathesis.Case[Any]


# Answers the document does not describe today (README, Tests), each named, so that any other
# difference fails: the schema check skips exactly these.
def _known_gap(response: schemathesis.Response, case: Case) -> str | None:
    content_type = ",".join(response.headers.get("content-type", []))
    if content_type.startswith("text/event-stream"):
        # A stream is documented as one string (OpenAPI 3.1); Schemathesis checks each event.
        return "event stream"
    if case.operation.path == "/v1/exports/recommendations.json" and response.status_code == 200:
        # The JSON export is documented as a file (`format: binary`); Schemathesis parses it.
        return "file as JSON"
    return None


def documented_body(ctx: CheckContext, response: schemathesis.Response, case: Case) -> bool | None:
    """The response schema check, but for the known gaps."""
    if _known_gap(response, case) is not None:
        return None
    return response_schema_conformance(ctx, response, case)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, documented_body]


@dataclass
class Served:
    app: FastAPI
    staff_key: str
    # Calls made per operation, both callers together.
    calls: Counter[str] = field(default_factory=Counter)


@pytest.fixture(scope="module")
async def served(admin_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Served]:
    """The application on a migrated database of its own, with the sample and a staff key."""
    url = await create_database(admin_url, prefix="suivi_scratch")
    try:
        await asyncio.to_thread(upgrade_database, url)
        engine = create_async_engine(url)
        try:
            async with create_sessionmaker(engine).begin() as session:
                await sample.load(session, sample=sample_data())
                staff_key = await factories.api_key(session, Role.STAFF)
        finally:
            await engine.dispose()
        # Past 120 writes a minute every write would be a 429 and nothing behind it reached.
        app = create_app(Settings(database_url=url, rate_limit_enabled=False))
        served = Served(app=app, staff_key=staff_key)
        try:
            yield served
            # Only after a run of every operation's test (not a selection of them, `-k`).
            selected = [item for item in request.session.items if item.path == request.path]
            if len(selected) == len(_operations()):
                _check_calls(served.calls)
        finally:
            # The application's lifespan (its engine) runs on Schemathesis's own event loop.
            await asyncio.to_thread(schemathesis.python.asgi.shutdown_lifespans)
    finally:
        await drop_database(admin_url, url)


def _operations() -> dict[str, bool]:
    """Each operation of the document, and whether it takes input (parameters or a body)."""
    return {
        f"{method.upper()} {path}": bool(
            operation.get("parameters") or operation.get("requestBody")
        )
        for path, methods in schema.raw_schema["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "put", "post", "patch", "delete"}
    }


def _check_calls(calls: Counter[str]) -> None:
    """Every operation that takes input was called MINIMUM_CALLS times or more; one without
    parameters or body has a handful of distinct cases to send."""
    fewest = min(
        (name for name, takes_input in _operations().items() if takes_input),
        key=lambda name: calls[name],
    )
    assert calls[fewest] >= MINIMUM_CALLS, f"{fewest}: {calls[fewest]} calls"


# Read at collection, one test per operation: the document needs no database. (Loading it
# from a fixture instead fails on pytest 9, whose nodes no longer have `_nodeid`.)
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())

BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_as_staff_and_as_public(case: Case, served: Served) -> None:
    # Each generated case is sent by both callers: generating it costs as much as sending it.
    if case.headers:
        case.headers.pop("Authorization", None)
    case.call_and_validate(app=served.app, checks=CHECKS)
    case.call_and_validate(
        app=served.app, headers={"Authorization": f"Bearer {served.staff_key}"}, checks=CHECKS
    )
    served.calls[f"{case.operation.method.upper()} {case.operation.path}"] += 2
