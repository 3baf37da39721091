"""The API docs open without the internet: every file the page loads is served by the
service itself, from the installed swagger-ui-bundle package."""

from __future__ import annotations

import asyncio
import re
from contextlib import AsyncExitStack

import httpx

from safetywatch.web.service_app import service_app


async def _nothing(_stack: AsyncExitStack) -> None:
    return None


def test_the_docs_page_loads_only_what_the_service_serves():
    app = service_app("test service", object(), _nothing, [])

    async def check() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            page = await client.get("/docs")
            assert page.status_code == 200
            sources = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
            assert sources
            assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
            for source in sources:
                assert (await client.get(source)).status_code == 200, source
            openapi = (await client.get("/openapi.json")).json()
            assert openapi["info"]["title"] == "test service"

    asyncio.run(check())
