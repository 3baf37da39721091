"""What operators and Prometheus read: the isolated records, the active alerts, health,\nreadiness and the metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from safetywatch.aggregator.alerts import scope_names
from safetywatch.aggregator.api.dependencies import AggregatorDep, ReadyDep, RegionDep
from safetywatch.alerting import AlertState
from safetywatch.config import AreaConfig
from safetywatch.events import ActiveAlert, AlertsPage

router = APIRouter()


@router.get("/v1/invalid-records")
async def invalid_records(aggregator: AggregatorDep) -> dict[str, Any]:
    pipeline = aggregator.pipeline
    return {
        "counts": {reason.value: n for reason, n in sorted(pipeline.invalid_by_reason.items())},
        "records": [record.to_json() for record in pipeline.invalid_records],
    }


@router.get("/v1/alerts")
async def alerts(aggregator: ReadyDep, region: RegionDep) -> JSONResponse:
    """The alerts firing now whose region lies under ``region`` (all when empty),
    critical first: what a duty desk's screen lists."""
    board = aggregator.board
    active = [
        _active_alert(state, aggregator.area)
        for state in board.states
        if state.active and state.region.startswith(region)
    ]
    return JSONResponse(AlertsPage.of(board.evaluated_at, active).model_dump(mode="json"))


def _active_alert(state: AlertState, area: AreaConfig) -> ActiveAlert:
    names = scope_names(state, area)
    return ActiveAlert(
        rule=state.rule,
        severity="critical" if state.severity == "critical" else "warning",
        region=state.region,
        region_name=names.place,
        region_name_en=names.place_en,
        category=state.category,
        category_name=names.category,
        category_name_en=names.category_en,
        value=state.value,
        threshold=state.threshold,
        incident_id=state.incident.incident_id if state.incident else None,
        overflow=state.overflow,
    )


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
    """Pipeline health, alerts, the reporting chain, rates and the names."""
    return _exposition(request, aggregator.registry)


@router.get("/metrics/counts")
async def metrics_counts(request: Request, aggregator: AggregatorDep) -> Response:
    """The count families (contract §4), scraped less often than ``/metrics``."""
    return _exposition(request, aggregator.counts_registry)


def _exposition(request: Request, registry: CollectorRegistry) -> Response:
    # ?name[]=… restricts the output (client_python's convention), and collects
    # only the collectors named: a poller watching one counter then costs little.
    names = request.query_params.getlist("name[]")
    source = registry.restricted_registry(names) if names else registry
    return Response(generate_latest(source), media_type=CONTENT_TYPE_LATEST)
