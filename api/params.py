"""Query-parameter types shared by the routes: what a well-formed value looks like."""

from typing import Annotated

from fastapi import Path
from pydantic import Field, StringConstraints

# Declared with the recommendation filters, which take the same values.
from suivi.services.recommendation_filters import STATE_PATTERN, Label, SearchText, StateCode

__all__ = ["STATE_PATTERN", "Label", "SearchText", "StateCode"]

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
