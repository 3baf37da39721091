"""The aggregator process: log follower plus query API and /metrics on one port."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from safetywatch.accounting import Language, Ledger, Quarter, bulletin_text, quarter_of
from safetywatch.aggregator._alerts import AlertBoard, AlertCollector
from safetywatch.aggregator._follower import LogFollower
from safetywatch.aggregator._metrics import Clock, LedgerCollector, PipelineCollector
from safetywatch.aggregator._pipeline import PipelineState
from safetywatch.aggregator._record_file import RecordFile
from safetywatch.config import AreaConfig, ConfigError, Settings, load_area

log = structlog.get_logger("safetywatch.aggregator")

_REGION_PREFIX = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}")


def open_record_file(directory: Path | None) -> RecordFile:
    """The record file, or a configuration error naming the variable that chose its place."""
    try:
        return RecordFile(directory)
    except OSError as error:
        where = directory if directory is not None else "the system's temporary directory"
        raise ConfigError(
            f"environment: SAFETYWATCH_STATE_DIR: cannot create the record file in {where}: "
            f"{error.strerror}"
        ) from None


def _invalid(field: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"field": field, "type": "value_error", "msg": message}]}, status_code=422
    )


def create_app(
    settings: Settings, area: AreaConfig, clock: Clock = lambda: datetime.now(UTC)
) -> FastAPI:
    records = open_record_file(settings.state_dir)
    ledger = Ledger(area.zone, records)
    pipeline = PipelineState()
    board = AlertBoard(ledger, area, clock, ready=lambda: pipeline.replay_complete)
    follower = LogFollower(
        settings.kafka_bootstrap,
        settings.topic,
        ledger,
        pipeline,
        records,
        after_batch=board.refresh_soon,
        on_failure=lambda _error: os.kill(os.getpid(), signal.SIGTERM),
    )
    registry = CollectorRegistry()
    registry.register(LedgerCollector(ledger, area, pipeline, clock))
    registry.register(PipelineCollector(ledger, pipeline))
    registry.register(AlertCollector(board))

    def reload_rules() -> None:
        try:
            reloaded = load_area(settings.config_file)
        except ConfigError as error:
            log.error("config_reload_refused", error=str(error), rules_kept=len(board.area.rules))
            return
        if reloaded.regions != area.regions or reloaded.time_zone != area.time_zone:
            log.warning(
                "config_reload_partial", detail="regions and time zone change on restart only"
            )
        board.reload(area.model_copy(update={"rules": reloaded.rules}))
        log.info("config_reloaded", rules=len(reloaded.rules))

    def rolled_over() -> None:
        log.info("quarter_rolled_over", quarter=quarter_of(clock(), area.zone).label)
        board.refresh()

    async def start_schedule(stack: AsyncExitStack) -> None:
        scheduler = AsyncIOScheduler(timezone=area.zone)
        # Hold times, sliding windows and year-to-date pace move with the clock alone.
        scheduler.add_job(board.refresh, "interval", minutes=1, id="evaluate_rules")
        scheduler.add_job(
            rolled_over,
            CronTrigger(month="1,4,7,10", day=1, hour=0, minute=0, timezone=area.zone),
            id="quarter_rollover",
        )
        scheduler.start()
        stack.callback(scheduler.shutdown, wait=False)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, reload_rules)
        stack.callback(loop.remove_signal_handler, signal.SIGHUP)

    def replaying() -> JSONResponse:
        return JSONResponse(
            {"detail": "replaying the log; numbers are not complete yet"},
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.callback(records.close)
            await follower.start(stack)
            await start_schedule(stack)
            log.info(
                "aggregator_started",
                url=f"http://{settings.aggregator_host}:{settings.aggregator_port}",
                bootstrap=settings.kafka_bootstrap,
                topic=settings.topic,
                time_zone=area.time_zone,
                regions=len(area.regions),
            )
            yield
        log.info("aggregator_stopped")

    app = FastAPI(title="safetywatch aggregator", lifespan=lifespan)
    app.state.ledger = ledger
    app.state.pipeline = pipeline

    def parse_query(quarter: str | None, region: str) -> tuple[Quarter, str] | JSONResponse:
        """The quarter and region prefix asked for, or the response that refuses them."""
        if not pipeline.replay_complete:
            return replaying()
        if quarter is None:
            chosen = quarter_of(clock(), area.zone)
        else:
            try:
                chosen = Quarter.parse(quarter)
            except ValueError as error:
                return _invalid("quarter", str(error))
        if region and not _REGION_PREFIX.fullmatch(region):
            return _invalid("region", f"{region!r} is not a region code prefix of 2, 4 or 6 digits")
        if region and not any(
            code.startswith(region) for code in area.region_codes | ledger.regions_seen()
        ):
            return _invalid(
                "region", f"{region} is not a region of {area.root.name} ({area.root.code})"
            )
        return chosen, region

    @app.get("/v1/summary")
    async def summary(quarter: str | None = None, region: str = "") -> Response:
        parsed = parse_query(quarter, region)
        if isinstance(parsed, JSONResponse):
            return parsed
        chosen, prefix = parsed
        return JSONResponse(ledger.summary(chosen, prefix, area.region_codes).to_json())

    @app.get("/v1/bulletin")
    async def bulletin(
        quarter: str | None = None,
        region: str = "",
        lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
    ) -> Response:
        parsed = parse_query(quarter, region)
        if isinstance(parsed, JSONResponse):
            return parsed
        chosen, prefix = parsed
        text = bulletin_text(ledger.summary(chosen, prefix), area.place_for(prefix), Language(lang))
        return JSONResponse({"text": text})

    @app.get("/v1/incidents/{incident_id}")
    async def incident(incident_id: str) -> Response:
        if not pipeline.replay_complete:
            return replaying()
        state = ledger.incident(incident_id)
        if state is None:
            return JSONResponse({"detail": f"unknown incident {incident_id}"}, status_code=404)
        return JSONResponse(state.to_json(ledger.record_of(state)))

    @app.get("/v1/invalid-records")
    async def invalid_records() -> dict[str, Any]:
        return {
            "counts": {reason.value: n for reason, n in sorted(pipeline.invalid_by_reason.items())},
            "records": [record.to_json() for record in pipeline.invalid_records],
        }

    @app.get("/v1/alerts")
    async def alerts() -> Response:
        if not pipeline.replay_complete:
            return replaying()
        active = [
            {
                "rule": s.rule,
                "severity": s.severity,
                "region": s.region,
                "category": s.category,
                "value": s.value,
                "threshold": s.threshold,
                "incident_id": s.incident.incident_id if s.incident else None,
            }
            for s in board.states
            if s.active
        ]
        evaluated = board.evaluated_at.isoformat() if board.evaluated_at else None
        return JSONResponse({"evaluated_at": evaluated, "active": active})

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        if pipeline.failure is not None:
            return JSONResponse({"status": "failed", "detail": pipeline.failure}, status_code=500)
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        if pipeline.failure is None and pipeline.replay_complete:
            return JSONResponse({"status": "ready", "replay_seconds": pipeline.replay_seconds})
        return JSONResponse({"status": "replaying"}, status_code=503, headers={"Retry-After": "2"})

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        # ?name[]=… restricts the output (client_python's convention), and collects
        # only the collectors named: a poller watching one counter then costs little
        # even when a province's state makes the full exposition take ~50 ms.
        names = request.query_params.getlist("name[]")
        source = registry.restricted_registry(names) if names else registry
        return Response(generate_latest(source), media_type=CONTENT_TYPE_LATEST)

    return app
