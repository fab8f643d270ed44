"""Headers that keep Suivi's pages to themselves: no foreign script, style, frame or form target."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script, nothing from another origin. The API documentation's Swagger UI sets
# style attributes, so /docs alone allows inline styles (never inline script).
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def _is_html(start: Message) -> bool:
    """Whether a response's first Content-Type is HTML, as a header mapping would read it."""
    for name, value in start.get("headers", ()):
        if name == b"content-type":
            return bool(value.startswith(b"text/html"))
    return False


class PageSecurityMiddleware:
    """Adds a strict Content-Security-Policy and related headers to every HTML response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"].startswith("/docs") else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            # Most responses are the API's JSON: a glance at the raw headers lets them by.
            if message["type"] == "http.response.start" and _is_html(message):
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_with_headers)
