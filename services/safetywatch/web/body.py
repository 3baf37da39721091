"""Reading a request body with a size limit and a deadline (slow-loris defence)."""

from __future__ import annotations

from starlette.requests import Request

from safetywatch.deadlines import bounded
from safetywatch.web.refusals import Refusal


def is_json_content_type(value: str | None) -> bool:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def _read_at_most(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"request body exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refusal(413, f"request body exceeds {limit} bytes")
    return bytes(body)


async def read_json_body(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The body of a JSON request: 415 for another media type, 413 over ``limit`` bytes,
    408 when it has not arrived within ``timeout_seconds``."""
    if not is_json_content_type(request.headers.get("content-type")):
        raise Refusal(415, "Content-Type must be application/json")
    try:
        return await bounded(_read_at_most(request, limit), timeout_seconds)
    except TimeoutError:
        raise Refusal(408, f"the body did not arrive within {timeout_seconds:g} s") from None
