"""Where refusals become responses: one renderer for every service."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from safetywatch.web.refusals import Refusal, field_error, field_name

log = structlog.get_logger("safetywatch.web")

#: Told about every refusal as it is rendered (the gateway writes its audit line).
RefusalHook = Callable[[Request, Refusal], None]


def render(refusal: Refusal) -> JSONResponse:
    return JSONResponse(refusal.body(), status_code=refusal.status, headers=refusal.headers)


def install_refusal_handlers(app: FastAPI, on_refusal: RefusalHook | None = None) -> None:
    """Refusal → its response; FastAPI's parameter validation → the same 422 body;
    anything unexpected → a bare 500 (the log has the whole story, the client nothing)."""

    async def refused(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Refusal)
        if on_refusal is not None:
            on_refusal(request, error)
        return render(error)

    async def invalid_parameters(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [
            # ("query", "lang") names the parameter "lang"
            field_error(field_name(item["loc"][1:]), item["type"], item["msg"])
            for item in error.errors()
        ]
        return await refused(request, Refusal(422, errors))

    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.error("request_failed", path=request.url.path, exc_info=error)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(RequestValidationError, invalid_parameters)
    app.add_exception_handler(Exception, internal_error)


def peer_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"
