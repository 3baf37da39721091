"""The official statistics over HTTP (contract §5, §7): a period's summary and its bulletin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from safetywatch.accounting import (
    Language,
    bulletin_text,
    summary_document,
)
from safetywatch.aggregator.api.dependencies import PeriodDep, ReadyDep, RegionDep

router = APIRouter()


@router.get("/v1/summary")
async def summary(aggregator: ReadyDep, period: PeriodDep, region: RegionDep) -> JSONResponse:
    known = aggregator.area.region_codes
    return JSONResponse(summary_document(aggregator.ledger, period, region, known))


@router.get("/v1/bulletin")
async def bulletin(
    aggregator: ReadyDep,
    period: PeriodDep,
    region: RegionDep,
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
) -> JSONResponse:
    area, ledger = aggregator.area, aggregator.ledger
    text = bulletin_text(
        ledger.summary(period, region),
        ledger.summary(period.same_period_last_year(), region),
        area.place_for(region),
        Language(lang),
        area.category_names,
    )
    return JSONResponse({"text": text, "period": period.label})
