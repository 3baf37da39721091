"""Builders for report documents and stamped records used across the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from safetywatch.events.report import IncidentRecord

RECEIVED = datetime(2022, 2, 10, 12, 0, tzinfo=UTC)


def report(incident_id: str = "520201-T1", revision: int = 1, **fields: Any) -> dict[str, Any]:
    """A valid report document; any field may be overridden."""
    document: dict[str, Any] = {
        "incident_id": incident_id,
        "revision": revision,
        "category": "road_traffic",
        "region_code": incident_id[:6],
        "occurred_at": "2022-02-10T19:30:00+08:00",
    }
    document.update(fields)
    return document


def record(
    incident_id: str = "520201-T1",
    revision: int = 1,
    received_at: datetime = RECEIVED,
    unit_id: str = "unit-1",
    **fields: Any,
) -> IncidentRecord:
    """A stamped record as the aggregator reads it from Kafka."""
    return IncidentRecord.model_validate(
        {
            **report(incident_id, revision, **fields),
            "received_at": received_at.isoformat(),
            "unit_id": unit_id,
        },
        strict=False,
    )


def hours_after(moment: str, hours: float) -> datetime:
    return datetime.fromisoformat(moment) + timedelta(hours=hours)
