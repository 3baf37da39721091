"""The gateway's series exist at 0 before the first request, so rate() sees every request."""

from __future__ import annotations

from safetywatch.ingest.metrics import GatewayMetrics


def test_report_series_start_at_zero():
    metrics = GatewayMetrics()
    registry = metrics.registry
    labels = {"route": "/v1/incidents", "status": "202"}
    assert registry.get_sample_value("safetywatch_gateway_requests_total", labels) == 0
    assert (
        registry.get_sample_value(
            "safetywatch_gateway_request_duration_seconds_count", {"route": "/v1/incidents"}
        )
        == 0
    )
    assert (
        registry.get_sample_value(
            "safetywatch_gateway_reports_accepted_total", {"category": "coal_mine"}
        )
        == 0
    )
    assert registry.get_sample_value("safetywatch_gateway_produce_failures_total") == 0
