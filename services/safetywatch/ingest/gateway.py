"""The gateway as one object: what it owns, how it starts and stops, and its app."""

from __future__ import annotations

import gc
from contextlib import AsyncExitStack
from typing import Any

import structlog
from fastapi import Request

from safetywatch.config import AreaConfig, ConfigError, Settings
from safetywatch.events import ConfirmationRecord, StampedReport
from safetywatch.ingest.aggregator_client import AggregatorClient
from safetywatch.ingest.limits import RateLimiter
from safetywatch.ingest.metrics import GatewayMetrics
from safetywatch.kafka import BrokerUnavailable, DurableProducer
from safetywatch.units import TokenRegistry, Unit, token_id_of
from safetywatch.web import Refusal, RefusalLog, peer_of

log = structlog.get_logger("safetywatch.ingest")

#: What a client may retry after a 503.
NOT_ACKNOWLEDGED = "Kafka cannot take the write now; retry the identical request"


class Gateway:
    """Owns the Kafka sink, the token registry, the per-unit rate limiter, the metrics
    and the audit trail of refusals. ``create_app`` serves it."""

    def __init__(
        self, settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
    ) -> None:
        if settings.gateway.tokens_file is None and not settings.gateway.allow_anonymous:
            raise ConfigError(
                "environment: SAFETYWATCH_TOKENS_FILE is required (field units authenticate; "
                "SAFETYWATCH_ALLOW_ANONYMOUS=true is for development only)"
            )
        self.settings = settings
        self.area = area
        self.metrics = metrics or GatewayMetrics()
        self.sink = DurableProducer(
            settings.connection, settings.kafka.topic, settings.gateway.produce_timeout_seconds
        )
        self.registry = (
            TokenRegistry(settings.gateway.tokens_file) if settings.gateway.tokens_file else None
        )
        self.limiter = RateLimiter(
            settings.gateway.unit_reports_per_second, settings.gateway.unit_burst
        )
        #: A token that may import history sends a year at a time: its own, wider bucket.
        self.import_limiter = RateLimiter(
            settings.gateway.import_reports_per_second, settings.gateway.import_burst
        )
        self.refusals = RefusalLog()
        self.retry_after = {"Retry-After": str(settings.gateway.retry_after_seconds)}
        self.aggregator = AggregatorClient(settings.gateway.aggregator_url, self.retry_after)

    def limiter_for(self, unit: Unit) -> RateLimiter:
        return self.import_limiter if unit.can_import else self.limiter

    async def start(self, stack: AsyncExitStack) -> None:
        await self.sink.start(stack)
        await self.aggregator.start(stack)
        # What start-up built lives as long as the process: keep it out of the
        # collections that every request's garbage triggers (steadier latency).
        gc.freeze()
        log.info(
            "gateway_started",
            url=f"http://{self.settings.gateway.host}:{self.settings.gateway.port}",
            kafka=self.settings.connection.described(),
            topic=self.settings.kafka.topic,
            authentication="tokens" if self.registry else "anonymous (development only)",
        )

    def audit_refusal(self, request: Request, refusal: Refusal) -> None:
        """Every refusal is an audit line (rate-limited): reason, peer, token id, unit."""
        unit = getattr(request.state, "unit", None)
        self.refusals.refused(
            refusal.status,
            refusal.reason,
            peer=peer_of(request),
            path=request.url.path,
            token_id=token_id_of(request.headers.get("authorization")),
            unit=unit.unit_id if unit is not None else None,
        )

    def audit_head_refusal(self, peer: str, reason: str) -> None:
        self.refusals.refused(431, reason, peer=peer, path="(request head)")

    async def publish(self, record: StampedReport, peer: str) -> dict[str, Any]:
        """The 202 body once Kafka acknowledged the report; a 503 Refusal otherwise."""
        fields = {"revision": record.revision}
        receipt = await self._produce(record, "report", peer, fields)
        self.metrics.reports_accepted.labels(record.category.value).inc()
        return {"incident_id": record.incident_id, **fields, **receipt}

    async def confirm(self, record: ConfirmationRecord, peer: str) -> dict[str, Any]:
        """The 202 body once Kafka acknowledged the confirmation; a 503 Refusal otherwise."""
        fields = {"level": record.level.value}
        receipt = await self._produce(record, "confirmation", peer, fields)
        return {"incident_id": record.incident_id, **fields, **receipt}

    async def _produce(
        self,
        record: StampedReport | ConfirmationRecord,
        kind: str,
        peer: str,
        fields: dict[str, Any],
    ) -> dict[str, int]:
        """Write on the incident's key (ordered with its other records) and wait for
        the acknowledgement; logged either way."""
        incident_id, unit = record.incident_id, record.unit_id
        try:
            receipt = await self.sink.publish(incident_id.encode(), record.to_json_bytes())
        except BrokerUnavailable as error:
            self.metrics.produce_failures.inc()
            log.warning(
                f"{kind}_not_acknowledged",
                incident_id=incident_id,
                unit=unit,
                error=str(error),
                **fields,
            )
            raise Refusal(503, NOT_ACKNOWLEDGED, self.retry_after, reason=str(error)) from None
        placed = {"partition": receipt.partition, "offset": receipt.offset}
        log.info(
            f"{kind}_accepted", incident_id=incident_id, unit=unit, peer=peer, **fields, **placed
        )
        return placed
