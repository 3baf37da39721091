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
uses its own figures, the sum of its quarters' (each quarter's own, not cumulative); a
span that is not whole quarters, or a quarter without a figure, has no rate and says why.
Workers and vehicles are *stocks*: a part of the year divides by the stock of its last
quarter where given, else by the year's, and the answer names which.
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
    """Whose figures and for when: a year, or one quarter of it."""

    region: str
    year: int
    quarter: int | None = None


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


def find_denominator(
    figures: Denominators, denominator: Denominator, period: Period, region: str
) -> _Found | str:
    """The denominator of a period for a region, or the reason there is none."""
    name = denominator.value
    if (year := _year_of(period)) is None:
        return f"{period.label} spans two years: a rate is for a year or part of one"

    def given(quarter: int | None) -> Fraction | None:
        return figures.get(DenominatorKey(region, year, quarter), {}).get(denominator)

    if period.length == 12:
        annual = given(None)
        return _Found(annual, str(year)) if annual is not None else f"no {name} for {year}"
    quarters = _whole_quarters(period)
    if denominator in FLOWS:
        if quarters is None:
            return (
                f"{name} is a flow and {period.label} is not whole quarters "
                "(an annual figure is never pro-rated)"
            )
        values = [given(q.number) for q in quarters]
        if missing := [q.label for q, v in zip(quarters, values, strict=True) if v is None]:
            return f"no {name} for {', '.join(missing)} (an annual figure is never pro-rated)"
        label = quarters[0].label if len(quarters) == 1 else f"{quarters[0]}..{quarters[-1]}"
        return _Found(sum((v for v in values if v is not None), Fraction(0)), label)
    last_quarter = Quarter.of_month(period.last)
    if (stock := given(last_quarter.number)) is not None:
        return _Found(stock, last_quarter.label)
    annual = given(None)
    return _Found(annual, str(year)) if annual is not None else f"no {name} for {year}"


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
