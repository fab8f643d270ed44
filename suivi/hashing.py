"""Content hashes: the same content always hashes the same, whatever the key order."""

import hashlib
from typing import Any

import orjson


def canonical_json(content: Any) -> bytes:
    """`content` as compact UTF-8 JSON with sorted keys: one spelling for one content."""
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS, default=str)


def content_hash(content: Any) -> str:
    """sha256 hex digest of `content` serialised as canonical JSON."""
    return hashlib.sha256(canonical_json(content)).hexdigest()
