"""Refusals: raised as one exception type anywhere in a request, rendered in one place.

Every refusal has the same body, ``{"detail": ...}``: a sentence, or for validation a
list of ``{"field", "type", "msg"}``, each naming its field (``body`` for the document
as a whole). Rendering also writes the audit line (see ``RefusalLog``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from safetywatch.errors import SafetywatchError

FieldError = dict[str, Any]


class Refusal(SafetywatchError):
    """An HTTP refusal: status, what to tell the client, headers, and why (for the audit)."""

    def __init__(
        self,
        status: int,
        detail: str | Sequence[FieldError],
        headers: Mapping[str, str] | None = None,
        *,
        reason: str | None = None,
    ) -> None:
        super().__init__(
            detail if isinstance(detail, str) else f"{status} with {len(detail)} errors"
        )
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.reason = reason or (detail if isinstance(detail, str) else _first_reason(detail))

    @property
    def retriable(self) -> bool:  # type: ignore[override]
        """The same request may succeed later: too slow, too many, or unavailable now."""
        return self.status in (408, 429, 503)

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail if isinstance(self.detail, str) else list(self.detail)}


def _first_reason(errors: Sequence[FieldError]) -> str:
    if not errors:
        return "invalid"
    first = errors[0]
    return f"{first.get('field')}: {first.get('msg')}" + (
        f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    )


def field_name(location: Sequence[str | int]) -> str:
    """pydantic's error location as the field a client sent: ``location.lat``, ``body``."""
    return ".".join(str(part) for part in location) or "body"


def field_error(field: str, kind: str, message: str) -> FieldError:
    return {"field": field, "type": kind, "msg": message}


def field_errors(error: ValidationError, prefix: Sequence[str | int] = ()) -> list[FieldError]:
    """Every problem of a validation error, each naming its field."""
    return [
        field_error(field_name([*prefix, *item["loc"]]), item["type"], item["msg"])
        for item in error.errors(include_url=False, include_input=False)
    ]


def invalid(field: str, message: str, kind: str = "value_error") -> Refusal:
    """422 naming one field (a query parameter, say)."""
    return Refusal(422, [field_error(field, kind, message)])
