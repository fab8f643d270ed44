"""Content hashes: the same content always hashes the same, whatever the key order."""

import hashlib
import json
from typing import Any


def content_hash(content: Any) -> str:
    """sha256 hex digest of `content` serialised as canonical JSON."""
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
