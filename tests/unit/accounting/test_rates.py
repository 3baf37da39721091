"""Rate indicators: each rate's numerator and denominator, a missing or zero denominator,
part of a year by its own figures (flows by quarters, stocks by the last quarter or the
year), and never an annual flow pro-rated."""

from __future__ import annotations

from fractions import Fraction

from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.accounting.rates import (
    RATES,
    Denominator,
    DenominatorKey,
    find_denominator,
    rates_of,
)
from safetywatch.accounting.summary import Summary
from safetywatch.events import Category, Grade

CITY = "520200"
GDP, WORKERS = Denominator.GDP_100M_YUAN, Denominator.WORKERS_10K
VEHICLES, COAL = Denominator.VEHICLES_10K, Denominator.COAL_OUTPUT_MT
FIGURES = {
    DenominatorKey(CITY, 2026): {
        GDP: Fraction(1500),
        WORKERS: Fraction(30),
        VEHICLES: Fraction(80),
    },
    DenominatorKey(CITY, 2026, 1): {GDP: Fraction(330), COAL: Fraction(12), VEHICLES: Fraction(76)},
    DenominatorKey(CITY, 2026, 2): {GDP: Fraction("370.5"), COAL: Fraction(0)},
}


def counted(period: Period, *incidents: tuple[Category, int, bool]) -> Summary:
    summary = Summary(period, "5202")
    for category, fatalities, apart in incidents:
        totals = Totals(incidents=1, fatalities=fatalities, deaths=fatalities)
        summary.count("520201", category, Grade.ORDINARY, apart, totals)
    return summary


def by_key(summary: Summary) -> dict[str, dict[str, object]]:
    return {rate.indicator.key: rate.to_json() for rate in rates_of(summary, FIGURES, CITY)}


def test_a_year_divides_each_numerator_by_the_years_figure():
    # Work-safety deaths: coal 2 + road 3 + construction 1 = 6 (the private crash apart);
    # 工矿商贸: coal 2 + construction 1 = 3; road: 3 business + 4 non-business = 7.
    summary = counted(
        Period.year(2026),
        (Category.COAL_MINE, 2, False),
        (Category.ROAD_TRAFFIC, 3, False),
        (Category.CONSTRUCTION, 1, False),
        (Category.ROAD_TRAFFIC, 4, True),
    )
    rates = by_key(summary)
    assert rates["deaths_per_100m_gdp"] == {
        "value": 0.004,  # 6 / 1500
        "numerator": 6,
        "denominator": 1500,
        "denominator_period": "2026",
        "unit": "人/亿元",
    }
    assert rates["deaths_per_100k_workers"]["value"] == 1.0  # 3 × 10 / 30
    assert rates["road_deaths_per_10k_vehicles"]["numerator"] == 7
    assert rates["road_deaths_per_10k_vehicles"]["value"] == 0.088  # 7 / 80 = 0.0875, half up
    # Coal output is given for two quarters only: the year has no figure of its own.
    assert rates["coal_deaths_per_mt"] == {
        "value": None,
        "numerator": 2,
        "reason": "no coal_output_mt for 2026Q3, 2026Q4 (an annual figure is never pro-rated)",
    }


def test_part_of_a_year_uses_its_own_figures_and_never_pro_rates_a_flow():
    first_half = Period.parse("2026-01..2026-06")
    found = find_denominator(FIGURES, GDP, first_half, CITY)
    assert not isinstance(found, str)
    assert (found.value, found.period) == (Fraction("700.5"), "2026Q1..2026Q2")
    q1 = Period.of_quarter(Quarter(2026, 1))
    found = find_denominator(FIGURES, GDP, q1, CITY)
    assert not isinstance(found, str)
    assert (found.value, found.period) == (Fraction(330), "2026Q1")
    # Eleven months of a flow: not whole quarters; the annual 1500 is not pro-rated.
    reason = find_denominator(FIGURES, GDP, Period.parse("2026-01..2026-11"), CITY)
    assert reason == (
        "no gdp_100m_yuan for each month of 2026-01..2026-11, which is not whole quarters "
        "(an annual or quarterly figure is never pro-rated)"
    )
    q3 = find_denominator(FIGURES, GDP, Period.parse("2026-01..2026-09"), CITY)
    assert q3 == "no gdp_100m_yuan for 2026Q3 (an annual figure is never pro-rated)"


def test_months_given_serve_any_span_of_them():
    coal = {DenominatorKey(CITY, 2026, month=m): {COAL: Fraction(5)} for m in range(1, 6)}
    found = find_denominator(coal, COAL, Period.parse("2026-02..2026-05"), CITY)
    assert not isinstance(found, str)
    assert (found.value, found.period) == (Fraction(20), "2026-02..2026-05")
    # A year without its own figure is the sum of its twelve months'.
    whole = {DenominatorKey(CITY, 2026, month=m): {COAL: Fraction(5)} for m in range(1, 13)}
    year = find_denominator(whole, COAL, Period.year(2026), CITY)
    assert not isinstance(year, str)
    assert (year.value, year.period) == (Fraction(60), "2026-01..2026-12")
    vehicles = {
        DenominatorKey(CITY, 2026, month=4): {VEHICLES: Fraction(77)},
        DenominatorKey(CITY, 2026, 2): {VEHICLES: Fraction(78)},
    }
    april = find_denominator(vehicles, VEHICLES, Period.parse("2026-01..2026-04"), CITY)
    assert not isinstance(april, str)
    assert (april.value, april.period) == (Fraction(77), "2026-04")


def test_a_stock_divides_by_its_last_quarters_figure_or_the_years():
    march = find_denominator(FIGURES, VEHICLES, Period.parse("2026-03"), CITY)
    assert not isinstance(march, str)
    assert (march.value, march.period) == (Fraction(76), "2026Q1")
    may = find_denominator(FIGURES, VEHICLES, Period.parse("2026-05"), CITY)
    assert not isinstance(may, str)
    assert (may.value, may.period) == (Fraction(80), "2026")


def test_a_zero_a_missing_region_and_two_years_each_say_why():
    q2 = counted(Period.of_quarter(Quarter(2026, 2)), (Category.COAL_MINE, 1, False))
    assert by_key(q2)["coal_deaths_per_mt"] == {
        "value": None,
        "numerator": 1,
        "reason": "coal_output_mt is 0 for 2026Q2",
    }
    county = rates_of(counted(Period.year(2026)), FIGURES, "520201")
    assert {r.reason for r in county} == {
        f"no {d.value} for 2026" for d in (GDP, WORKERS, VEHICLES, COAL)
    }
    span = Period.parse("2025-12..2026-01")
    assert find_denominator(FIGURES, GDP, span, CITY) == (
        "2025-12..2026-01 spans two years: a rate is for a year or part of one"
    )


def test_every_rate_is_declared_once_with_its_names():
    assert [r.key for r in RATES] == [
        "deaths_per_100m_gdp",
        "deaths_per_100k_workers",
        "road_deaths_per_10k_vehicles",
        "coal_deaths_per_mt",
    ]
    assert {r.denominator for r in RATES} == set(Denominator)
