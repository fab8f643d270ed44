"""The domain's failures, each with the HTTP status and problem type the API reports it as."""


class SuiviError(Exception):
    """A failure the caller can act on; rendered as RFC 9457 problem+json by the API."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(SuiviError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(SuiviError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class Unauthenticated(SuiviError):
    """No usable key where one is needed: missing, malformed, unknown, expired or revoked."""

    status = 401
    type_slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(SuiviError):
    """The caller's role may not do this."""

    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class InvalidCursor(SuiviError):
    status = 422
    type_slug = "invalid-cursor"
    title = "Invalid cursor"


class DatabaseUnavailable(SuiviError):
    status = 503
    type_slug = "database-unavailable"
    title = "Database unavailable"
