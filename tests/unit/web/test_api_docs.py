"""The API docs open without the internet: every file the page loads is served by the
service itself, from the installed swagger-ui-bundle package."""

from __future__ import annotations

import re
from contextlib import AsyncExitStack

from fastapi.testclient import TestClient

from safetywatch.web.service_app import service_app


async def _nothing(_stack: AsyncExitStack) -> None:
    return None


def test_the_docs_page_loads_only_what_the_service_serves():
    app = service_app("test service", object(), _nothing, [])
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        sources = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        urls = re.findall(r"""url: ['"]([^'"]+)['"]""", page.text)
        assert sources
        assert not [s for s in sources + urls if s.startswith(("http:", "https:", "//"))]
        for source in sources:
            assert client.get(source).status_code == 200, source
        assert client.get("/openapi.json").json()["info"]["title"] == "test service"
