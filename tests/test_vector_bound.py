"""Without pgvector, each process copies the vectors to search them: never past the bound."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from suivi import reads
from suivi.errors import MeaningUnavailable
from suivi.reads import VECTORS_SINCE, ReadPool, Reads, Statement
from suivi.settings import Settings

DIMENSIONS = 4
VECTOR = np.ones(DIMENSIONS, dtype="<f4").tobytes()


class _Stored:
    """A server holding `count` vectors: what each read asks, and how many rows it returned."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.statements = 0
        self.rows = 0

    def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[Any]:
        assert statement is VECTORS_SINCE
        self.statements += 1
        first, limit = values["after"] + 1, values["limit"]
        rows = [(i, VECTOR, i) for i in range(first, min(first + limit, self.count + 1))]
        self.rows += len(rows)
        return rows


class _SessionLike(Reads):
    """Reads as a page's or an export's session does: a fresh copy at every search."""

    def __init__(self, stored: _Stored, most: int) -> None:
        self.stored = stored
        self.most = most

    def exact_vectors_max(self) -> int:
        return self.most

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[Any]:
        return self.stored.fetch(statement, values)


class _Pool(ReadPool):
    def __init__(self, stored: _Stored, most: int) -> None:
        url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
        super().__init__(url, Settings(database_url=url, exact_vectors_max=most))
        self.stored = stored

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[Any]:
        return self.stored.fetch(statement, values)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "_VECTOR_BATCH", 3)


async def test_a_copy_within_the_bound_is_read_a_batch_at_a_time() -> None:
    stored = _Stored(count=7)

    copy = await _SessionLike(stored, most=7).vectors("within", DIMENSIONS)

    assert len(copy) == 7
    assert stored.statements == 3


async def test_past_the_bound_the_copy_stops_and_nothing_reads_again() -> None:
    stored = _Stored(count=1_000)

    with pytest.raises(MeaningUnavailable, match="SUIVI_EXACT_VECTORS_MAX"):
        await _SessionLike(stored, most=5).vectors("past", DIMENSIONS)
    read = stored.rows
    with pytest.raises(MeaningUnavailable):
        await _SessionLike(stored, most=5).vectors("past", DIMENSIONS)

    # One batch past the bound at most, and never again for the process.
    assert read == 6
    assert stored.rows == read


async def test_the_pool_gives_its_copy_back_when_it_refuses() -> None:
    stored = _Stored(count=4)
    pool = _Pool(stored, most=5)
    assert len(await pool.vectors("grows", DIMENSIONS)) == 4

    stored.count = 9
    with pytest.raises(MeaningUnavailable):
        await pool.vectors("grows", DIMENSIONS)

    assert pool._vectors == {}
