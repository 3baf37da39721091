"""Rate indicators (contract §7): the figures a province ranks its cities by, each a
number of deaths over a denominator the area file gives per year (and quarter) and region.

- 亿元地区生产总值生产安全事故死亡率: work-safety deaths per 100 million yuan of GDP;
- 工矿商贸就业人员十万人生产安全事故死亡率: 工矿商贸 deaths per 100,000 workers of the
  sector (the area file gives them in 10,000s, hence ×10);
- 道路交通事故万车死亡率: road traffic deaths per 10,000 motor vehicles, business and
  non-business alike (the rate measures the roads, not the 生产经营性 share of them);
- 煤矿百万吨死亡率: coal mine deaths per million tonnes of raw coal.

Deaths are the statistics' fatalities (死亡和下落不明, within the supplementary window).

No annual figure is ever pro-rated. GDP and coal output are *flows*: a part of the year
uses its own figures, the sum of its months' where each month has one, else of its
quarters' (each month's or quarter's own, not cumulative); a part without them has no
rate and says why. Workers and vehicles are *stocks*: a part of the year divides by the
stock of its last month, else its last quarter, else the year, where given, and the
answer names which.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from safetywatch.accounting.periods import Period, Quarter
from safetywatch.accounting.summary import Summary
from safetywatch.events import Category, Group


class Denominator(StrEnum):
    GDP_100M_YUAN = "gdp_100m_yuan"
    WORKERS_10K = "workers_10k"
    VEHICLES_10K = "vehicles_10k"
    COAL_OUTPUT_MT = "coal_output_mt"


#: Summed over a period: a part of the year needs its own figure.
FLOWS = frozenset({Denominator.GDP_100M_YUAN, Denominator.COAL_OUTPUT_MT})


@dataclass(frozen=True, slots=True)
class DenominatorKey:
    """Whose figures and for when: a year, one quarter of it or one month (1–12)."""

    region: str
    year: int
    quarter: int | None = None
    month: int | None = None


#: The area file's figures: for each key, the denominators it gives (exact decimals).
Denominators = Mapping[DenominatorKey, Mapping[Denominator, Fraction]]


def _work_safety(summary: Summary) -> int:
    return summary.groups[Group.PRODUCTION_SAFETY].fatalities


def _industry(summary: Summary) -> int:
    return summary.groups[Group.INDUSTRIAL_MINING_COMMERCE].fatalities


def _road(summary: Summary) -> int:
    apart = summary.apart_by_category.get(Category.ROAD_TRAFFIC)
    business = summary.by_category[Category.ROAD_TRAFFIC].fatalities
    return business + (apart.fatalities if apart is not None else 0)


def _coal(summary: Summary) -> int:
    return summary.by_category[Category.COAL_MINE].fatalities


@dataclass(frozen=True, slots=True)
class RateIndicator:
    key: str
    denominator: Denominator
    #: The deaths the rate counts, from a period's summary.
    deaths: Callable[[Summary], int]
    #: Deaths × per / denominator: the denominator's unit against the rate's.
    per: int
    zh: str
    en: str
    #: How a bulletin names the unit of the value (人/亿元).
    unit: str


RATES: tuple[RateIndicator, ...] = (
    RateIndicator(
        "deaths_per_100m_gdp",
        Denominator.GDP_100M_YUAN,
        _work_safety,
        1,
        "亿元地区生产总值生产安全事故死亡率",
        "work-safety deaths per 100 million yuan of GDP",
        "人/亿元",
    ),
    RateIndicator(
        "deaths_per_100k_workers",
        Denominator.WORKERS_10K,
        _industry,
        10,
        "工矿商贸就业人员十万人生产安全事故死亡率",
        "industry, mining and trade deaths per 100,000 workers",
        "人/10万人",
    ),
    RateIndicator(
        "road_deaths_per_10k_vehicles",
        Denominator.VEHICLES_10K,
        _road,
        1,
        "道路交通事故万车死亡率",
        "road traffic deaths per 10,000 vehicles",
        "人/万车",
    ),
    RateIndicator(
        "coal_deaths_per_mt",
        Denominator.COAL_OUTPUT_MT,
        _coal,
        1,
        "煤矿百万吨死亡率",
        "coal mine deaths per million tonnes",
        "人/百万吨",
    ),
)


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate, or why there is none (``value`` None and ``reason`` said)."""

    indicator: RateIndicator
    numerator: int
    value: Fraction | None = None
    denominator: Fraction | None = None
    denominator_period: str | None = None
    reason: str | None = None

    def rounded(self) -> float | None:
        """To three decimals, half away from zero, as the provinces publish them."""
        if self.value is None:
            return None
        return math.floor(self.value * 1000 + Fraction(1, 2)) / 1000

    def to_json(self) -> dict[str, Any]:
        if self.value is None:
            return {"value": None, "numerator": self.numerator, "reason": self.reason}
        assert self.denominator is not None
        return {
            "value": self.rounded(),
            "numerator": self.numerator,
            "denominator": _number(self.denominator),
            "denominator_period": self.denominator_period,
            "unit": self.indicator.unit,
        }


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


