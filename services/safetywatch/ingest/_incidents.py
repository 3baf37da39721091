"""What the gateway asks the aggregator about an incident before it accepts a
confirmation: that it exists, where it happened, which levels its chain requires.

The aggregator's read API answers from the log the gateway writes to, a moment behind
it: a confirmation posted right after the report may find it not yet applied (404, to be
retried). When the aggregator cannot answer, neither can the gateway (503).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from safetywatch.regions import Level
from safetywatch.web import Refusal

#: How long the gateway waits for the aggregator's answer.
LOOKUP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    incident_id: str
    region_code: str
    #: The levels its current grade requires (contract §8), lowest first.
    levels: tuple[Level, ...]
    grade_name: str


class IncidentLookup:
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

    async def facts(self, incident_id: str) -> IncidentFacts:
        """The incident's facts; a 404 Refusal if the aggregator does not know it, a 503
        one if the aggregator cannot be asked."""
        assert self._client is not None, "start() first"
        try:
            response = await self._client.get(f"/v1/incidents/{incident_id}")
        except httpx.HTTPError as error:
            raise self._unavailable(type(error).__name__) from None
        if response.status_code == 404:
            raise Refusal(
                404, f"no incident {incident_id} (a report just posted may take a moment)"
            )
        if response.status_code != 200:
            raise self._unavailable(f"HTTP {response.status_code}")
        document = response.json()
        return IncidentFacts(
            incident_id,
            document["region_code"],
            tuple(Level(step["level"]) for step in document["chain"]),
            document.get("grade_name", ""),
        )
