"""The change feed's items and pages."""

from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.base import Schema


class ChangeRead(Schema):
    """One published change and the object as the public sees it now."""

    cursor: str = Field(description="Resume after this event: pass it as `since`.")
    kind: str = Field(
        description="`recommendation.created`, `recommendation.updated`, "
        "`recommendation.status_changed`, `recommendation.deleted`, `action.created`, "
        "`action.updated`, `action.deleted`, `link.created`, `link.updated`, `link.deleted`, "
        "`update.published`, `update.deleted`, `grade.created` or `grade.deleted` (the last "
        "three when the illustrative sample is removed)."
    )
    object_type: str = Field(
        description="`recommendation`, `action`, `action_link`, `update` or `grade`."
    )
    object_id: str = Field(
        description="The object's id; an action link's is `<recommendation_id>:<action_id>`."
    )
    occurred_at: datetime
    data: dict[str, Any] | None = Field(
        description="The object's current public representation; null when it is gone."
    )


class ChangePage(Schema):
    items: list[ChangeRead]
    next_cursor: str = Field(description="Pass as `since` to poll for what follows.")
