"""The gateway's own /metrics: requests by status, latency, produce failures."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from safetywatch.events import Category

REPORTS_ROUTE = "/v1/incidents"

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
        # Series that exist from the start at 0: a series born at its first request
        # would hide that request from rate() and increase().
        self.latency.labels(REPORTS_ROUTE)
        for status in ("202", "413", "415", "422", "503"):
            self.requests.labels(REPORTS_ROUTE, status)
        for category in Category:
            self.reports_accepted.labels(category.value)
