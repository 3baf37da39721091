"""What a unit may read through the gateway (the aggregator stays internal): who it is,
the report schema its form is built from, and its own incidents — a unit reads only
the regions it may report for.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from safetywatch.config import AreaConfig
from safetywatch.events import (
    CATEGORY_GROUPS,
    INCIDENT_ID_PATTERN,
    REPORT_SCHEMA_NAME,
    ActiveAlert,
    AlertsPage,
    schema_documents,
)
from safetywatch.ingest.admission import throttle
from safetywatch.ingest.dependencies import GatewayDep, UnitDep
from safetywatch.units import Unit
from safetywatch.web import Refusal, invalid

router = APIRouter()

_INCIDENT_ID = re.compile(INCIDENT_ID_PATTERN)
#: The committed schema files' text, served as they are (they never change at run time).
SCHEMAS = schema_documents()


def unit_document(unit: Unit, area: AreaConfig) -> dict[str, Any]:
    """Who the unit is and what its form may offer: its level, its regions and the
    configured regions they cover, the area's zone and the categories by name."""
    covered = [region for region in area.regions if unit.may_report(region.code)]
    names = area.category_names
    office = area.office_of(unit.level, covered[0].code if covered else area.root.code)
    return {
        "unit_id": unit.unit_id,
        "level": unit.level.value,
        "level_name": unit.level.zh,
        "office": office.zh,
        "office_en": office.en,
        "regions": list(unit.regions),
        "area": {"code": area.root.code, "name": area.root.name, "time_zone": area.time_zone},
        "choices": [
            {"code": r.code, "name": r.name, "name_en": r.name_en or r.name} for r in covered
        ],
        "categories": [
            {
                "value": category.value,
                "name": names[category].zh,
                "name_en": names[category].en,
                "group": CATEGORY_GROUPS[category][0].value,
            }
            for category in area.visible_categories
        ],
        "schema": f"/v1/schemas/{REPORT_SCHEMA_NAME}",
    }


@router.get("/v1/me")
async def me(gateway: GatewayDep, unit: UnitDep) -> JSONResponse:
    throttle(gateway.limiter, unit, 1)
    return JSONResponse(unit_document(unit, gateway.area))


@router.get("/v1/schemas/{name}")
async def schema(name: str) -> Response:
    """The JSON Schemas of ``schemas/`` (public: they are in the repository too)."""
    if name not in SCHEMAS:
        raise Refusal(404, f"no schema {name}; there are {', '.join(sorted(SCHEMAS))}")
    return Response(SCHEMAS[name], media_type="application/schema+json")


@router.get("/v1/my/incidents")
async def my_incidents(
    gateway: GatewayDep, unit: UnitDep, limit: Annotated[int, Query(ge=1, le=200)] = 100
) -> JSONResponse:
    """The newest incidents of the unit's regions (each of its prefixes' register, merged)."""
    throttle(gateway.limiter, unit, 1)
    pages = await asyncio.gather(
        *(gateway.aggregator.register(prefix, limit) for prefix in unit.regions)
    )
    merged = {document.incident_id: document for page in pages for document in page}
    newest_first = sorted(
        merged.values(), key=lambda d: (d.occurred_at, d.incident_id), reverse=True
    )
    return JSONResponse({"incidents": [document.to_json() for document in newest_first[:limit]]})


@router.get("/v1/my/incidents/{incident_id}")
async def my_incident(gateway: GatewayDep, unit: UnitDep, incident_id: str) -> JSONResponse:
    """One incident of the unit's regions; another region's is as unknown as a missing one."""
    throttle(gateway.limiter, unit, 1)
    if not _INCIDENT_ID.match(incident_id):
        raise invalid("incident_id", f"{incident_id!r} does not match {INCIDENT_ID_PATTERN}")
    if not unit.may_report(incident_id[:6]):
        raise Refusal(404, f"no incident {incident_id} in this unit's regions")
    return JSONResponse((await gateway.aggregator.document(incident_id)).to_json())


@router.get("/v1/my/alerts")
async def my_alerts(gateway: GatewayDep, unit: UnitDep) -> JSONResponse:
    """The alerts firing now in the unit's jurisdiction (its regions' prefixes), critical
    first: the duty desk's screen, so that no-one needs Alertmanager's to know."""
    throttle(gateway.limiter, unit, 1)
    pages = await asyncio.gather(*(gateway.aggregator.alerts(prefix) for prefix in unit.regions))
    seen: dict[tuple[str, str, str, str, str | None], ActiveAlert] = {}
    for page in pages:
        for alert in page.active:
            key = (alert.rule, alert.severity, alert.region, alert.category, alert.incident_id)
            seen.setdefault(key, alert)
    evaluated = [page.evaluated_at for page in pages if page.evaluated_at is not None]
    merged = AlertsPage.of(min(evaluated, default=None), seen.values())
    return JSONResponse(merged.model_dump(mode="json"))
