"""The gateway's own /metrics: requests by status, latency, produce failures."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class GatewayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "safetywatch_gateway_requests",
            "HTTP requests answered, by route and status code",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "safetywatch_gateway_request_duration_seconds",
            "Time from request to response, by route",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.produce_failures = Counter(
            "safetywatch_gateway_produce_failures",
            "Reports Kafka did not acknowledge in time (answered 503)",
            registry=self.registry,
        )
        self.reports_accepted = Counter(
            "safetywatch_gateway_reports_accepted",
            "Reports acknowledged by Kafka and answered 202, by category",
            ["category"],
            registry=self.registry,
        )
