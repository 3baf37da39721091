"""A region's rate indicators and control targets, as ``/v1/summary`` and the bulletin
read them (contract §7): the area file's denominators and targets for one region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from safetywatch.accounting.rates import Denominators, Rate, rates_of
from safetywatch.accounting.summary import Summary, change_percent
from safetywatch.accounting.targets import TargetProgress, Targets, progress_all


@dataclass(frozen=True, slots=True)
class Indicators:
    denominators: Denominators = field(default_factory=dict)
    targets: Targets = field(default_factory=dict)

    def of(self, region: str) -> RegionIndicators:
        """For the region a summary selects (its prefix; the area's own for all)."""
        return RegionIndicators(self, region)


@dataclass(frozen=True, slots=True)
class RegionIndicators:
    indicators: Indicators
    region: str

    def rates(self, summary: Summary) -> list[Rate]:
        return rates_of(summary, self.indicators.denominators, self.region)

    def targets(self, summary: Summary) -> list[TargetProgress]:
        return progress_all(summary, self.indicators.targets, self.region)

    def document(self, current: Summary, last_year: Summary) -> dict[str, Any]:
        """``rates`` with the same period last year's beside each, and ``targets``."""
        rates: dict[str, Any] = {}
        for now, before in zip(self.rates(current), self.rates(last_year), strict=True):
            rates[now.indicator.key] = {
                **now.to_json(),
                "same_period_last_year": before.to_json(),
                "change_percent": rate_change(now, before),
            }
        return {
            "rates": rates,
            "targets": {p.figure.value: p.to_json() for p in self.targets(current)},
        }


def rate_change(now: Rate, before: Rate) -> float | None:
    """The change of a rate on the same period last year, of the published (rounded)
    values, so that the bulletin's two figures and its percentage agree."""
    current, earlier = now.rounded(), before.rounded()
    if current is None or earlier is None:
        return None
    return change_percent(current, earlier)


def by_key(rates: list[Rate]) -> Mapping[str, Rate]:
    return {rate.indicator.key: rate for rate in rates}
