"""``POST /v1/incidents/{incident_id}/confirmations`` (contract §8): a level of the
reporting chain has received an incident's report and passed it on (签收并上报).

Checked in the order a person would want to hear about it: who they are (401), a
well-formed body (422), their own level (403), the incident (404), their jurisdiction
(403), the incident's chain (409). Then it is a Kafka record on the incident's key,
durable before the 202. A repeat is accepted again and changes nothing: the first
confirmation of a level is the one that counts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from safetywatch.events import (
    INCIDENT_ID_PATTERN,
    Confirmation,
    ConfirmationRecord,
    IncidentDocument,
)
from safetywatch.ingest.admission import throttle
from safetywatch.ingest.dependencies import GatewayDep, UnitDep, inlined_schema, request_body
from safetywatch.units import Unit
from safetywatch.web import Refusal, field_error, field_errors, invalid, peer_of, read_json_body

router = APIRouter()

_INCIDENT_ID = re.compile(INCIDENT_ID_PATTERN)
CONFIRMATION_SCHEMA = inlined_schema(Confirmation.model_json_schema())


def _confirmation(body: bytes) -> Confirmation:
    try:
        return Confirmation.model_validate_json(body)
    except ValidationError as error:
        raise Refusal(422, field_errors(error)) from None


def _check_jurisdiction(unit: Unit, confirmation: Confirmation, incident: IncidentDocument) -> None:
    if not unit.may_report(incident.region_code):
        message = f"unit {unit.unit_id} does not cover region {incident.region_code}"
        raise Refusal(403, [field_error("incident_id", "forbidden", message)])
    if confirmation.level not in incident.levels:
        required = ", ".join(level.value for level in incident.levels) or "none (retracted)"
        message = (
            f"a {incident.grade_name or 'this'} incident is reported up to the levels {required}; "
            f"{confirmation.level.value} is not one of them"
        )
        raise Refusal(409, [field_error("level", "not_required", message)])


@router.post(
    "/v1/incidents/{incident_id}/confirmations",
    status_code=202,
    openapi_extra=request_body(CONFIRMATION_SCHEMA),
)
async def post_confirmation(
    request: Request, incident_id: str, gateway: GatewayDep, unit: UnitDep
) -> JSONResponse:
    throttle(gateway.limiter, unit, 1)
    if not _INCIDENT_ID.match(incident_id):
        raise invalid("incident_id", f"{incident_id!r} does not match {INCIDENT_ID_PATTERN}")
    settings = gateway.settings.gateway
    body = await read_json_body(request, settings.max_body_bytes, settings.body_timeout_seconds)
    confirmation = _confirmation(body)
    if confirmation.level is not unit.level:
        message = f"unit {unit.unit_id} confirms for the {unit.level.value} level only"
        raise Refusal(403, [field_error("level", "forbidden", message)])
    _check_jurisdiction(unit, confirmation, await gateway.aggregator.document(incident_id))
    record = ConfirmationRecord(
        level=confirmation.level,
        note=confirmation.note,
        incident_id=incident_id,
        unit_id=unit.unit_id,
        received_at=datetime.now(UTC),
    )
    return JSONResponse(await gateway.confirm(record, peer_of(request)), status_code=202)
