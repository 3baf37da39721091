"""What the read API's routes share: the aggregator, once its numbers are complete, and\nthe period and region a query names (422 naming the parameter otherwise)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from safetywatch.accounting import (
    Period,
    Quarter,
    quarter_of,
)
from safetywatch.aggregator.service import Aggregator
from safetywatch.regions import is_region_prefix
from safetywatch.web import Refusal, invalid

REPLAYING = Refusal(503, "replaying the log; numbers are not complete yet", {"Retry-After": "2"})


async def aggregator_of(request: Request) -> Aggregator:
    aggregator: Aggregator = request.app.state.service
    return aggregator


# Dependencies are coroutines: a plain function would run in a worker thread, reading
# the ledger from outside the event loop that changes it (and a thread hop per request).
AggregatorDep = Annotated[Aggregator, Depends(aggregator_of)]


async def caught_up(aggregator: AggregatorDep) -> Aggregator:
    """The aggregator, once its numbers are complete: 503 while it replays."""
    if not aggregator.pipeline.replay_complete:
        raise REPLAYING
    return aggregator


ReadyDep = Annotated[Aggregator, Depends(caught_up)]


async def chosen_period(
    aggregator: ReadyDep, period: str | None = None, quarter: str | None = None
) -> Period:
    """``period`` (month, quarter, year or month range), or the first contract's
    ``quarter``; the current quarter when neither is given."""
    if period is not None and quarter is not None:
        raise invalid("period", "give period or quarter, not both")
    try:
        if period is not None:
            return Period.parse(period)
        if quarter is not None:
            return Period.of_quarter(Quarter.parse(quarter))
    except ValueError as error:
        raise invalid("period" if period is not None else "quarter", str(error)) from None
    return Period.of_quarter(quarter_of(aggregator.clock(), aggregator.area.zone))


async def chosen_region(aggregator: ReadyDep, region: str = "") -> str:
    """A region code prefix that selects something: ASCII digits, 2, 4 or 6 of them, of a
    configured region or of one the log holds."""
    if not region:
        return region
    if not is_region_prefix(region):
        raise invalid("region", f"{region!r} is not a region code prefix of 2, 4 or 6 digits")
    area = aggregator.area
    if not area.selects_any(region) and not any(
        code.startswith(region) for code in aggregator.ledger.regions_seen()
    ):
        raise invalid("region", f"{region} is not a region of {area.root.name} ({area.root.code})")
    return region


PeriodDep = Annotated[Period, Depends(chosen_period)]

RegionDep = Annotated[str, Depends(chosen_region)]
