"""Admission of a report: who sent it, whether they may, whether it is a report, and
the record that goes to Kafka. Every refusal is raised as a ``Refusal``."""

from __future__ import annotations

import math
from datetime import datetime

from pydantic import ValidationError

from safetywatch.events import IncidentReport, Origin, ReportContext, StampedReport
from safetywatch.ingest.limits import RateLimiter
from safetywatch.regions import Area, Level
from safetywatch.units import TokenExpired, TokenRegistry, Unit
from safetywatch.web import Refusal, field_error, field_errors

#: Who reports when the gateway runs without tokens (development only).
ANONYMOUS = Unit("anonymous", ("",))


def authenticate(registry: TokenRegistry | None, authorization: str | None) -> Unit:
    if registry is None:
        return ANONYMOUS
    unit = registry.verdict(authorization)
    if isinstance(unit, TokenExpired):
        raise Refusal(
            401,
            f"the token expired at {unit.expires_at.isoformat()}: ask an administrator for a "
            "new one",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            reason=f"token {unit.token_id} expired at {unit.expires_at.isoformat()}",
        )
    if unit is None:
        raise Refusal(
            401,
            "a valid bearer token is required",
            {"WWW-Authenticate": "Bearer"},
            reason="no valid bearer token",
        )
    return unit


def throttle(limiter: RateLimiter, unit: Unit, reports: int) -> None:
    wait = limiter.take(unit.unit_id, reports)
    if not wait:
        return
    seconds = "3600" if math.isinf(wait) else str(max(1, math.ceil(wait)))
    raise Refusal(
        429,
        "too many reports from this unit; slow down",
        {"Retry-After": seconds},
        reason=f"rate limit: {reports} reports, retry after {seconds} s",
    )


def admit(document: bytes, unit: Unit, received_at: datetime, area: Area) -> StampedReport:
    """The stamped record for a report body, or the Refusal (422 or 403) naming the field.

    The aggregator decodes records with the same model and the same bounds, so whatever
    is admitted here it applies."""
    context = ReportContext(received_at=received_at, configured_regions=area.region_codes)
    try:
        report = IncidentReport.model_validate_json(document, context=context)
    except ValidationError as error:
        raise Refusal(422, field_errors(error)) from None
    if not unit.may_report(report.region_code):
        message = f"unit {unit.unit_id} may not report for region {report.region_code}"
        raise Refusal(403, [field_error("region_code", "forbidden", message)])
    if report.origin is Origin.IMPORT and not unit.can_import:
        message = (
            f"this token of unit {unit.unit_id} may not import history: an administrator "
            "gives one that may (safetywatch tokens add --can-import)"
        )
        raise Refusal(403, [field_error("origin", "forbidden", message)])
    # A county unit's level is the default, left out of its records (most of them).
    level = None if unit.level is Level.COUNTY else unit.level
    return StampedReport.of(report, received_at=received_at, unit_id=unit.unit_id, unit_level=level)
