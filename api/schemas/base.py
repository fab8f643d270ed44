"""The shared base of every schema: inputs refuse unknown fields instead of ignoring them."""

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base for API models; `extra="forbid"` so mass assignment is rejected, not ignored."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)
