"""Server-Sent Event streams that cannot exhaust the server: capped, briefly polled, quietly ended.

Open streams are counted per process and per client (its API key, else its address); past either
cap a new stream gets a 429 before it starts. A stream holds no database connection while it
waits: its poll opens a session for each look, and all streams together poll through a few
connections at most. A comment line goes out when nothing else has for HEARTBEAT_SECONDS, so
that proxies keep the connection open. A client that leaves ends its stream without an error.

Counts live in this process's memory; an address is held there only while its streams are open,
and never logged. Under `suivi serve --workers N` each worker takes its share of both caps
(`StreamLimits.from_settings`).
"""

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager

import anyio
from fastapi import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from api.deps import CallerDep
from api.metrics import STREAMS_OPEN
from suivi.errors import TooManyRequests
from suivi.settings import Settings

HEARTBEAT_SECONDS = 15.0
KEEP_ALIVE = b": keep-alive\n\n"
# Streams end when their clients leave, at no time known in advance: a guess at when one has.
RETRY_AFTER_SECONDS = 5
# However many streams are open, their polls never take more of the pool than this.
POLL_CONNECTIONS = 2

Poll = Callable[[], Awaitable[Sequence[bytes]]]


class StreamLimits:
    """The streams open in this process, in total and per client, and their shared polls."""

    def __init__(self, *, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._open: Counter[str] = Counter()
        self._polls = asyncio.Semaphore(POLL_CONNECTIONS)

    @classmethod
    def from_settings(cls, settings: Settings) -> "StreamLimits":
        """The caps of one process: under N workers, a share (rounded up) of each.

        Shares rather than counts shared between workers: a count in shared storage would hold
        client addresses outside this process, and would need cleaning after a worker that
        crashed with streams open. With shares the server never holds more streams than its
        caps (rounded up to a multiple of N); as connections are not always spread evenly
        between workers, a client may instead be refused a little before its cap, and retries.
        """
        # `suivi serve` names the number of its workers; an application built otherwise (a
        # test's) is one process.
        workers = settings.workers or 1
        return cls(
            total=math.ceil(settings.sse_max_streams / workers),
            per_client=math.ceil(settings.sse_max_streams_per_client / workers),
        )

    @property
    def open(self) -> int:
        """Streams open now."""
        return self._open.total()

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Count one stream of `client` while the block runs; TooManyRequests past a cap."""
        if self.open >= self.total:
            detail = "This server has as many change streams open as it may"
        elif self._open[client] >= self.per_client:
            detail = (
                f"At most {self.per_client} change streams may be open at once per API key, "
                "or per address without one"
            )
        else:
            detail = None
        if detail is not None:
            raise TooManyRequests(
                f"{detail}; retry in {RETRY_AFTER_SECONDS} s.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self._open[client] += 1
        STREAMS_OPEN.inc()
        try:
            yield
        finally:
            STREAMS_OPEN.dec()
            self._open[client] -= 1
            if not self._open[client]:
                # The address is forgotten with its last stream.
                del self._open[client]

    @asynccontextmanager
    async def polling(self) -> AsyncIterator[None]:
        """Wait for a turn to poll, so that streams leave the pool to requests."""
        async with self._polls:
            yield


async def hold_stream(request: Request, caller: CallerDep) -> AsyncIterator[None]:
    """Count the request's stream against the caps for as long as it is open; 429 past them."""
    limits: StreamLimits = request.app.state.streams
    if caller.prefix is not None:
        client = f"key:{caller.prefix}"
    else:
        client = f"address:{request.client.host if request.client else ''}"
    with limits.hold(client):
        yield


def _chunk(body: bytes) -> Message:
    return {"type": "http.response.body", "body": body, "more_body": True}


async def _left_within(receive: Receive, seconds: float) -> bool:
    """Whether the client disconnects within `seconds`."""
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass
        return True
    return False


class EventStream(Response):
    """`text/event-stream` of the events `poll` returns, looked for every `poll_seconds`."""

    media_type = "text/event-stream"

    def __init__(self, poll: Poll, *, poll_seconds: float) -> None:
        self.poll = poll
        self.poll_seconds = poll_seconds
        self.status_code = 200
        self.background = None
        # Each event is sent once: no cache may keep the stream, no proxy may hold it back.
        self.init_headers({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._stream(receive, send)
        except OSError:
            # The server's word for a client that left while a chunk was on its way.
            return

    async def _stream(self, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        # At once, so that the headers leave before the first event does (middleware may hold
        # them until a body comes), and so that a client that lost the stream waits as long as
        # a refused one would before coming back.
        await send(_chunk(f"retry: {RETRY_AFTER_SECONDS * 1000}\n\n".encode()))
        quiet_since = time.monotonic()
        while True:
            events = await self.poll()
            if events:
                await send(_chunk(b"".join(events)))
                quiet_since = time.monotonic()
                # More may have come meanwhile, or stayed behind a full batch: look again at once.
                continue
            quiet = time.monotonic() - quiet_since
            if quiet >= HEARTBEAT_SECONDS:
                await send(_chunk(KEEP_ALIVE))
                quiet_since, quiet = time.monotonic(), 0.0
            if await _left_within(receive, min(self.poll_seconds, HEARTBEAT_SECONDS - quiet)):
                return
