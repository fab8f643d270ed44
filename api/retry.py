"""One more run for a read whose database connection was lost before it answered.

A connection the server closed mid-query (a restart, a failover, pg_terminate_backend) fails the
request that was using it. A GET or HEAD changes nothing, so it runs again, once, on a fresh
connection, provided nothing of its response was sent: the caller never sees that failure.
"""

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
_SCOPE_KEY = "suivi.retry"


@dataclass
class _Retry:
    wanted: bool = False
    started: bool = False


def ask_for_retry(scope: Scope) -> bool:
    """Ask for the request of `scope` to run again, its response so far dropped; whether it will."""
    retry = scope.get(_SCOPE_KEY)
    if not isinstance(retry, _Retry) or retry.started:
        return False
    retry.wanted = True
    return True


class ReadRetryMiddleware:
    """Runs a GET or HEAD a second time when its first run asked for it with `ask_for_retry`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in IDEMPOTENT_METHODS:
            await self.app(scope, receive, send)
            return
        # The routing writes into the scope: the second run starts from the scope as it came.
        original = dict(scope)
        retry = _Retry()
        scope[_SCOPE_KEY] = retry
        received: list[Message] = []

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received.append(message)
            return message

        async def send_unless_retried(message: Message) -> None:
            if retry.wanted:
                return
            retry.started = True
            await send(message)

        await self.app(scope, recording_receive, send_unless_retried)
        if not retry.wanted:
            return
        scope.clear()
        scope.update(original)

        async def replaying_receive() -> Message:
            if received:
                return received.pop(0)
            return await receive()

        await self.app(scope, replaying_receive, send)
