"""Write rate limits: too many writes from one key or one address get a 429 with `Retry-After`.

Counters use the `limits` library's moving window. A key's counters live in the storage
SUIVI_RATE_LIMIT_STORAGE_URI names: this process's memory by default (each worker counts on its
own, a restart forgets), or a store the replicas share. An address's counters always stay in this
process's memory: addresses are held only there, never logged, stored or sent elsewhere.
"""

import hashlib
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.languages import scope_language
from api.problems import TYPE_PREFIX, problem_response
from suivi.errors import TooManyRequests
from suivi.services.keys import KEY_PREFIX, PREFIX_LENGTH

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The limiter that counts, the limit, its namespace and the bucket (a key digest, an address).
Check = tuple[MovingWindowRateLimiter, RateLimitItem, str, str]
_HEX = frozenset("0123456789abcdef")


def key_bucket(authorization: str | None) -> str | None:
    """The counter of a `Bearer sk_<prefix>_<secret>` key, found without asking the database.

    A digest of the whole key, not its prefix: someone who learnt a key's prefix cannot spend
    that key's allowance by sending `sk_<prefix>_<anything>`.
    """
    if authorization is None:
        return None
    scheme, _, key = authorization.partition(" ")
    parts = key.strip().split("_", 2)
    if (
        scheme.lower() != "bearer"
        or len(parts) != 3
        or parts[0] != KEY_PREFIX
        or len(parts[1]) != PREFIX_LENGTH
        or not _HEX.issuperset(parts[1])
    ):
        # Such a key cannot authenticate; the address limit still applies to it.
        return None
    return hashlib.sha256(key.strip().encode()).hexdigest()[:32]


class RateLimitMiddleware:
    """Answers 429 problem+json to a write past its key's or its address's limit.

    It runs before the body is read and before any database work, so a refused write costs
    almost nothing. A refused write is not counted.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        key_writes: str,
        address_writes: str,
        storage_uri: str = "memory://",
    ) -> None:
        self.app = app
        self.key_limits = parse_many(key_writes)
        self.address_limits = parse_many(address_writes)
        # A new storage per application, so each app (and each test's app) counts from zero.
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            # This middleware calls the storage without awaiting: an async+ one cannot serve.
            raise ValueError(f"not a synchronous limits storage: {storage_uri.split(':')[0]}")
        self.key_limiter = MovingWindowRateLimiter(storage)
        self.address_limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITE_METHODS
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        checks: list[Check] = []
        bucket = key_bucket(Headers(scope=scope).get("authorization"))
        if bucket is not None:
            checks += [(self.key_limiter, limit, "write-key", bucket) for limit in self.key_limits]
        client = scope.get("client")
        if client:
            checks += [
                (self.address_limiter, limit, "write-address", client[0])
                for limit in self.address_limits
            ]
        # No await between the tests and the hits: no other request of this process can slip
        # in between.
        refused = [check for check in checks if not check[0].test(*check[1:])]
        if refused:
            await self._refuse(scope, receive, send, refused)
            return
        for check in checks:
            check[0].hit(*check[1:])
        await self.app(scope, receive, send)

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        refused: list[Check],
    ) -> None:
        now = time.time()
        # Every refused limit must have room again before a retry can pass.
        retry_after = max(
            max(1, math.ceil(limiter.get_window_stats(limit, namespace, bucket).reset_time - now))
            for limiter, limit, namespace, bucket in refused
        )
        by_key = any(namespace == "write-key" for _, _, namespace, _ in refused)
        response = problem_response(
            TooManyRequests.status,
            type_=TYPE_PREFIX + TooManyRequests.type_slug,
            title=TooManyRequests.title,
            detail=(
                f"Too many writes from this {'API key' if by_key else 'address'}; "
                f"retry in {retry_after} s."
            ),
            instance=scope["path"],
            language=scope_language(scope),
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
