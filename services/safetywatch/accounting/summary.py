"""A summary of one period and region prefix (contract §5 and §7), and its comparison
with the same period last year (同比) and the period before (环比)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.layout import FIGURE_NAMES, Totals
from safetywatch.accounting.periods import Period
from safetywatch.events import (
    APART_CATEGORIES,
    CATEGORY_GROUPS,
    Category,
    Grade,
    Group,
    is_work_safety,
)


@dataclass(slots=True)
class Summary:
    period: Period
    region_prefix: str
    totals: Totals = field(default_factory=Totals)
    by_category: dict[Category, Totals] = field(
        default_factory=lambda: {category: Totals() for category in Category}
    )
    by_grade: dict[Grade, int] = field(default_factory=lambda: dict.fromkeys(Grade, 0))
    by_region: dict[str, Totals] = field(default_factory=dict)
    groups: dict[Group, Totals] = field(
        default_factory=lambda: {group: Totals() for group in Group}
    )
    #: Work-safety accidents (no natural disasters) by grade: the bulletin's 较大 clause.
    work_by_grade: dict[Grade, Totals] = field(
        default_factory=lambda: {grade: Totals() for grade in Grade}
    )
    #: By category and grade: the bulletin names a fire by its grade (较大森林火灾).
    by_category_grade: dict[tuple[Category, Grade], Totals] = field(default_factory=dict)
    #: The cells of the table bureaus fill in: by region and category, region and group.
    by_region_category: dict[tuple[str, Category], Totals] = field(default_factory=dict)
    by_region_group: dict[tuple[str, Group], Totals] = field(default_factory=dict)
    #: Non-business road traffic and fire accidents (非生产经营性), counted apart from
    #: every figure above: in all, by category and by region.
    apart: Totals = field(default_factory=Totals)
    apart_by_category: dict[Category, Totals] = field(
        default_factory=lambda: {category: Totals() for category in APART_CATEGORIES}
    )
    apart_by_region: dict[str, Totals] = field(default_factory=dict)
    apart_by_region_category: dict[tuple[str, Category], Totals] = field(default_factory=dict)

    def count(
        self, region: str, category: Category, grade: Grade, apart: bool, totals: Totals
    ) -> None:
        if apart:
            self.apart.add(totals)
            self.apart_by_category[category].add(totals)
            self.apart_by_region.setdefault(region, Totals()).add(totals)
            self.apart_by_region_category.setdefault((region, category), Totals()).add(totals)
            return
        self.totals.add(totals)
        self.by_category[category].add(totals)
        self.by_grade[grade] += totals.incidents
        self.by_region.setdefault(region, Totals()).add(totals)
        self.by_region_category.setdefault((region, category), Totals()).add(totals)
        self.by_category_grade.setdefault((category, grade), Totals()).add(totals)
        for group in CATEGORY_GROUPS[category]:
            self.groups[group].add(totals)
            self.by_region_group.setdefault((region, group), Totals()).add(totals)
        if is_work_safety(category):
            self.work_by_grade[grade].add(totals)

    def group_in(self, group: Group, prefix: str) -> Totals:
        """A group's totals in the regions a prefix selects (a county of a city)."""
        totals = Totals()
        for (region, of_group), counted in self.by_region_group.items():
            if of_group is group and region.startswith(prefix):
                totals.add(counted)
        return totals

    def count_incident(self, state: IncidentState) -> None:
        """One incident's contribution (a retracted one contributes nothing)."""
        if state.retracted:
            return
        totals = Totals()
        totals.count(state.figures)
        self.count(state.region_code, state.category, state.grade, state.non_business, totals)

    def to_json(self) -> dict[str, Any]:
        """The contract's ``/v1/summary`` shape, without the comparison."""
        document: dict[str, Any] = {"period": self.period.label}
        if (quarter := self.period.quarter) is not None:
            document["quarter"] = quarter.label  # the first contract's key, still there
        document.update(
            region=self.region_prefix,
            totals=self.totals.to_json(),
            by_category={c.value: t.to_json() for c, t in self.by_category.items()},
            by_grade={g.value: n for g, n in self.by_grade.items()},
            by_region={r: self.by_region[r].to_json() for r in sorted(self.by_region)},
            groups={g.value: t.to_json() for g, t in self.groups.items()},
            non_business={
                "totals": self.apart.to_json(),
                "by_category": {c.value: t.to_json() for c, t in self.apart_by_category.items()},
                "by_region": {
                    r: self.apart_by_region[r].to_json() for r in sorted(self.apart_by_region)
                },
            },
        )
        return document


def change_percent(now: float, before: float) -> float | None:
    """The change from ``before`` to ``now`` in percent to one decimal, half away from
    zero (as bulletins round); None from zero. Exact arithmetic: the same figures give
    the same percentage on every replica and in every export."""
    if before == 0:
        return None
    tenths = (Fraction(now) - Fraction(before)) * 1000 / Fraction(before)
    rounded = math.floor(abs(tenths) + Fraction(1, 2))
    return math.copysign(rounded, tenths) / 10


def _changes(now: Totals, before: Totals) -> dict[str, float | None]:
    current, earlier = now.to_json(), before.to_json()
    return {name: change_percent(current[name], earlier[name]) for name in FIGURE_NAMES}


def comparison(current: Summary, other: Summary) -> dict[str, Any]:
    """``C`` of contract §7: the other period's totals and groups, and the changes."""
    return {
        "period": other.period.label,
        "totals": other.totals.to_json(),
        "groups": {g.value: t.to_json() for g, t in other.groups.items()},
        "change_percent": {
            "totals": _changes(current.totals, other.totals),
            "groups": {g.value: _changes(current.groups[g], other.groups[g]) for g in Group},
        },
    }


class SummarySource(Protocol):
    def summary(
        self, period: Period, region_prefix: str = "", known_regions: Iterable[str] = ()
    ) -> Summary: ...


class IndicatorSource(Protocol):
    """A region's rates and targets (``indicators.RegionIndicators``)."""

    def document(self, current: Summary, last_year: Summary) -> dict[str, Any]: ...


def summary_document(
    ledger: SummarySource,
    period: Period,
    region_prefix: str,
    known_regions: Iterable[str] = (),
    indicators: IndicatorSource | None = None,
) -> dict[str, Any]:
    """``GET /v1/summary``: the period's summary with the same period last year (同比) and
    the period of equal length before it (环比); the rates and the control targets."""
    known = list(known_regions)
    current = ledger.summary(period, region_prefix, known)
    last_year = ledger.summary(period.same_period_last_year(), region_prefix, known)
    before = ledger.summary(period.previous(), region_prefix, known)
    return {
        **current.to_json(),
        "comparison": {
            "same_period_last_year": comparison(current, last_year),
            "previous_period": comparison(current, before),
        },
        **(indicators.document(current, last_year) if indicators is not None else {}),
    }
