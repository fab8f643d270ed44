"""Liveness and readiness probes for orchestrators and load balancers."""

import asyncio

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas.base import Schema
from api.schemas.problems import problem_responses
from suivi.errors import DatabaseUnavailable

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 3.0


class HealthRead(Schema):
    """The probe's verdict."""

    status: str


@router.get("/health", operation_id="getHealth", summary="The process is alive")
async def health() -> HealthRead:
    """Answers without touching the database, so a slow database does not restart the process."""
    return HealthRead(status="ok")


@router.get(
    "/ready",
    operation_id="getReady",
    summary="The database answers",
    responses=problem_responses(503),
)
async def ready(session: SessionDep) -> HealthRead:
    """A database round-trip; 503 problem+json with `Retry-After` when it fails or is slow."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise DatabaseUnavailable("The database did not answer.") from exc
    return HealthRead(status="ready")
