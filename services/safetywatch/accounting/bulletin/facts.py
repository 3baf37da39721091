"""What a bulletin says, from one ledger at one moment, and what its two languages
share: the period's names, the changes, the parts of the summary each paragraph reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from safetywatch.accounting.indicators import RegionIndicators
from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import Period, PeriodKind
from safetywatch.accounting.rates import Rate
from safetywatch.accounting.summary import Summary, SummarySource, change_percent
from safetywatch.accounting.targets import TargetProgress
from safetywatch.events import (
    APART_NAMES,
    CATEGORY_NAMES,
    GROUP_CATEGORIES,
    Category,
    Grade,
    Group,
    Names,
)
from safetywatch.regions import Place


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
#: Highest first, as bulletins list them.
GRADES_ABOVE = (Grade.PARTICULARLY_SERIOUS, Grade.SERIOUS, Grade.RELATIVELY_SERIOUS)
GRADES = (*GRADES_ABOVE, Grade.ORDINARY)
#: 环比 is said of a month or a quarter, against the one before.
_SEQUENTIAL = (PeriodKind.MONTH, PeriodKind.QUARTER)


def period_zh(period: Period) -> str:
    first_year, first_month = divmod(period.first, 12)
    last_year, last_month = divmod(period.last, 12)
    if period.kind is PeriodKind.QUARTER:
        return f"{first_year}年第{_QUARTER_ZH[first_month // 3 + 1]}季度"
    if period.length == 1:
        return f"{first_year}年{first_month + 1}月"
    if first_year == last_year:
        if (first_month, last_month) == (0, 11):
            return f"{first_year}年"
        return f"{first_year}年{first_month + 1}—{last_month + 1}月"
    return f"{first_year}年{first_month + 1}月—{last_year}年{last_month + 1}月"


def period_en(period: Period) -> str:
    first_year, first_month = divmod(period.first, 12)
    last_year, last_month = divmod(period.last, 12)
    if period.kind is PeriodKind.QUARTER:
        return f"In Q{first_month // 3 + 1} {first_year}"
    if period.length == 1:
        return f"In {_MONTHS_EN[first_month]} {first_year}"
    if first_year == last_year and (first_month, last_month) == (0, 11):
        return f"In {first_year}"
    start = _MONTHS_EN[first_month] + ("" if first_year == last_year else f" {first_year}")
    return f"From {start} to {_MONTHS_EN[last_month]} {last_year}"


@dataclass(frozen=True, slots=True)
class BulletinFacts:
    """Everything a bulletin says, from one ledger at one moment."""

    summary: Summary
    last_year: Summary
    place: Place
    #: The period before, for 环比 (a month or a quarter only).
    previous: Summary | None = None
    names: Mapping[Category, Names] = field(default_factory=lambda: CATEGORY_NAMES)
    #: Each rate with a value now, beside the same period last year's.
    rates: Sequence[tuple[Rate, Rate]] = ()
    #: The control targets that are set for the period's year.
    targets: Sequence[TargetProgress] = ()
    #: The regions one level down (their prefix and name), for 分地区.
    parts: Sequence[tuple[str, Place]] = ()


def bulletin_facts(
    source: SummarySource,
    period: Period,
    prefix: str,
    place: Place,
    names: Mapping[Category, Names] = CATEGORY_NAMES,
    indicators: RegionIndicators | None = None,
    parts: Sequence[tuple[str, Place]] = (),
) -> BulletinFacts:
    summary = source.summary(period, prefix)
    last_year = source.summary(period.same_period_last_year(), prefix)
    previous = source.summary(period.previous(), prefix) if period.kind in _SEQUENTIAL else None
    rates: list[tuple[Rate, Rate]] = []
    targets: list[TargetProgress] = []
    if indicators is not None:
        pairs = zip(indicators.rates(summary), indicators.rates(last_year), strict=True)
        rates = [(now, before) for now, before in pairs if now.value is not None]
        targets = [t for t in indicators.targets(summary) if t.target is not None]
    return BulletinFacts(summary, last_year, place, previous, names, rates, targets, parts)


@dataclass(frozen=True, slots=True)
class Change:
    """One figure against an earlier period: by how much, and in percent."""

    now: int
    before: int

    @property
    def delta(self) -> int:
        return self.now - self.before

    @property
    def percent(self) -> float | None:
        return change_percent(self.now, self.before)


def changes(now: Totals, before: Totals) -> tuple[Change, Change]:
    return Change(now.incidents, before.incidents), Change(now.fatalities, before.fatalities)


def number(value: float) -> str:
    """12.5, 3 (not 3.0): counts of people and hectares as bulletins print them."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def share_percent(target: TargetProgress) -> str:
    """The share of a target used, as the summary rounds it: 33.3."""
    return f"{target.to_json()['share_percent']:.1f}"


def injured(totals: Totals) -> int:
    return totals.serious_injuries + totals.minor_injuries


class Writer:
    def __init__(self, facts: BulletinFacts) -> None:
        self.facts = facts
        self.summary = facts.summary
        self.work = facts.summary.groups[Group.PRODUCTION_SAFETY]
        self.work_last_year = facts.last_year.groups[Group.PRODUCTION_SAFETY]
        self.natural = facts.summary.groups[Group.NATURAL_DISASTER]
        self.industry = facts.summary.groups[Group.INDUSTRIAL_MINING_COMMERCE]
        self.place = facts.place
        self.names = facts.names

    def paragraphs(self) -> list[str]:
        return [self.accidents(), self.indicators(), self.natural_disasters(), self.by_part()]

    def accidents(self) -> str:
        raise NotImplementedError

    def indicators(self) -> str:
        raise NotImplementedError

    def natural_disasters(self) -> str:
        raise NotImplementedError

    def by_part(self) -> str:
        raise NotImplementedError

    def present(self, group: Group) -> list[tuple[Category, Totals]]:
        """The group's categories with incidents or threats, in the official order."""
        by_category = self.summary.by_category
        return [
            (c, by_category[c])
            for c in GROUP_CATEGORIES[group]
            if by_category[c].incidents or by_category[c].threats or by_category[c].fire_outbreaks
        ]

    def apart(self) -> list[tuple[Names, Totals]]:
        """The non-business accidents counted apart, by category, where there are any."""
        by_category = self.summary.apart_by_category
        return [(APART_NAMES[c], t) for c, t in by_category.items() if t.incidents]

    @property
    def quiet(self) -> bool:
        """No work-safety accident and no natural disaster, threat or 火情."""
        natural = self.natural
        return not (
            self.work.incidents or natural.incidents or natural.threats or natural.fire_outbreaks
        )

    def graded(self) -> list[tuple[Grade, Totals]]:
        by_grade = self.summary.work_by_grade
        return [(g, by_grade[g]) for g in GRADES_ABOVE if by_grade[g].incidents]

    def fire_grades(self, category: Category) -> list[tuple[Grade, int]]:
        by = self.summary.by_category_grade
        counts = [(g, by[(category, g)].incidents) for g in GRADES if (category, g) in by]
        return [(g, n) for g, n in counts if n]

    def part_lines(self) -> tuple[list[tuple[Place, Totals]], list[Place]]:
        """The parts with work-safety accidents, and the parts without."""
        with_accidents, without = [], []
        for prefix, place in self.facts.parts:
            totals = self.summary.group_in(Group.PRODUCTION_SAFETY, prefix)
            if totals.incidents:
                with_accidents.append((place, totals))
            else:
                without.append(place)
        return with_accidents, without
