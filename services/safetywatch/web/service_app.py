"""One way to make a service's ASGI application: the object that owns the service starts
on an exit stack for the application's lifetime, and its routes answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI

from safetywatch.web.handlers import RefusalHook, install_refusal_handlers

log = structlog.get_logger("safetywatch.web")


def service_app(
    title: str,
    service: Any,
    start: Callable[[AsyncExitStack], Awaitable[None]],
    routers: Sequence[APIRouter],
    on_refusal: RefusalHook | None = None,
) -> FastAPI:
    """``service`` is reachable from the routes as ``request.app.state.service``."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await start(stack)
            yield
        log.info("service_stopped", service=title)

    app = FastAPI(title=title, lifespan=lifespan)
    app.state.service = service
    install_refusal_handlers(app, on_refusal)
    for router in routers:
        app.include_router(router)
    return app
