from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from safetywatch.errors import SafetywatchError


class ConfigError(SafetywatchError):
    """Configuration that cannot be used; the message names each bad key and its source."""


def describe_errors(
    error: ValidationError, source: str, key_name: Callable[[tuple[str | int, ...]], str]
) -> ConfigError:
    lines = [
        f"{source}: {key_name(tuple(item['loc']))}: {item['msg']}"
        + (f" (got {item['input']!r})" if item["type"] != "missing" else "")
        for item in error.errors()
    ]
    return ConfigError("invalid configuration:\n  " + "\n  ".join(lines))


def dotted_key(loc: tuple[str | int, ...]) -> str:
    """``("regions", 2, "code")`` → ``regions[2].code``."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key or "(top level)"
