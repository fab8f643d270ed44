"""Request body limit: a body larger than the setting is refused with 413 problem+json.

A body that announces its length is refused before it is read; one sent in chunks is counted
as it arrives and refused as soon as it passes the limit.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response


class _TooLarge(BaseException):
    """Raised from `receive` when the body passes the limit.

    A BaseException so that it reaches this middleware: FastAPI turns any Exception raised
    while it parses a form into a 400.
    """


class BodyLimitMiddleware:
    """Answers 413 problem+json to a request whose body exceeds `max_bytes`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdecimal() and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            detail=f"The request body is larger than {self.max_bytes:,} bytes.",
            instance=scope["path"],
        )
        await response(scope, receive, send)
