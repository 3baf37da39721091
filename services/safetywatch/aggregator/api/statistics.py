"""The official statistics over HTTP (contract §5, §7): a period's summary and its bulletin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from safetywatch.accounting import (
    BulletinFacts,
    Language,
    Period,
    bulletin_facts,
    bulletin_paragraphs,
    summary_document,
)
from safetywatch.aggregator.api.dependencies import PeriodDep, ReadyDep, RegionDep
from safetywatch.aggregator.api.word import bulletin_docx
from safetywatch.aggregator.service import Aggregator

router = APIRouter()

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/v1/summary")
async def summary(aggregator: ReadyDep, period: PeriodDep, region: RegionDep) -> JSONResponse:
    area = aggregator.area
    indicators = area.indicators.of(area.region_code_of(region))
    return JSONResponse(
        summary_document(aggregator.ledger, period, region, area.region_codes, indicators)
    )


def facts_of(aggregator: Aggregator, period: Period, region: str) -> BulletinFacts:
    area = aggregator.area
    return bulletin_facts(
        aggregator.ledger,
        period,
        region,
        area.place_for(region),
        area.category_names,
        area.indicators.of(area.region_code_of(region)),
        area.parts_of(region),
    )


@router.get("/v1/bulletin", response_model=None)
async def bulletin(
    aggregator: ReadyDep,
    period: PeriodDep,
    region: RegionDep,
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
    output: Annotated[str, Query(alias="format", pattern="^(json|docx)$")] = "json",
) -> JSONResponse | Response:
    facts = facts_of(aggregator, period, region)
    if output == "docx":
        name = f"bulletin-{period.label}{'-' + region if region else ''}.docx"
        return Response(
            bulletin_docx(facts),
            media_type=DOCX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    paragraphs = bulletin_paragraphs(facts, Language(lang))
    return JSONResponse(
        {"text": "\n".join(paragraphs), "paragraphs": paragraphs, "period": period.label}
    )
