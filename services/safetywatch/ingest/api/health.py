"""The gateway's health, readiness and its own /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from safetywatch.ingest.dependencies import GatewayDep

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(gateway: GatewayDep) -> JSONResponse:
    if await gateway.sink.reachable():
        return JSONResponse({"status": "ready"})
    return JSONResponse(
        {
            "status": "unready",
            "detail": f"cannot reach topic {gateway.settings.kafka.topic} on Kafka",
        },
        status_code=503,
        headers=gateway.retry_after,
    )


@router.get("/metrics")
async def metrics(gateway: GatewayDep) -> Response:
    return Response(generate_latest(gateway.metrics.registry), media_type=CONTENT_TYPE_LATEST)
