"""Answers without their labels: what must never change with Accept-Language."""

from typing import Any


def without_labels(value: Any) -> Any:
    """`value` (a decoded JSON answer) without its `label`, `*_label` and `*_labels` fields."""
    if isinstance(value, dict):
        return {
            key: without_labels(item)
            for key, item in value.items()
            if not (key == "label" or key.endswith(("_label", "_labels")))
        }
    if isinstance(value, list):
        return [without_labels(item) for item in value]
    return value