@dataclass(frozen=True, slots=True)
class _Found:
    value: Fraction
    period: str


def _year_of(period: Period) -> int | None:
    first_year, last_year = period.first // 12, period.last // 12
    return first_year if first_year == last_year else None


def _whole_quarters(period: Period) -> list[Quarter] | None:
    if period.first % 3 or period.last % 3 != 2:
        return None
    return [Quarter.of_month(month) for month in range(period.first, period.last + 1, 3)]


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first}..{last}"


def find_denominator(
    figures: Denominators, denominator: Denominator, period: Period, region: str
) -> _Found | str:
    """The denominator of a period for a region, or the reason there is none."""
    name = denominator.value
    if (year := _year_of(period)) is None:
        return f"{period.label} spans two years: a rate is for a year or part of one"

    def given(quarter: int | None = None, month: int | None = None) -> Fraction | None:
        return figures.get(DenominatorKey(region, year, quarter, month), {}).get(denominator)

    annual = given()
    if period.length == 12 and annual is not None:
        return _Found(annual, str(year))
    months = [m % 12 + 1 for m in period.months]
    by_month = [given(month=m) for m in months]
    quarters = _whole_quarters(period)
    by_quarter = [given(q.number) for q in quarters] if quarters is not None else []
    if denominator not in FLOWS:
        last_quarter = Quarter.of_month(period.last)
        for stock, label in (
            (by_month[-1], Period.month(period.last).label),
            (given(last_quarter.number), last_quarter.label),
            (annual, str(year)),
        ):
            if stock is not None:
                return _Found(stock, label)
        return f"no {name} for {year}"
    if all(v is not None for v in by_month):
        label = _span(Period.month(period.first).label, Period.month(period.last).label)
        return _Found(sum((v for v in by_month if v is not None), Fraction(0)), label)
    if by_quarter and all(v is not None for v in by_quarter):
        assert quarters is not None
        label = _span(quarters[0].label, quarters[-1].label)
        return _Found(sum((v for v in by_quarter if v is not None), Fraction(0)), label)
    of_year = [annual, *(given(q) for q in range(1, 5)), *(given(month=m) for m in range(1, 13))]
    if all(v is None for v in of_year):
        return f"no {name} for {year}"
    if quarters is None:
        return (
            f"no {name} for each month of {period.label}, which is not whole quarters "
            "(an annual or quarterly figure is never pro-rated)"
        )
    missing = [q.label for q, v in zip(quarters, by_quarter, strict=True) if v is None]
    return f"no {name} for {', '.join(missing)} (an annual figure is never pro-rated)"


def rate_of(indicator: RateIndicator, summary: Summary, figures: Denominators, region: str) -> Rate:
    deaths = indicator.deaths(summary)
    found = find_denominator(figures, indicator.denominator, summary.period, region or "")
    if isinstance(found, str):
        return Rate(indicator, deaths, reason=found)
    if found.value == 0:
        return Rate(
            indicator, deaths, reason=f"{indicator.denominator.value} is 0 for {found.period}"
        )
    return Rate(
        indicator,
        deaths,
        Fraction(deaths * indicator.per) / found.value,
        found.value,
        found.period,
    )


def rates_of(summary: Summary, figures: Denominators, region: str) -> list[Rate]:
    return [rate_of(indicator, summary, figures, region) for indicator in RATES]
