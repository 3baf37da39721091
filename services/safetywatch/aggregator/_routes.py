"""The aggregator's read API (contract §5): summaries, bulletins, incidents, alerts, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from safetywatch.accounting import (
    Language,
    Period,
    Quarter,
    bulletin_text,
    quarter_of,
    summary_document,
)
from safetywatch.aggregator._documents import incident_document
from safetywatch.aggregator._service import Aggregator
from safetywatch.regions import is_region_prefix
from safetywatch.web import Refusal, invalid

router = APIRouter()

REPLAYING = Refusal(503, "replaying the log; numbers are not complete yet", {"Retry-After": "2"})


def aggregator_of(request: Request) -> Aggregator:
    aggregator: Aggregator = request.app.state.service
    return aggregator


AggregatorDep = Annotated[Aggregator, Depends(aggregator_of)]


def caught_up(aggregator: AggregatorDep) -> Aggregator:
    """The aggregator, once its numbers are complete: 503 while it replays."""
    if not aggregator.pipeline.replay_complete:
        raise REPLAYING
    return aggregator


ReadyDep = Annotated[Aggregator, Depends(caught_up)]


def chosen_period(
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


def chosen_region(aggregator: ReadyDep, region: str = "") -> str:
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


@router.get("/v1/incidents/{incident_id}")
async def incident(aggregator: ReadyDep, incident_id: str) -> JSONResponse:
    state = aggregator.ledger.incident(incident_id)
    if state is None:
        raise Refusal(404, f"unknown incident {incident_id}")
    return JSONResponse(incident_document(aggregator, state))


@router.get("/v1/invalid-records")
async def invalid_records(aggregator: AggregatorDep) -> dict[str, Any]:
    pipeline = aggregator.pipeline
    return {
        "counts": {reason.value: n for reason, n in sorted(pipeline.invalid_by_reason.items())},
        "records": [record.to_json() for record in pipeline.invalid_records],
    }


@router.get("/v1/alerts")
async def alerts(aggregator: ReadyDep) -> JSONResponse:
    board = aggregator.board
    active = [
        {
            "rule": s.rule,
            "severity": s.severity,
            "region": s.region,
            "category": s.category,
            "value": s.value,
            "threshold": s.threshold,
            "incident_id": s.incident.incident_id if s.incident else None,
            **({"overflow": True} if s.overflow else {}),
        }
        for s in board.states
        if s.active
    ]
    evaluated = board.evaluated_at.isoformat() if board.evaluated_at else None
    return JSONResponse({"evaluated_at": evaluated, "active": active})


@router.get("/healthz")
async def healthz(aggregator: AggregatorDep) -> JSONResponse:
    failure = aggregator.pipeline.failure
    if failure is not None:
        return JSONResponse({"status": "failed", "detail": failure}, status_code=500)
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(aggregator: AggregatorDep) -> JSONResponse:
    if aggregator.ready:
        return JSONResponse(
            {
                "status": "ready",
                "replay_seconds": aggregator.pipeline.replay_seconds,
                "incidents": len(aggregator.ledger),
            }
        )
    return JSONResponse({"status": "replaying"}, status_code=503, headers={"Retry-After": "2"})


@router.get("/metrics")
async def metrics(request: Request, aggregator: AggregatorDep) -> Response:
    # ?name[]=… restricts the output (client_python's convention), and collects
    # only the collectors named: a poller watching one counter then costs little
    # even when a province's state makes the full exposition take ~50 ms.
    names = request.query_params.getlist("name[]")
    registry = aggregator.registry
    source = registry.restricted_registry(names) if names else registry
    return Response(generate_latest(source), media_type=CONTENT_TYPE_LATEST)
