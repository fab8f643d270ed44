"""Write limits in a shared store: keys' counters go there, addresses never leave the process."""

import httpx
import pytest
from fastapi import FastAPI
from limits.storage import MemoryStorage

from api import rate_limits
from api.app import create_app
from api.rate_limits import RateLimitMiddleware
from suivi.settings import Settings

CALLER_ADDRESS = "203.0.113.7"


class RecordingStorage(MemoryStorage):
    """A store that notes every counter it is asked about, as a shared one would see them."""

    def __init__(self, uri: str | None = None) -> None:
        super().__init__(uri)
        self.keys: set[str] = set()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        self.keys.add(key)
        return super().acquire_entry(key, limit, expiry, amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        self.keys.add(key)
        return super().get_moving_window(key, limit, expiry)


async def test_the_shared_store_counts_keys_and_never_sees_an_address(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores: list[RecordingStorage] = []

    def recording(uri: str) -> RecordingStorage:
        stores.append(RecordingStorage(uri))
        return stores[-1]

    # The middleware opens its store when the application first serves.
    monkeypatch.setattr(rate_limits, "storage_from_string", recording)
    transport = httpx.ASGITransport(app=app, client=(CALLER_ADDRESS, 40123))
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.post(
            "/v1/actions", json={}, headers={"Authorization": "Bearer sk_0123abcd_secret"}
        )

    assert response.status_code == 401
    [store] = stores
    assert store.keys
    assert all("write-key" in key for key in store.keys)
    assert not any(CALLER_ADDRESS in key for key in store.keys)


def test_an_asynchronous_store_is_refused() -> None:
    with pytest.raises(ValueError, match="async"):
        RateLimitMiddleware(
            create_app(Settings()),
            key_writes="1/minute",
            address_writes="1/minute",
            storage_uri="async+memory://",
        )
