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
        ": ".join(
            part
            for part in (
                source,
                key_name(tuple(item["loc"])),
                item["msg"].removeprefix("Value error, "),
            )
            if part
        )
        + (f" (got {_shown(item['input'])})" if item["type"] != "missing" and item["loc"] else "")
        for item in error.errors()
    ]
    return ConfigError("invalid configuration:\n  " + "\n  ".join(lines))


#: What of a refused value an error line shows: a key's value, never a whole file.
_SHOWN_CHARACTERS = 80


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 1] + "…"


def dotted_key(loc: tuple[str | int, ...]) -> str:
    """``("regions", 2, "code")`` → ``regions[2].code``."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key or "(top level)"
