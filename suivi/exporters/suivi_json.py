"""The Suivi JSON export (version 1), as importers/suivi_json.py reads it back."""

from collections.abc import AsyncIterator
from typing import Any

import orjson

from suivi.services.exports import PortableRecommendation

# What the reader (importers/suivi_json.py) checks first.
FORMAT_NAME = "suivi"
FORMAT_VERSION = 1

# The reader checks the header before the first recommendation: it must come first.
_HEAD = b'{"format":"%s","version":%d,"recommendations":[' % (
    FORMAT_NAME.encode(),
    FORMAT_VERSION,
)
_TAIL = b"]}\n"


def portable(rec: PortableRecommendation) -> dict[str, Any]:
    """`rec` as one item of `recommendations`, in the format's field order."""
    return {
        "natural_key": rec.natural_key,
        "state": rec.state,
        "mechanism": rec.mechanism,
        "body": rec.body,
        "body_name": rec.body_name,
        "document_symbol": rec.document_symbol,
        "paragraph": rec.paragraph,
        "annotation_type": rec.annotation_type,
        "language": rec.language,
        "texts": {rec.language: rec.text, **rec.translations},
        "recommending_states": rec.recommending_states,
        "position": rec.position,
        "action_category": rec.action_category,
        "session": rec.session,
        "cycle": rec.cycle,
        "date": rec.date,
        "themes": rec.themes,
        "affected_persons": rec.affected_persons,
        "sdgs": rec.sdgs,
        "hrd_relevance": rec.hrd_relevance,
        # The format knows these two keys only; anything else would be refused on import.
        "hrd_reasons": [
            {"source": reason["source"], "match": reason["match"]}
            for reason in rec.hrd_reasons
            if reason.get("source") in ("tag", "text") and isinstance(reason.get("match"), str)
        ],
        "source_format": rec.source_format,
        "source_record_id": rec.source_record_id,
    }


async def json_chunks(batches: AsyncIterator[list[PortableRecommendation]]) -> AsyncIterator[bytes]:
    """The export, one chunk per batch; a reader may parse it as a stream.

    The header goes with the first batch, so a failure to read that batch comes before the
    first byte, while the response can still be a problem instead of a file cut short.
    """
    started = False
    async for batch in batches:
        items = b",\n".join(orjson.dumps(portable(rec)) for rec in batch)
        yield (b",\n" if started else _HEAD + b"\n") + items
        started = True
    yield _TAIL if started else _HEAD + _TAIL
