"""The domain's failures, each with the HTTP status and problem type the API reports it as."""


class SuiviError(Exception):
    """A failure the caller can act on; rendered as RFC 9457 problem+json by the API."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # Sent with the problem, e.g. `Retry-After` on a 429.
        self.headers = headers


class NotFound(SuiviError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(SuiviError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class NotEmbedded(Conflict):
    """A recommendation whose text has no vector of meaning yet (queued for `suivi embed`)."""

    type_slug = "not-embedded-yet"
    title = "No vector yet"


class MeaningUnavailable(Conflict):
    """Search by meaning asked of a server without pgvector holding more vectors than each
    process may copy (`SUIVI_EXACT_VECTORS_MAX`)."""

    type_slug = "meaning-unavailable"
    title = "Search by meaning unavailable"


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


class PreconditionFailed(SuiviError):
    """`If-Match` names a version that is no longer current: someone changed it meanwhile."""

    status = 412
    type_slug = "precondition-failed"
    title = "Precondition failed"


class PreconditionRequired(SuiviError):
    """A change that could overwrite someone else's was sent without `If-Match`."""

    status = 428
    type_slug = "precondition-required"
    title = "Precondition required"


class Unprocessable(SuiviError):
    """Well-formed but impossible, e.g. an Idempotency-Key reused with another body."""

    status = 422
    type_slug = "unprocessable"
    title = "Unprocessable request"


class InvalidField(Unprocessable):
    """A body field that is well-formed but not acceptable; reported, like a schema error,
    as a 422 that names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class TooManyRequests(SuiviError):
    """A caller wrote faster than the configured rate; `Retry-After` says when to try again."""

    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"


class InvalidCursor(SuiviError):
    status = 422
    type_slug = "invalid-cursor"
    title = "Invalid cursor"


class DatabaseUnavailable(SuiviError):
    status = 503
    type_slug = "database-unavailable"
    title = "Database unavailable"


class InvalidFilter(ValueError):
    """Filter values that contradict each other; the API and the CLI name `parameter`."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason
