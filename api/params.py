"""Query-parameter types shared by the routes: what a well-formed value looks like."""

from typing import Annotated

from fastapi import Path
from pydantic import Field, StringConstraints

STATE_PATTERN = "^[A-Z]{3}$"
# No control characters: PostgreSQL refuses NUL in text, and none belongs in a label.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"

StateCode = Annotated[str, StringConstraints(pattern=STATE_PATTERN)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_PRINTABLE)]
SearchText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=_PRINTABLE)]

# Keyset pages: the same size bounds and cursor shape on every list.
MAX_LIMIT = 500
PageLimit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Items per page.")]
# Optional on every list, so described where it is declared (`| None` would bury it).
PageCursor = Annotated[str, StringConstraints(max_length=500)]
CURSOR_DESCRIPTION = "`next_cursor` of the previous page."


# Ids are PostgreSQL bigints: a larger number is a 422 naming the parameter, not a 500.
MAX_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
RecommendationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The recommendation's id.")]
