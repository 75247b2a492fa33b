"""A YAML tree as the JSON data the schemas validate: the form every check of a file starts from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..model import YNode


def to_plain(node: YNode | None) -> Any:
    """JSON-compatible data for schema validation: dates become ISO strings."""
    if node is None:
        return None
    kind = node.kind
    if kind == "mapping":
        return {k: to_plain(v) for k, v in node.value.items()}
    if kind == "sequence":
        return [to_plain(v) for v in node.value]
    value = node.value
    if type(value) is str:  # the common case first: no isinstance chain for text
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value
