"""The change feed, polled (`GET /v1/changes`) or pushed (`GET /v1/changes/stream`, SSE)."""

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.sse import format_sse_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.deps import SessionDep
from api.languages import LanguageDep, request_language
from api.pagination import decode_cursor, encode_cursor
from api.params import PageLimit
from api.schemas.changes import ChangePage, ChangeRead
from api.schemas.problems import problem_responses
from api.schemas.recommendations import item_labeller
from api.streams import EventStream, Poll, StreamLimits, hold_stream
from suivi.db import database_unavailable
from suivi.labels import Labeller
from suivi.services import changes as service
from suivi.services.changes import Change

logger = structlog.get_logger(__name__)

router = APIRouter(prefix="/v1/changes", tags=["changes"])

SINCE_DESCRIPTION = (
    "Resume after this cursor: the `next_cursor` of the previous page (or an event's `cursor`). "
    "Omit it to start from the first change."
)
# How often the stream looks for new changes when it has sent everything.
STREAM_POLL_SECONDS = 2.0
STREAM_BATCH = 500


def _read_since(since: str | None, *, name: str = "since") -> tuple[int, int]:
    if since is None:
        return service.START
    sequence, event_id = decode_cursor(since, types=(int, int), name=name)
    return sequence, event_id


def _read(change: Change, labeller: Labeller) -> ChangeRead:
    data = change.data
    if data is not None and change.object_type == "recommendation":
        # As the list shows it, labels included: a replayed copy is the list's exact copy.
        data = item_labeller(labeller)(dict(data))
    return ChangeRead(
        cursor=encode_cursor(list(change.cursor)),
        kind=change.kind,
        object_type=change.object_type,
        object_id=change.object_id,
        occurred_at=change.occurred_at,
        data=data,
    )


@router.get(
    "",
    operation_id="listChanges",
    summary="Published changes, in a gap-free order, after a cursor",
    description=(
        "Every published change (recommendations created, updated, with a new status or "
        "deleted; "
        "actions; action links; published updates; grades). Poll with the returned "
        "`next_cursor`: no event is ever skipped or repeated, even when transactions commit "
        "out of order. `data` is the object's current public representation (null when it "
        "is no longer public): keep the last one per object to hold an exact copy."
    ),
    response_model=ChangePage,
    responses=problem_responses(422),
)
async def list_changes(
    session: SessionDep,
    language: LanguageDep,
    since: Annotated[str | None, Query(description=SINCE_DESCRIPTION)] = None,
    limit: PageLimit = 50,
) -> ChangePage:
    after = _read_since(since)
    items = await service.page(session, after=after, limit=limit)
    # An empty page keeps the caller's place: the next poll asks again from there.
    last = items[-1].cursor if items else after
    labeller = Labeller.of(language)
    return ChangePage(
        items=[_read(change, labeller) for change in items],
        next_cursor=encode_cursor(list(last)),
    )


def _poller(
    limits: StreamLimits,
    sessionmaker: async_sessionmaker[AsyncSession],
    after: tuple[int, int],
    labeller: Labeller,
) -> Poll:
    """The stream's look at the feed: the events after the last one it sent."""
    paused = False

    async def poll() -> list[bytes]:
        nonlocal after, paused
        try:
            # A short session per look: a stream never holds a connection while it waits.
            async with limits.polling(), sessionmaker() as session:
                batch = await service.page(session, after=after, limit=STREAM_BATCH)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            # The stream stays open through an outage and resumes from its cursor after it.
            if not paused:
                logger.warning("change_stream_paused", cause=type(exc).__name__)
            paused = True
            return []
        paused = False
        if batch:
            after = batch[-1].cursor
        return [_event(change, labeller) for change in batch]

    return poll


def _event(change: Change, labeller: Labeller) -> bytes:
    item = _read(change, labeller)
    return format_sse_event(data_str=item.model_dump_json(), event=item.kind, id=item.cursor)


async def _stream_start(
    since: Annotated[str | None, Query(description=SINCE_DESCRIPTION)] = None,
    last_event_id: Annotated[
        str | None,
        Header(description="Sent by a reconnecting EventSource; wins over `since`."),
    ] = None,
) -> tuple[int, int]:
    # A dependency, so that a bad cursor is a 422 before the stream's 200 is sent.
    if last_event_id:
        return _read_since(last_event_id, name="Last-Event-ID")
    return _read_since(since)


@router.get(
    "/stream",
    operation_id="streamChanges",
    summary="The change feed as Server-Sent Events",
    description=(
        "The events of `GET /v1/changes`, pushed as they become final. Each event's `id` is "
        "its cursor: a reconnecting `EventSource` sends it back as `Last-Event-ID` and "
        "resumes without gaps. A `: keep-alive` comment comes when nothing else has for 15 s. "
        "Each process serves a limited number of streams, and a few per API key (or per "
        "address without one): past them, 429 with `Retry-After`."
    ),
    response_class=EventStream,
    status_code=200,
    responses={
        **problem_responses(422),
        429: problem_responses(429)[429]
        | {"description": "Too many streams open; `Retry-After` says when to try again"},
    },
    dependencies=[Depends(hold_stream)],
)
async def stream_changes(
    request: Request, after: Annotated[tuple[int, int], Depends(_stream_start)]
) -> EventStream:
    labeller = Labeller.of(request_language(request))
    poll = _poller(request.app.state.streams, request.app.state.sessionmaker, after, labeller)
    return EventStream(poll, poll_seconds=STREAM_POLL_SECONDS)
