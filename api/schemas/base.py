"""The shared base of every schema: inputs refuse unknown fields instead of ignoring them."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base for API models; `extra="forbid"` so mass assignment is rejected, not ignored."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


def attributes_for(model: type[BaseModel], source: object) -> dict[str, Any]:
    """The attributes of `source` that `model` has fields for: the rest (labels) added apart."""
    return {name: getattr(source, name) for name in model.model_fields if hasattr(source, name)}
