"""PromQL fragments shared by the dashboards. Every aggregator replica exposes the same
numbers, so each read takes max over replicas first ("no double counting")."""

from __future__ import annotations


def deduplicated(metric: str, matchers: str = "") -> str:
    return f"max without (instance, job) ({metric}{{{matchers}}})"


def in_quarter(metric: str, age: int, matchers: str = "") -> str:
    """The metric restricted to the exposed quarter of that age (0 = current)."""
    return f'({deduplicated(metric, matchers)} and on (quarter) safetywatch_quarter_info{{age="{age}"}})'


def summed(metric: str, age: int, by: str = "", matchers: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} ({in_quarter(metric, age, matchers)})"
