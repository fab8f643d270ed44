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


class InvalidCursor(SuiviError):
    status = 422
    type_slug = "invalid-cursor"
    title = "Invalid cursor"


class DatabaseUnavailable(SuiviError):
    status = 503
    type_slug = "database-unavailable"
    title = "Database unavailable"
