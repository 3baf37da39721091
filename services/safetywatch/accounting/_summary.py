"""A summary of one quarter and region prefix: the contract §5 ``/v1/summary`` shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safetywatch.accounting._grading import Grade
from safetywatch.accounting._quarters import Quarter
from safetywatch.accounting._totals import Totals
from safetywatch.events import Category


@dataclass(slots=True)
class Summary:
    quarter: Quarter
    region_prefix: str
    totals: Totals = field(default_factory=Totals)
    by_category: dict[Category, Totals] = field(
        default_factory=lambda: {category: Totals() for category in Category}
    )
    by_grade: dict[Grade, int] = field(default_factory=lambda: dict.fromkeys(Grade, 0))
    by_region: dict[str, Totals] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The contract §5 ``/v1/summary`` shape."""
        return {
            "quarter": self.quarter.label,
            "region": self.region_prefix,
            "totals": self.totals.to_json(),
            "by_category": {c.value: t.to_json() for c, t in self.by_category.items()},
            "by_grade": {g.value: n for g, n in self.by_grade.items()},
            "by_region": {r: self.by_region[r].to_json() for r in sorted(self.by_region)},
        }
