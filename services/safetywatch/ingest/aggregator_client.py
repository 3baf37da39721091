"""What the gateway asks the aggregator, through its typed read API
(``events.IncidentDocument``): before it accepts a confirmation, that the incident
exists, where it happened and which levels its chain requires; for a unit's own reads,
its incidents.

The aggregator's read API answers from the log the gateway writes to, a moment behind
it: a confirmation posted right after the report may find it not yet applied (404, to be
retried). When the aggregator cannot answer, neither can the gateway (503).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import TypeVar

import httpx
from pydantic import ValidationError

from safetywatch.events import AlertsPage, IncidentDocument, RegisterPage
from safetywatch.web import Refusal

Document = TypeVar("Document", IncidentDocument, RegisterPage, AlertsPage)

#: How long the gateway waits for the aggregator's answer.
LOOKUP_TIMEOUT_SECONDS = 5.0


class AggregatorClient:
    def __init__(self, aggregator_url: str, retry_after: dict[str, str]) -> None:
        self._base = aggregator_url.rstrip("/")
        self._retry_after = retry_after
        self._client: httpx.AsyncClient | None = None

    async def start(self, stack: AsyncExitStack) -> None:
        self._client = await stack.enter_async_context(
            httpx.AsyncClient(base_url=self._base, timeout=LOOKUP_TIMEOUT_SECONDS)
        )

    def _unavailable(self, why: str) -> Refusal:
        return Refusal(
            503,
            "the aggregator cannot tell whether the incident exists now; retry",
            self._retry_after,
            reason=f"aggregator {self._base}: {why}",
        )

    async def _get(self, path: str, **params: str | int) -> httpx.Response:
        assert self._client is not None, "start() first"
        try:
            response = await self._client.get(path, params=params)
        except httpx.HTTPError as error:
            raise self._unavailable(type(error).__name__) from None
        if response.status_code not in (200, 404):
            raise self._unavailable(f"HTTP {response.status_code}")
        return response

    async def document(self, incident_id: str) -> IncidentDocument:
        """The incident as the aggregator shows it; a 404 Refusal if it does not know
        it, a 503 one if it cannot be asked or answers what is not a document."""
        response = await self._get(f"/v1/incidents/{incident_id}")
        if response.status_code == 404:
            raise Refusal(
                404, f"no incident {incident_id} (a report just posted may take a moment)"
            )
        return self._parsed(IncidentDocument, response)

    async def register(self, region: str, limit: int) -> list[IncidentDocument]:
        """The newest incidents of a region prefix (the register's first page)."""
        response = await self._get("/v1/incidents", region=region, limit=limit)
        if response.status_code == 404:
            raise self._unavailable("no register")
        return self._parsed(RegisterPage, response).incidents

    async def alerts(self, region: str) -> AlertsPage:
        """The alerts firing now under a region prefix."""
        return self._parsed(AlertsPage, await self._get("/v1/alerts", region=region))

    def _parsed(self, model: type[Document], response: httpx.Response) -> Document:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise self._unavailable(
                f"not a {model.__name__}: {error.error_count()} errors"
            ) from None
