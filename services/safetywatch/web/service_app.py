"""One way to make a service's ASGI application: the object that owns the service starts
on an exit stack for the application's lifetime, and its routes answer."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from safetywatch.web.handlers import RefusalHook, install_refusal_handlers

log = structlog.get_logger("safetywatch.web")

#: Where the Swagger UI's files are served from (the swagger-ui-bundle package).
DOCS_ASSETS = "/docs/assets"

#: The services' telemetry is their Prometheus metrics and JSON logs. FastAPI's
#: OpenTelemetry hooks (newer releases have them) asked for a tracer provider on every
#: request, reading the environment each time: 1.5% of the gateway's time under load.
_NO_OPENTELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    if "telemetry" in inspect.signature(FastAPI).parameters
    else {}
)


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

    # The API docs from the installed package, not a CDN: a bureau's network may have no
    # internet, and a page that loads nothing is worse than none.
    app = FastAPI(
        title=title, lifespan=lifespan, docs_url=None, redoc_url=None, **_NO_OPENTELEMETRY
    )
    app.state.service = service
    install_refusal_handlers(app, on_refusal)
    # The service's own routes first: requests are matched in order, and each route
    # tried before the one that matches costs every request (the report route is
    # the gateway's hot path).
    for router in routers:
        app.include_router(router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} — API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    return app
