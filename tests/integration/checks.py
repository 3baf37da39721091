"""Assertions shared by the integration tests: the aggregator's numbers against the reference."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from dev.stack import metric_samples, sample, wait_until
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.config.area import load_area
from safetywatch.events.report import IncidentRecord
from tests.integration.harness import Service
from tests.reference import counts_only, summary_document, truths

AREA = load_area()
PREFIXES = ("", "52", "5202", "520201", "520203", "520204", "520281")
COUNT_METRICS = (
    "safetywatch_incidents",
    "safetywatch_deaths",
    "safetywatch_missing",
    "safetywatch_serious_injuries",
    "safetywatch_minor_injuries",
    "safetywatch_direct_loss_yuan",
    "safetywatch_late_reports",
    "safetywatch_near_misses",
    "safetywatch_late_supplements",
    "safetywatch_fatalities",
)
OUTCOMES = ("applied", "duplicate", "stale", "conflict", "invalid")


def logged(service: Service, event: str) -> list[dict[str, object]]:
    """The service's log lines of one event, as JSON."""
    text = service.log_path.read_text("utf-8", errors="replace")
    lines = (json.loads(line) for line in text.splitlines() if line.startswith("{"))
    return [line for line in lines if line.get("event") == event]


def outcome_counts(aggregator: Service) -> dict[str, float]:
    samples = metric_samples(httpx.get(f"{aggregator.url}/metrics", timeout=10).text)
    return {o: sample(samples, "safetywatch_records_total", outcome=o) or 0 for o in OUTCOMES}


def wait_for_outcomes(aggregator: Service, timeout: float = 30, **expected: int) -> None:
    def reached() -> bool:
        counts = outcome_counts(aggregator)
        return all(counts[k] == v for k, v in expected.items())

    wait_until(reached, timeout, f"{aggregator.kind} to count {expected}")


def wait_until_read(aggregator: Service, records: int, timeout: float = 60) -> None:
    """Until the aggregator has read (applied, ignored or rejected) ``records`` records."""
    wait_until(
        lambda: sum(outcome_counts(aggregator).values()) >= records,
        timeout,
        f"{aggregator.kind} to read {records} records",
    )


def count_series(aggregator: Service) -> dict[Any, float]:
    samples = metric_samples(httpx.get(f"{aggregator.url}/metrics/counts", timeout=10).text)
    return {key: value for key, value in samples.items() if key[0] in COUNT_METRICS}


def aggregator_samples(aggregator: Service) -> dict[Any, float]:
    """Both of an aggregator's expositions: ``/metrics`` and ``/metrics/counts``."""
    return {
        key: value
        for path in ("/metrics", "/metrics/counts")
        for key, value in metric_samples(httpx.get(aggregator.url + path, timeout=10).text).items()
    }


def summary(
    aggregator: Service, quarter: str | None, region: str, period: str | None = None
) -> Any:
    """The summary of ``quarter`` (None: the current one), or of ``period``, for a region prefix."""
    params = {"region": region, **({"quarter": quarter} if quarter else {})}
    if period is not None:
        params["period"] = period
    response = httpx.get(f"{aggregator.url}/v1/summary", params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def assert_matches_reference(aggregator: Service, log: Sequence[IncidentRecord]) -> int:
    """Every quarter (asked as quarter=) and year (period=) × region prefix summary, with
    its comparisons, equals the reference model's; returns how many were compared."""
    expected = truths(log, AREA.zone)
    quarters = sorted({Quarter.of_month(truth.month) for truth in expected.values()})
    years = sorted({truth.month // 12 for truth in expected.values()})
    compared = 0
    for prefix in PREFIXES:
        for quarter in quarters:
            reference = summary_document(
                expected, Period.of_quarter(quarter), prefix, AREA.region_codes
            )
            answer = counts_only(summary(aggregator, quarter.label, prefix))
            assert answer == reference, (quarter, prefix)
            compared += 1
        for year in years:
            reference = summary_document(expected, Period.year(year), prefix, AREA.region_codes)
            answer = counts_only(summary(aggregator, None, prefix, str(year)))
            assert answer == reference, (year, prefix)
            compared += 1
    for incident_id in list(expected)[:: max(1, len(expected) // 50)]:
        state = httpx.get(f"{aggregator.url}/v1/incidents/{incident_id}", timeout=10).json()
        truth = expected[incident_id]
        assert state["revision"] == truth.record.revision, incident_id
        assert state["grade"] == truth.grade.value, incident_id
        assert state["current_grade"] == truth.current_grade.value, incident_id
        assert state["late_report"] is truth.late_report, incident_id
    return compared


def post(gateway: Service, document: dict[str, Any], timeout: float = 30) -> httpx.Response:
    return httpx.post(
        f"{gateway.url}/v1/incidents", json=document, headers=gateway.auth, timeout=timeout
    )


def status_of(url: str) -> int:
    """The HTTP status at ``url``; 0 when nothing answers."""
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.TransportError:
        return 0
