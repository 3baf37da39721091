"""The aggregator's Prometheus collectors: counts, alerts, the reporting chain and the
pipeline's health. Each ``describe`` names its families, so that a scrape restricted with
``name[]`` collects only the collectors it names."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric


def names_only(*gauges: str) -> Iterator[Metric]:
    """The families a collector yields, by name only: registered with these, a scrape
    restricted with ``name[]`` collects only the collectors it names (a test keeps
    each describe() in step with its collect())."""
    return (Metric(name, "", "gauge") for name in gauges)
