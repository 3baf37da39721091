"""What every model on the wire (Kafka records, request bodies) shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict

#: The version in every wire schema's ``$id`` and file name.
SCHEMA_VERSION = 1


def wire_config(
    title: str, schema_name: str, more: Callable[[dict[str, Any]], None] | None = None
) -> ConfigDict:
    """Every model on the wire: unknown fields refused, immutable, never coerced (a
    "3" is not 3); its JSON Schema titled, with a versioned ``$id``, and ``more``."""

    def schema_extra(schema: dict[str, Any]) -> None:
        schema["$id"] = f"{schema_name}.v{SCHEMA_VERSION}"
        if more is not None:
            more(schema)

    return ConfigDict(
        extra="forbid", frozen=True, strict=True, title=title, json_schema_extra=schema_extra
    )
